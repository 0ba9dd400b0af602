"""The export form: which format, as of which date, as known on which day or instant; and the
form naming two editions to compare."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ResponsibleUnit
from taskreports.periods import periods_of
from zjai.dates import today
from zjai.forms import DateInput

from .choices import BulletinFormat, BulletinLanguage
from .editions import EditionError, check_edition, parse_known_on
from .models import Export

KNOWN_ON_HELP = _(
    "A date (what was known at the end of that day) or a date and time with its offset, e.g. "
    "2021-07-01T12:00:00+08:00. Empty: as known now. The same date and the same instant "
    "give the same figures on any later day."
)


def clean_known_on(form: forms.Form, as_of_field: str, known_field: str) -> None:
    """Turn the "as known on" text into an instant, checked against the date (a form error on
    the field otherwise)."""
    text = form.cleaned_data.get(known_field) or ""
    as_of = form.cleaned_data.get(as_of_field)
    if not text.strip():
        form.cleaned_data[known_field] = None
        return
    try:
        known_at = parse_known_on(text)
        if as_of is not None:
            check_edition(as_of, known_at)
    except EditionError:
        form.add_error(known_field, _known_on_error(text, as_of))
        return
    form.cleaned_data[known_field] = known_at


def _known_on_error(text: str, as_of) -> str:
    try:
        known_at = parse_known_on(text)
    except EditionError:
        return str(_("Enter a date YYYY-MM-DD or a date and time with its offset."))
    if as_of is not None and timezone.localdate(known_at) < as_of and known_at <= timezone.now():
        return str(_("A report cannot be known before the day it describes."))
    return str(_("That instant is in the future."))


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("format"), choices=Export.Format.choices, widget=forms.RadioSelect
    )
    as_of = forms.DateField(
        label=_("as of"),
        widget=DateInput(),
        help_text=_(
            "Only figures approved by the end of this day, and register entries dated on or "
            "before it, count: the same date gives the same figures on any later day."
        ),
    )

    known_on = forms.CharField(
        label=_("as known on"), required=False, max_length=40, help_text=KNOWN_ON_HELP
    )

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > today():
            raise ValidationError(_("A report describes the past: choose today or earlier."))
        return day

    def clean(self):
        cleaned = super().clean()
        clean_known_on(self, "as_of", "known_on")
        return cleaned


class CompareForm(forms.Form):
    """Two editions of the current plan: the old one and the one to compare it against."""

    as_of = forms.DateField(label=_("as of"), widget=DateInput())
    known_on = forms.CharField(
        label=_("as known on"), required=False, max_length=40, help_text=KNOWN_ON_HELP
    )
    against_as_of = forms.DateField(label=_("against: as of"), widget=DateInput())
    against_known_on = forms.CharField(
        label=_("against: as known on"), required=False, max_length=40, help_text=KNOWN_ON_HELP
    )

    def clean_as_of(self):
        return _past(self.cleaned_data["as_of"])

    def clean_against_as_of(self):
        return _past(self.cleaned_data["against_as_of"])

    def clean(self):
        cleaned = super().clean()
        clean_known_on(self, "as_of", "known_on")
        clean_known_on(self, "against_as_of", "against_known_on")
        return cleaned


def _past(day):
    if day > today():
        raise ValidationError(_("A report describes the past: choose today or earlier."))
    return day


class BulletinForm(forms.Form):
    """The progress bulletin of the chosen plan: which period, the whole plan or one unit, as
    known on which day or instant, which format and language."""

    period = forms.ChoiceField(label=_("reporting period"))
    unit = forms.ModelChoiceField(
        label=_("unit"),
        queryset=ResponsibleUnit.objects.none(),
        required=False,
        empty_label=_("all responsible units"),
    )
    known_on = forms.CharField(
        label=_("as known on"), required=False, max_length=40, help_text=KNOWN_ON_HELP
    )
    format = forms.ChoiceField(
        label=_("format"),
        choices=BulletinFormat.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("language"), choices=BulletinLanguage.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The periods that have begun, newest first.
        self.periods = {
            p.start.isoformat(): p for p in reversed(periods_of(plan)) if p.start <= today()
        }
        self.fields["period"].choices = [
            (key, f"{p.label} ({date_format(p.start)} – {date_format(p.end)})")
            for key, p in self.periods.items()
        ]
        self.fields["unit"].queryset = (
            ResponsibleUnit.objects.filter(
                item_links__item__plan=plan, item_links__item__kind__in=REPORTED_ITEM_KINDS
            )
            .distinct()
            .order_by("code")
        )

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]

    def clean_known_on(self):
        text = (self.cleaned_data.get("known_on") or "").strip()
        if not text:
            return None
        try:
            known_at = parse_known_on(text)
        except EditionError:
            raise ValidationError(
                _("Enter a date YYYY-MM-DD or a date and time with its offset.")
            ) from None
        if known_at > timezone.now():
            raise ValidationError(_("That instant is in the future."))
        return known_at


class HistoryDateForm(forms.Form):
    """The day an object's history page shows it as it was (default today)."""

    as_of = forms.DateField(label=_("as it was on"), required=False, widget=DateInput)
