"""Time series for charts, read from stored rows: Progress history and approved figures.

Nothing here computes progress; the required path is the method's own formula
(targets.progress.expected_value) evaluated at a few dates to draw the line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min
from django.db.models.functions import TruncMonth

from . import progress as method
from .baselines import Baseline, effective_baseline
from .models import Measurement, Progress, Target
from .recompute import spec_for

Series = list[tuple[dt.date, float]]


def progress_history(
    targets: list[Target], until: dt.date, years: int = 6, since: dt.date | None = None
) -> dict[int, Series]:
    """Each target's value at the newest computed date of each month, from `since` (default:
    the last `years` years) until `until` (two queries whatever the number of rows)."""
    if since is None:
        since = until.replace(year=until.year - years)
    rows = Progress.objects.filter(target__in=targets, as_of__gte=since, as_of__lte=until)
    month_ends = (
        rows.annotate(month=TruncMonth("as_of"))
        .values("target_id", "month")
        .annotate(last=Max("as_of"))
        .values_list("target_id", "last")
    )
    wanted: dict[int, set[dt.date]] = defaultdict(set)
    for target_id, last in month_ends:
        wanted[target_id].add(last)
    days = {day for found in wanted.values() for day in found}
    out: dict[int, Series] = defaultdict(list)
    if not days:
        return out
    for target_id, day, value in (
        rows.filter(as_of__in=days, current_value__isnull=False)
        .order_by("target_id", "as_of")
        .values_list("target_id", "as_of", "current_value")
    ):
        if day in wanted[target_id]:
            # Not null, as filtered (the column itself is nullable).
            out[target_id].append((day, float(cast(Decimal, value))))
    return out


def approved_series(target: Target, as_of: dt.date) -> Series:
    """The figure that counted at the end of each month: the newest approved figure describing
    the month's last reported date (ties: the later approval, as targets.values decides)."""
    approved = Measurement.objects.approved_as_of(as_of).filter(target=target)
    if not connection.features.supports_slicing_ordering_in_compound:
        return _approved_series_grouped(approved)
    span = approved.aggregate(first=Min("observed_on"), last=Max("observed_on"))
    if span["first"] is None:
        return []
    # One small index scan per month (the month's newest figure), sent as one UNION ALL: a
    # target with 240,000 figures is charted from a few dozen index entries, not all of them.
    newest = ("-observed_on", "-reviewed_at", "-pk")
    per_month = [
        approved.filter(observed_on__gte=start, observed_on__lte=end)
        .order_by(*newest)
        .values_list("observed_on", "value")[:1]
        for start, end in _months(span["first"], span["last"])
    ]
    rows = per_month[0].union(*per_month[1:], all=True) if len(per_month) > 1 else per_month[0]
    return sorted((day, float(value)) for day, value in rows)


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every month from first's to last's."""
    months = []
    start = first.replace(day=1)
    while start <= last:
        following = (start + dt.timedelta(days=32)).replace(day=1)
        months.append((start, following - dt.timedelta(days=1)))
        start = following
    return months


def _approved_series_grouped(approved) -> Series:
    """The same series for databases that cannot order inside a UNION (SQLite, the laptop
    default): each month's last day by aggregation, then that day's figures."""
    last_days = list(
        approved.annotate(month=TruncMonth("observed_on"))
        .values("month")
        .annotate(last=Max("observed_on"))
        .values_list("last", flat=True)
    )
    if not last_days:
        return []
    chosen: dict[dt.date, float] = {}
    for day, value in (
        approved.filter(observed_on__in=last_days)
        .order_by("observed_on", "reviewed_at", "pk")
        .values_list("observed_on", "value")
    ):
        chosen[day] = float(value)  # the last one of a day wins
    return sorted(chosen.items())


def required_path(spec: method.TargetSpec, points: int = 24) -> Series:
    """The required path from the baseline (its value and date: targets.baselines) to the
    target at the deadline, drawn through `points` segments (a curve for compound growth)."""
    span = (spec.deadline - spec.start).days
    if span <= 0:
        return [(spec.deadline, float(spec.target_value))]
    days = [spec.start + dt.timedelta(days=round(span * i / points)) for i in range(points + 1)]
    return [(day, method.expected_value(spec, day)) for day in days]


@dataclass(frozen=True)
class TargetChart:
    """What a target's chart draws besides its values: the spec (baseline, target, deadline),
    where its baseline comes from, and the period the time axis covers."""

    spec: method.TargetSpec
    baseline: Baseline
    period: tuple[dt.date, dt.date]

    @property
    def required(self) -> Series:
        return required_path(self.spec)


def chart_period(
    target: Target, as_of: dt.date, baseline: Baseline | None = None
) -> tuple[dt.date, dt.date]:
    """The whole plan period, for every target's chart (the page's and the PDF's): from the
    plan's start (or the baseline's date, when earlier) to the later of the deadline, the
    plan's end and the as-of date."""
    start = target.plan.period_start
    if baseline is not None:
        start = min(start, baseline.on)
    return start, max(target.deadline, target.plan.period_end, as_of)


