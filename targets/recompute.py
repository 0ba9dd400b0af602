"""Recomputing progress rows: gather the inputs set-wise, compute, write idempotently."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .dates import today
from .models import Progress, Target
from .values import current_values

PROGRESS_FIELDS = [
    "current_value",
    "current_date",
    "percent",
    "expected_value",
    "pace_ratio",
    "status",
    "forecast",
    "score",
    "reached_late_on",
    "stale",
    "computed_at",
]


@dataclass
class RecomputeResult:
    as_of: dt.date
    targets: int = 0
    by_status: Counter = field(default_factory=Counter)


def recompute(
    as_of: dt.date | None = None, target_ids: Iterable[int] | None = None
) -> RecomputeResult:
    """Write one Progress row per target for `as_of` (default today), replacing any row of the
    same target and date, so running it twice gives the same rows."""
    as_of = as_of or today()
    targets = Target.objects.select_related("plan").order_by("pk")
    if target_ids is not None:
        targets = targets.filter(pk__in=list(target_ids))
    targets = list(targets)
    values = current_values(targets, as_of)
    now = timezone.now()
    rows = []
    for target in targets:
        current = values.get(target.pk)
        has_value = current is not None and current.value is not None
        rows.append(
            Progress(
                target=target,
                as_of=as_of,
                current_value=current.value if has_value else None,
                current_date=current.on if has_value else None,
                status=Progress.Status.NO_DATA,
                computed_at=now,
            )
        )
    with transaction.atomic():
        Progress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["target", "as_of"],
            update_fields=PROGRESS_FIELDS,
            batch_size=1000,
        )
    result = RecomputeResult(as_of=as_of, targets=len(rows))
    result.by_status.update(row.status for row in rows)
    return result
