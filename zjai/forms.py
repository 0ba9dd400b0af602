"""Form fields and widgets shared by the apps' forms."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker, with the ISO date it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionField(forms.IntegerField):
    """The version the user read, sent back with an edit so a stale edit is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
