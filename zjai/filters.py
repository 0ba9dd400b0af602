"""Filters the browser lists' filtersets share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters

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
