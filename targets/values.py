"""The current value of every target as of a date, gathered set-wise.

A fixed number of queries whatever the size of the registers: one for the reported targets
(latest approved figure through correlated subqueries), one aggregate per register with a
filtered COUNT/SUM/MAX per target. No Python loops over register rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from enterprises.models import Enterprise
from projects.choices import ProjectStatus
from projects.models import Project

from .choices import Register, SourceKind
from .models import Measurement, Target


@dataclass(frozen=True)
class CurrentValue:
    """A target's value as of a date and the date that value describes (None: no data)."""

    value: Decimal | None
    on: dt.date | None


def _field_q(name: str, wanted) -> Q:
    return Q(**{f"{name}__in": wanted}) if isinstance(wanted, list) else Q(**{name: wanted})


def register_condition(target: Target, as_of: dt.date) -> tuple[Q, str]:
    """The filter selecting a target's register entries as of a date, and the date field that
    makes an entry count (see docs/plan-file.md)."""
    q = Q()
    for name, wanted in (target.source_filter or {}).items():
        q &= _field_q(name, wanted)
    if target.source_register == Register.ENTERPRISES:
        q &= ~Q(tier="") & Q(recognised_on__lte=as_of)
        q &= Q(revoked_on__isnull=True) | Q(revoked_on__gt=as_of)
        return q, "recognised_on"
    status = (target.source_filter or {}).get("status")
    if status == ProjectStatus.ACCEPTED or status == [ProjectStatus.ACCEPTED]:
        return q & Q(accepted_on__lte=as_of), "accepted_on"
    return q & Q(start_date__lte=as_of), "start_date"


def _register_values(targets: list[Target], model, as_of: dt.date) -> dict[int, CurrentValue]:
    if not targets:
        return {}
    aggregates = {}
    for target in targets:
        q, _date_field = register_condition(target, as_of)
        if target.source_kind == SourceKind.SUM:
            aggregates[f"v{target.pk}"] = Sum(target.source_field, filter=q)
        else:
            aggregates[f"v{target.pk}"] = Count("pk", filter=q)
    row = model.objects.aggregate(**aggregates)
    result = {}
    for target in targets:
        raw = row[f"v{target.pk}"] or Decimal(0)
        value = Decimal(raw) * target.source_scale
        # A register is a fact on every day: its count as of a date describes that date.
        result[target.pk] = CurrentValue(value, as_of)
    return result


def _reported_values(
    targets: list[Target], as_of: dt.date, observed_by: dt.date
) -> dict[int, CurrentValue]:
    if not targets:
        return {}
    latest = (
        Measurement.objects.approved_as_of(as_of)
        .filter(target=OuterRef("pk"), observed_on__lte=observed_by)
        .order_by("-observed_on", "-reviewed_at", "-id")
    )
    rows = (
        Target.objects.filter(pk__in=[t.pk for t in targets])
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("observed_on")[:1]),
        )
        .values_list("pk", "latest_value", "latest_on")
    )
    return {pk: CurrentValue(value, on) for pk, value, on in rows}


def current_values(
    targets: Iterable[Target], as_of: dt.date, observed_by: dt.date | None = None
) -> dict[int, CurrentValue]:
    """Map target id → its value as of `as_of` (at most three queries).

    `observed_by` (default `as_of`) limits the date a value may describe: the value "at the
    deadline" is the newest one describing a date on or before the deadline, among figures
    approved by `as_of`.
    """
    observed_by = min(observed_by or as_of, as_of)
    targets = list(targets)
    by_source = {
        "reported": [t for t in targets if t.source_kind == SourceKind.REPORTED],
        Register.ENTERPRISES: [
            t
            for t in targets
            if t.source_kind != SourceKind.REPORTED and t.source_register == Register.ENTERPRISES
        ],
        Register.PROJECTS: [
            t
            for t in targets
            if t.source_kind != SourceKind.REPORTED and t.source_register == Register.PROJECTS
        ],
    }
    values = _reported_values(by_source["reported"], as_of, observed_by)
    values.update(_register_values(by_source[Register.ENTERPRISES], Enterprise, observed_by))
    values.update(_register_values(by_source[Register.PROJECTS], Project, observed_by))
    return values
