"""The export form: which format, as of which date."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zjai.dates import today
from zjai.forms import DateInput

from .models import Export


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

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > today():
            raise ValidationError(_("A report describes the past: choose today or earlier."))
        return day
