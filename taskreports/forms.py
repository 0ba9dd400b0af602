"""Forms of the task reports pages. They check the input; taskreports.services does the
writing and re-checks everything that matters (rights, state, version) in its transaction."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from plans.models import ResponsibleUnit
from projects.models import Project
from zjai.collation import by_name
from zjai.forms import DateInput, PromptChoicesMixin, VersionField
from zjai.uploads import validate_evidence

from .choices import TaskStatus
from .models import TEXT_MAX_LENGTH, Milestone


def _textarea(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class TaskReportForm(forms.Form):
    """A unit's report on a task for a period."""

    status = forms.ChoiceField(label=_("status"), choices=TaskStatus.choices)
    percent_complete = forms.IntegerField(
        label=_("percent complete"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Optional, 0 to 100."),
    )
    work_done = _textarea(_("work done"))
    next_steps = _textarea(_("next steps"))
    problems = _textarea(_("problems and support needed"))
    milestones_reached = forms.ModelMultipleChoiceField(
        label=_("milestones reached"),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    enterprises = forms.ModelMultipleChoiceField(
        label=_("enterprises concerned"), queryset=Enterprise.objects.none(), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("projects concerned"), queryset=Project.objects.none(), required=False
    )
    evidence = forms.FileField(
        label=_("evidence file"),
        required=False,
        validators=[validate_evidence],
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.csv,.docx"}),
    )
    version = VersionField()

    def __init__(
        self, *args, item=None, user=None, named_enterprises=(), named_projects=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "PDF, PNG, JPG, XLSX, CSV or DOCX, at most %(size)s."
        ) % {"size": filesizeformat(settings.ZJAI_EVIDENCE_MAX_BYTES)}
        milestones = self.fields["milestones_reached"]
        enterprises = self.fields["enterprises"]
        projects = self.fields["projects"]
        assert isinstance(milestones, forms.ModelMultipleChoiceField)
        assert isinstance(enterprises, forms.ModelMultipleChoiceField)
        assert isinstance(projects, forms.ModelMultipleChoiceField)
        if item is not None:
            milestones.queryset = Milestone.objects.filter(item=item).order_by("due_on", "pk")
        # The register entries the user's unit manages, and those the report already names
        # (the registers are large: a report concerns its own unit's entries).
        unit_id = getattr(user, "unit_id", None)
        enterprises.queryset = Enterprise.objects.filter(
            Q(owner_unit_id=unit_id) | Q(pk__in=list(named_enterprises))
        ).order_by(by_name("name_zh"), "pk")
        projects.queryset = Project.objects.filter(
            Q(owner_unit_id=unit_id) | Q(pk__in=list(named_projects))
        ).order_by(by_name("name_zh"), "pk")


class AdminUnitForm(PromptChoicesMixin, forms.Form):
    """For an administrator writing a report: which of the task's units it is for."""

    unit = forms.ModelChoiceField(label=_("unit"), queryset=ResponsibleUnit.objects.none())


class ReviewForm(forms.Form):
    """Approve or return a submitted report; a return says why."""

    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the report."),
    )
    version = VersionField(required=True)

    def __init__(self, *args, decision: str | None = None, **kwargs):
        self.decision = decision
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.decision not in ("approve", "return"):
            raise ValidationError(_("Choose to approve or to return the report."))
        if self.decision == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the report is returned."))
        return cleaned


class VersionForm(forms.Form):
    version = VersionField(required=True)


class ConsolidatedReportForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=TaskStatus.choices)
    summary = _textarea(_("summary"))
    version = VersionField()


class MilestoneForm(PromptChoicesMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("owning unit"), queryset=ResponsibleUnit.objects.none())
    due_on = forms.DateField(label=_("due on"), widget=DateInput())
    description = forms.CharField(label=_("description"), max_length=500)
    version = VersionField()

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        if units is not None:
            unit.queryset = units


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("done on"), required=False, widget=DateInput())
    version = VersionField(required=True)


class NoticeForm(PromptChoicesMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=ResponsibleUnit.objects.all())
    subject = forms.CharField(label=_("subject"), max_length=300)
    text = forms.CharField(
        label=_("text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    reply_by = forms.DateField(label=_("reply by"), widget=DateInput())


class NoticeReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("reply"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = VersionField(required=True)


class NoticeCloseForm(forms.Form):
    comment = forms.CharField(
        label=_("closing comment"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField(required=True)
