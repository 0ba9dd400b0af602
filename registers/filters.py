"""A register's list as of a date (`?as_of=`): the filters on counted fields read the values
each entry held on that date (registers.validtime), so a list filtered like a target's count
shows the very entries the count counted then (targets.values.register_list_query).

The other filters (names, managing unit, demo data, awaiting confirmation) read the entries as
they are: those fields keep no history.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .validtime import entry_rows_on, history_rows_on


def as_of_filter() -> django_filters.DateFilter:
    """`?as_of=YYYY-MM-DD`; applied by AsOfFilterSetMixin, not on its own."""
    return django_filters.DateFilter(method="keep", label=_("as it stood on"))


class AsOfFilterSetMixin:
    """Mixed into a register's FilterSet: with `as_of`, the filters named in
    `valid_time_filters` select entries by the row that describes each on that date (its own
    row or a history row: one of them, never both), in two subqueries."""

    valid_time_filters: frozenset[str] = frozenset()
    filters: dict[str, Any]
    form: Any

    def keep(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        as_of = data.get("as_of")
        if as_of is None:
            return super().filter_queryset(queryset)  # type: ignore[misc]
        model = queryset.model
        own = entry_rows_on(model, as_of)
        past = history_rows_on(model, as_of)
        for name, value in data.items():
            chosen = self.filters[name]
            if name in self.valid_time_filters:
                own = chosen.filter(own, value)
                past = chosen.filter(past, value)
            else:
                queryset = chosen.filter(queryset, value)
        return queryset.filter(
            Q(pk__in=own.order_by().values("pk")) | Q(pk__in=past.order_by().values("entry_id"))
        )