def target_chart(
    target: Target, as_of: dt.date, known_at: dt.datetime | None = None
) -> TargetChart:
    """The chart's frame for a target as of a date (as known at an instant): its baseline as
    the progress was computed with it (targets.baselines; one query at most)."""
    baseline = effective_baseline(target, as_of, known_at)
    return TargetChart(spec_for(target, baseline), baseline, chart_period(target, as_of, baseline))


def actual_series(target: Target, as_of: dt.date) -> Series:
    """The values a target's chart draws, over the whole plan period: every month's last
    approved figure (reported), or every month's last computed value (counted: the Progress
    rows, quarter ends from the plan's start once `recompute_progress --history` has run)."""
    if target.is_reported:
        return approved_series(target, as_of)
    since = chart_period(target, as_of)[0]
    return progress_history([target], as_of, since=since).get(target.pk, [])


SERIES_CACHE_TTL = 3600


# How far back a chain of predecessors is followed (a plan continuing a plan continuing …).
PREDECESSORS_CHARTED = 5


@dataclass(frozen=True)
class EarlierPlan:
    """A predecessor whose values begin a target's chart: which target, until which day."""

    target: Target
    until: dt.date


def continued_series(
    target: Target, progress: Progress | None, as_of: dt.date
) -> tuple[Series, list[EarlierPlan]]:
    """The target's values, continued back through the targets it continues in earlier plans
    (`predecessor`): one series across the plans. Each predecessor gives its values up to the
    day its successor starts from (the successor's baseline date, else its plan's start);
    the earlier plans come first in the list."""
    series = charted_series(target, progress, as_of)
    earlier: list[EarlierPlan] = []
    current = target
    for _ in range(PREDECESSORS_CHARTED):
        predecessor = current.predecessor
        if predecessor is None:
            break
        start = current.baseline_date or current.plan.period_start
        last = predecessor.progress.filter(as_of__lte=as_of).order_by("-as_of").first()
        before = [
            point
            for point in charted_series(predecessor, last, min(as_of, start))
            if point[0] <= start
        ]
        series = before + [point for point in series if point[0] > start]
        earlier.insert(0, EarlierPlan(predecessor, start))
        current = predecessor
    return series, earlier


def charted_series(target: Target, progress: Progress | None, as_of: dt.date) -> Series:
    """actual_series, kept until the target's progress is computed again.

    Every change that can alter the series (an approval, a withdrawal, a register entry)
    queues a recompute, which gives the progress a new computed_at; keyed by it, a cached
    series is never older than the progress shown beside it.
    """
    if progress is None:
        return actual_series(target, as_of)
    computed = progress.computed_at.isoformat()
    key = f"series:v2:{target.pk}:{as_of.isoformat()}:{progress.pk}:{computed}"
    series = cache.get(key)
    if series is None:
        series = actual_series(target, as_of)
        cache.set(key, series, SERIES_CACHE_TTL)
    return series
