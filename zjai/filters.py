"""Filters the browser lists' filtersets share.

A filter's empty choice means "any value": it reads "All" (全部), for a choice, a unit or a
yes/no filter alike. Choices and model choices take it from django-filter's setting
(settings.FILTERS_EMPTY_CHOICE_LABEL); a yes/no filter's select is `AnyYesNoSelect`, which
the list pages put on every one (zjai.lists.FilteredListView.friendly_widgets), rather than
Django's "Unknown" (未知).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

# What the empty choice of a filter says (settings.FILTERS_EMPTY_CHOICE_LABEL).
ANY_LABEL = _("All")


class AnyYesNoSelect(forms.NullBooleanSelect):
    """All / Yes / No for a yes/no filter; ?x=true, ?x=false, or nothing for all."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", ANY_LABEL), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        # A list, as the choice widgets compare it (a string would hold "" and match "All").
        if value in (True, "True", "true", "2"):
            return ["true"]
        if value in (False, "False", "false", "3"):
            return ["false"]
        return [""]


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def year_filter(field_name: str, label: StrOrPromise) -> django_filters.NumberFilter:
    """`?year=` on a date field, limited to a year a date can have: the form refuses 10**11
    before it reaches the database (the API refuses it in zjai.api.filters)."""
    return django_filters.NumberFilter(
        field_name=field_name,
        lookup_expr="year",
        label=label,
        min_value=1,
        max_value=9999,
        decimal_places=0,
    )
