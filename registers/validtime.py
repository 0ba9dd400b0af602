"""Which row describes a register entry on a date, as known at an instant: the one reading of
valid time (docs/domain.md, "Registers with valid time"), shared by the counts of the targets
(targets/values.py) and the registers' lists as of a date (registers/filters.py).

An entry's own row holds its current values from its `valid_from` on, known since its
`recorded_at`; its history rows hold the other periods, and the accounts of periods that a
later change or correction replaced (`replaced_at`). As of a date D, as known at K, exactly one
of them describes each entry. Both tables name the counted fields alike, so one filter reads
both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet


def holds_on(as_of: dt.date) -> Q:
    return Q(valid_from__isnull=True) | Q(valid_from__lte=as_of)


def own_row_q(as_of: dt.date, known_at: dt.datetime | None = None) -> Q:
    """An entry's own row describes it as of a date, as known at an instant (None: now)."""
    q = holds_on(as_of)
    return q & Q(recorded_at__lte=known_at) if known_at is not None else q


def history_row_q(as_of: dt.date, known_at: dt.datetime | None = None) -> Q:
    """A history row describes its entry as of a date, as known at an instant (None: now)."""
    q = holds_on(as_of) & (Q(valid_to__isnull=True) | Q(valid_to__gt=as_of))
    if known_at is None:
        return q & Q(replaced_at__isnull=True)
    current = Q(replaced_at__isnull=True) | Q(replaced_at__gt=known_at)
    return q & Q(recorded_at__lte=known_at) & current


def history_model(model: type[models.Model]) -> Any:
    """A register's history model (EnterpriseHistory, ProjectHistory)."""
    return model.history.rel.related_model  # type: ignore[attr-defined]


def entry_rows_on(model, as_of: dt.date, known_at: dt.datetime | None = None) -> QuerySet:
    """The confirmed entries whose own row describes them as of a date, as known at an
    instant (a new entry not yet confirmed counts nowhere)."""
    return model.objects.filter(own_row_q(as_of, known_at), confirmed=True)


def history_rows_on(model, as_of: dt.date, known_at: dt.datetime | None = None) -> QuerySet:
    """The history rows that describe their entries as of a date, as known at an instant."""
    return history_model(model).objects.filter(history_row_q(as_of, known_at))
