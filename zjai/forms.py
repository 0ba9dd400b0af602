"""Form fields and widgets shared by the apps' forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from zjai.dates import today

# The empty choice of a select in a form where a value is to be chosen (a filter's empty
# choice means "any" and reads "All": settings.FILTERS_EMPTY_CHOICE_LABEL).
CHOOSE = gettext_lazy("— choose —")


class DateInput(forms.DateInput):
    """A date box in the page's language, not the browser's.

    The browser's own date picker (<input type="date">) shows and reads dates the way the
    browser's locale does (12/05/2026 on an English browser while the page is Chinese), so this
    is a text box: it shows the date in the language's DATE_FORMAT (2026年12月5日, 5 Dec 2026),
    accepts that and ISO (2026-12-05; the formats in zjai/formats), and says so under the box
    (a hint the box's aria-describedby names, so a screen reader reads it with the label)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"placeholder": "YYYY-MM-DD", "autocomplete": "off", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return formats.date_format(value, "DATE_FORMAT")
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        hint_id = f"{attrs['id']}_format" if attrs.get("id") else ""
        if hint_id:
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {hint_id}".strip()
        box = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<span class="date-hint small muted"{}>{}</span>',
            box,
            format_html(' id="{}"', hint_id) if hint_id else "",
            date_hint(),
        )


def date_hint(day: dt.date | None = None) -> str:
    """What a date box accepts, with today's date written both ways."""
    day = day or today()
    return gettext("Date as %(iso)s or %(local)s") % {
        "iso": day.isoformat(),
        "local": formats.date_format(day, "DATE_FORMAT"),
    }


def prompt_choices(form: forms.BaseForm) -> None:
    """The empty choice of every select of `form` reads "— choose —", not Django's "---------"."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            continue
        if isinstance(field.widget, forms.RadioSelect):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = CHOOSE
        elif isinstance(field, forms.ChoiceField):
            # A field's choices are normalised to a list of pairs (django-stubs type them as
            # anything a field accepts).
            choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
            field.choices = [(value, CHOOSE if value == "" else label) for value, label in choices]


class PromptChoicesMixin:
    """A form whose selects' empty choice reads "— choose —" (prompt_choices)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prompt_choices(self)  # type: ignore[arg-type]


class VersionField(forms.IntegerField):
    """The version the user read, sent back with an edit so a stale edit is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the form has it, else on the
    form as a whole, so the page shows the field and the reason."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
