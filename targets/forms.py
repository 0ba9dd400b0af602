"""Forms of the figure workflow. They check the input; targets.services does the writing and
re-checks everything that matters (rights, state, version) inside its transaction."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from targets.explain import unit_name
from targets.models import FIGURE_TEXT_MAX_LENGTH, Measurement
from zjai.decimals import exact_field, plain_number
from zjai.forms import DateInput, VersionField
from zjai.uploads import validate_evidence


class MeasurementForm(forms.Form):
    """A figure: the value, the date it describes, its evidence."""

    value = exact_field(Measurement, "value").formfield(
        label=_("value"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    observed_on = forms.DateField(
        label=_("date described"),
        widget=DateInput(),
        help_text=_("The date the figure describes, e.g. the end of the quarter."),
    )
    note = forms.CharField(
        label=_("evidence note"),
        required=False,
        max_length=FIGURE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the figure comes from: the report, table or office."),
    )
    evidence = forms.FileField(
        label=_("evidence file"),
        required=False,
        validators=[validate_evidence],
        # The size comes from the setting (ZJAI_EVIDENCE_MAX_BYTES), in __init__.
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.csv,.docx"}),
    )
    version = VersionField()

    def __init__(self, *args, target=None, **kwargs):
        self.target = target
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "PDF, PNG, JPG, XLSX, CSV or DOCX, at most %(size)s."
        ) % {"size": filesizeformat(settings.ZJAI_EVIDENCE_MAX_BYTES)}
        if target is not None:
            self.fields["value"].help_text = _("In %(unit)s.") % {"unit": unit_name(target)}

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and value < 0 and not (self.target and self.target.allows_negative):
            raise ValidationError(_("This target's values cannot be negative."))
        return value


class SubmitForm(forms.Form):
    version = VersionField()


class ReviewForm(forms.Form):
    """Approve or reject a submitted figure; a rejection says why."""

    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=FIGURE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the figure."),
    )
    version = VersionField()

    def __init__(
        self, *args, decision: str | None = None, replaces: Measurement | None = None, **kwargs
    ):
        self.decision = decision
        super().__init__(*args, **kwargs)
        if replaces is not None:
            # The approved figure for the same target and date: approving this one supersedes
            # it, so the reviewer confirms that, having seen its value (the page shows it). The
            # id the reviewer saw goes with the confirmation: if another figure was approved
            # meanwhile, the service refuses rather than replace one the reviewer never saw.
            self.fields["supersede"] = forms.BooleanField(
                label=_("supersede the approved figure"),
                required=decision != "reject",
                help_text=_(
                    "Figure #%(id)s (%(value)s) is already approved for this date. Approving "
                    "this one replaces it: it stops counting from now on."
                )
                % {"id": replaces.pk, "value": plain_number(replaces.value)},
                error_messages={
                    "required": _(
                        "Confirm that this figure supersedes the one approved for the same date."
                    )
                },
            )
            self.fields["replaces"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=replaces.pk, required=False
            )

    def clean(self):
        cleaned = super().clean()
        if self.decision not in ("approve", "reject"):
            raise ValidationError(_("Choose to approve or to reject the figure."))
        if self.decision == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the figure is rejected."))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=FIGURE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the approved figure no longer counts."),
    )
    version = VersionField()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=FIGURE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the frozen verdict is removed and the target judged again."),
    )
