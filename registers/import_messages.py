"""What an import's error says about a cell: the expected format, or the allowed values.

A row of a file is checked by the register's form, whose messages are Django's and written
for a person at a form ("Enter a valid date.", "Select a valid choice."). A cell of a file
needs more: how a date is written, which codes (with their labels) a coded column takes.
`explain` turns the form's error of a field into that; any other error (a length, a credit
code's check character, a rule between fields) already says what is wrong and stays as it is.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

# How a date is written in a file, and an example (XLSX date cells are read as dates too).
DATE_FORMAT = "YYYY-MM-DD"
DATE_EXAMPLE = "2024-03-31"
NUMBER_EXAMPLE = "1234.5"


def is_coded(field_obj: forms.Field | None) -> bool:
    """A column that takes one of a list of codes (a choice, not a lookup of another entry)."""
    return isinstance(field_obj, forms.ChoiceField) and not isinstance(
        field_obj, forms.ModelChoiceField
    )


def allowed_values(field_obj: forms.Field) -> list[tuple[str, str]]:
    """The codes of a coded column and their labels in the current language."""
    return [
        (str(value), force_str(label))
        for value, label in getattr(field_obj, "choices", [])
        if value not in ("", None)
    ]


def codes_text(field_obj: forms.Field) -> str:
    """The allowed values as a message names them: 'hangzhou (杭州), ningbo (宁波), …'."""
    return ", ".join(
        _("%(code)s (%(label)s)") % {"code": code, "label": label}
        for code, label in allowed_values(field_obj)
    )


def _first_message(error: ValidationError) -> str:
    return " ".join(force_str(message) for message in error.messages)


def explain(field_obj: forms.Field | None, error: ValidationError, text: Any) -> str:
    """The message of a cell's error: the form's, or, for a value of the wrong form or a
    missing one, what the column expects."""
    message = _first_message(error)
    value = force_str(text or "").strip()
    if field_obj is None:
        return message
    if error.code == "required":
        if is_coded(field_obj):
            return _("This column must be filled in: write one of %(codes)s.") % {
                "codes": codes_text(field_obj)
            }
        if isinstance(field_obj, forms.DateField):
            return _("This column must be filled in: a date written %(format)s.") % {
                "format": DATE_FORMAT
            }
        return _("This column must be filled in.")
    if error.code == "invalid_choice" and is_coded(field_obj):
        return _("“%(value)s” is not an allowed value: write one of %(codes)s.") % {
            "value": value,
            "codes": codes_text(field_obj),
        }
    if error.code == "invalid" and isinstance(field_obj, forms.DateField):
        return _(
            "“%(value)s” is not a date: write it as %(format)s (e.g. %(example)s), or use a "
            "date cell in an XLSX file."
        ) % {"value": value, "format": DATE_FORMAT, "example": DATE_EXAMPLE}
    if error.code == "invalid" and isinstance(
        field_obj, forms.DecimalField | forms.IntegerField | forms.FloatField
    ):
        return _(
            "“%(value)s” is not a number: write digits with a decimal point (e.g. %(example)s), "
            "without units."
        ) % {"value": value, "example": NUMBER_EXAMPLE}
    return message
