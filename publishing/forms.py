"""The staff's forms of publishing: publish an edition, withdraw a publication, and the list's
filter by plan."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.models import Plan
from reports.forms import KNOWN_ON_HELP, clean_known_on
from zjai.dates import today
from zjai.forms import DateInput, PromptChoicesMixin, VersionField

REASON_MAX_LENGTH = 2000


def publishable_plans():
    """The plans an edition may be published of: a draft plan never is (publishing.services)."""
    return Plan.objects.filter(is_draft=False).order_by("period_start", "code")


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return f"{obj.title} ({obj.code})"


class PublishForm(PromptChoicesMixin, forms.Form):
    plan = PlanChoiceField(label=_("plan"), queryset=Plan.objects.none(), to_field_name="code")
    as_of = forms.DateField(
        label=_("as of"),
        widget=DateInput(),
        help_text=_("The edition shows the plan as it stood at the end of this day."),
    )
    known_on = forms.CharField(
        label=_("as known on"), required=False, max_length=40, help_text=KNOWN_ON_HELP
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = publishable_plans()  # type: ignore[attr-defined]

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > today():
            raise ValidationError(_("A report describes the past: choose today or earlier."))
        return day

    def clean(self):
        cleaned = super().clean()
        # The text becomes an instant (reports.editions.parse_known_on), or None for "now".
        clean_known_on(self, "as_of", "known_on")
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the publication and in the audit trail."),
    )
    version = VersionField(required=True)


class PublicationFilterForm(forms.Form):
    plan = PlanChoiceField(
        label=_("plan"),
        queryset=Plan.objects.all().order_by("period_start", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
