"""What counts on a date: the one owner of as-of counting, for the recompute and the reports.

As of a date D (docs/domain.md, "When a register entry counts"):
- a reported figure counts when it describes a date on or before D and was approved by the end
  of D (`counted_figures`; a figure withdrawn later still counted then);
- an enterprise counts for its tier from `recognised_on` until `revoked_on` (exclusive);
- a project counted by a filter on `status: accepted` counts from `accepted_on`, any other
  project from its `start_date` (`register_condition`);
- a target with a date window counts only the entries whose counting date (above) falls within
  it, both ends included; without one, every entry counts (cumulative).

The registers keep today's row only, so "as known at K" is the end of D for figures and today's
register rows for entries: their dates decide, not when they were typed in. A register row holds
its confirmed values (a proposed change waits in registers.PendingChange), and a new entry
counts only once confirmed (`confirmed`; registers/services.py): unconfirmed rows count nowhere.

A fixed number of queries whatever the size of the registers: one for the reported targets
(latest approved figure through correlated subqueries), one aggregate per register with a
filtered COUNT/SUM per target and date. No Python loops over register rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from enterprises.choices import EnterpriseStatus
from enterprises.models import Enterprise
from projects.choices import ProjectStatus
from projects.models import Project
from registers.validtime import (
    entry_rows_on,
    history_model,
    history_row_q,
    history_rows_on,
    own_row_q,
)
from zjai.decimals import exact_field

from .choices import Register, SourceKind
from .models import Measurement, Progress, Target

logger = logging.getLogger(__name__)

REGISTER_MODELS = {Register.ENTERPRISES: Enterprise, Register.PROJECTS: Project}


@dataclass(frozen=True)
class CurrentValue:
    """A target's value as of a date and the date that value describes (None: no data)."""

    value: Decimal | None
    on: dt.date | None


# --- figures ----------------------------------------------------------------------------------


def counted_figures(as_of: dt.date, known_at: dt.datetime | None = None) -> QuerySet[Measurement]:
    """The figures that count as of a date: describing a date on or before it, approved by
    `known_at` (default: the end of the date, Asia/Shanghai), withdrawn or superseded after it
    or never."""
    return Measurement.objects.approved_as_of(as_of, known_at)


# --- register entries -------------------------------------------------------------------------


def _field_q(name: str, wanted) -> Q:
    return Q(**{f"{name}__in": wanted}) if isinstance(wanted, list) else Q(**{name: wanted})


def _counts_from_acceptance(target: Target) -> bool:
    status = (target.source_filter or {}).get("status")
    return status == ProjectStatus.ACCEPTED or status == [ProjectStatus.ACCEPTED]


def register_condition(target: Target, as_of: dt.date) -> tuple[Q, str]:
    """The filter selecting a target's register entries as of a date, and the date field that
    makes an entry count (see docs/plan-file.md)."""
    q = Q()
    for name, wanted in (target.source_filter or {}).items():
        q &= _field_q(name, wanted)
    if target.source_register == Register.ENTERPRISES:
        q, date_field = q & _enterprise_counts(as_of), "recognised_on"
    elif _counts_from_acceptance(target):
        q, date_field = q & Q(accepted_on__lte=as_of), "accepted_on"
    else:
        q, date_field = q & Q(start_date__lte=as_of), "start_date"
    return q & _window_q(target, date_field), date_field


def register_list_query(target: Target, as_of: dt.date) -> list[tuple[str, str]]:
    """The register list's query (enterprises:list, projects:list) that shows the entries
    `register_condition` counts as of a date: the same filter, read as of the same date
    (registers/filters.py). Kept beside register_condition so that the two say the same."""
    query: list[tuple[str, str]] = [("as_of", as_of.isoformat())]
    for name, wanted in (target.source_filter or {}).items():
        for value in wanted if isinstance(wanted, list) else [wanted]:
            query.append((name, str(value)))
    window = target.window_start is not None and target.window_end is not None
    if target.source_register == Register.ENTERPRISES:
        query.append(("counts_on", as_of.isoformat()))
        after, before = "recognised_after", "recognised_before"
    elif _counts_from_acceptance(target):
        query.append(("accepted_before", as_of.isoformat()))
        after, before = "accepted_after", "accepted_before"
    else:
        query.append(("started_before", as_of.isoformat()))
        after, before = "started_after", "started_before"
    if window:
        assert target.window_start is not None and target.window_end is not None
        query.append((after, target.window_start.isoformat()))
        # The list takes one bound per filter: the earlier of the window's end and the date.
        query = [(k, v) for k, v in query if k != before]
        query.append((before, min(target.window_end, as_of).isoformat()))
    return query


def _window_q(target: Target, date_field: str) -> Q:
    """A windowed target counts only the entries whose counting date falls within its window,
    both ends included (the date must also be on or before the as-of date, above)."""
    if target.window_start is None or target.window_end is None:
        return Q()  # cumulative
    return Q(**{f"{date_field}__gte": target.window_start, f"{date_field}__lte": target.window_end})


def _enterprise_counts(as_of: dt.date) -> Q:
    """An enterprise counts for its tier from its recognition until its revocation."""
    return (
        ~Q(tier="")
        & Q(recognised_on__lte=as_of)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=as_of))
    )


# --- an entry's values on a date, as known at an instant ----------------------------------------
#
# Which row describes an entry on a date is registers.validtime's to say (the registers' lists
# as of a date read it too).

_own_row_q = own_row_q
_history_row_q = history_row_q


def states_on(
    model,
    as_of: dt.date,
    known_at: dt.datetime | None,
    columns: Sequence[str],
    condition: Q | None = None,
) -> QuerySet:
    """Each entry as of a date, as known at an instant: `columns` (the entry's field names,
    "pk", or lookups through it such as "enterprise__name_zh") of the one row that describes
    it, counted fields as they held then, the others as they are. One UNION query; order it by
    column names."""
    history = history_model(model)
    counted = {f.name for f in history._meta.concrete_fields}

    def through(column: str):
        if column == "pk":
            return F("entry_id")
        if column.split("__")[0] in counted and column not in ("id", "entry"):
            return F(column)
        return F(f"entry__{column.removesuffix('_id')}")

    condition = condition or Q()
    # Neither part keeps its model's default ordering: SQLite refuses an ORDER BY inside a
    # compound statement; the caller orders the union.
    own = entry_rows_on(model, as_of, known_at).filter(condition).order_by().values_list(*columns)
    past = (
        history_rows_on(model, as_of, known_at)
        .filter(condition)
        .order_by()
        .values_list(*[through(c) for c in columns])
    )
    return own.union(past, all=True)


def enterprises_counted_on(as_of: dt.date, known_at: dt.datetime | None = None) -> QuerySet:
    """Enterprises that count for their tier on a date: their ids."""
    return states_on(Enterprise, as_of, known_at, ["pk", "tier"], _enterprise_counts(as_of))


def enterprises_on(
    as_of: dt.date, columns: Sequence[str], known_at: dt.datetime | None = None
) -> QuerySet:
    """Enterprises recognised in a tier on or before a date: those that count on it and those
    whose recognition was revoked by then (listed with their status on the date)."""
    condition = Q(recognised_on__lte=as_of) & ~Q(tier="")
    return states_on(Enterprise, as_of, known_at, columns, condition)


def enterprise_status_on(revoked_on: dt.date | None, as_of: dt.date) -> EnterpriseStatus:
    """An enterprise's status on a date: revoked from its revocation date on."""
    if revoked_on is not None and revoked_on <= as_of:
        return EnterpriseStatus.REVOKED
    return EnterpriseStatus.ACTIVE


def projects_on(
    as_of: dt.date, columns: Sequence[str], known_at: dt.datetime | None = None
) -> QuerySet:
    """Projects started or accepted on or before a date."""
    condition = Q(start_date__lte=as_of) | Q(accepted_on__lte=as_of)
    return states_on(Project, as_of, known_at, columns, condition)


def project_status_on(
    status: str, accepted_on: dt.date | None, as_of: dt.date
) -> ProjectStatus | str:
    """A project's status on a date, from its values then: a project accepted after the date
    had started and was not yet accepted on it, so it shows as under construction."""
    if accepted_on is not None and accepted_on <= as_of:
        return ProjectStatus.ACCEPTED
    if status == ProjectStatus.ACCEPTED:
        return ProjectStatus.UNDER_CONSTRUCTION
    return status


# --- values of targets ------------------------------------------------------------------------


def _register_values(
    targets: list[Target], model, days: Sequence[dt.date], known_at: dt.datetime | None = None
) -> dict[int, list[CurrentValue]]:
    """Each counted target's value on each day, in one aggregate query over the register."""
    if not targets or not days:
        return {}
    own: dict[str, Any] = {}
    past: dict[str, Any] = {}
    for target in targets:
        for i, day in enumerate(days):
            q, _date_field = register_condition(target, day)
            own[f"v{target.pk}_{i}"] = _aggregate(target, q & _own_row_q(day, known_at))
            past[f"v{target.pk}_{i}"] = _aggregate(target, q & _history_row_q(day, known_at))
    # Two aggregates: the entries' own rows, and their history rows (valid time).
    now = model.objects.filter(confirmed=True).aggregate(**own)
    before = history_model(model).objects.aggregate(**past)

    def total(key: str):
        if now[key] is None and before[key] is None:
            return None
        return (now[key] or 0) + (before[key] or 0)

    # A register is a fact on every day: its count as of a date describes that date.
    return {
        target.pk: [
            CurrentValue(_register_value(target, model, total(f"v{target.pk}_{i}")), day)
            for i, day in enumerate(days)
        ]
        for target in targets
    }


def _aggregate(target: Target, q: Q):
    if target.source_kind == SourceKind.SUM:
        return Sum(target.source_field, filter=q)
    return Count("pk", filter=q)


# Progress.current_value keeps what a figure keeps: 15 digits, 4 after the point, the most both
# databases read back exactly (zjai/decimals.py). A reported value is a figure, and a count
# times its scale fits (a million entries times the largest scale, 9999.99999999, is 1e10). A
# sum may not, since a project may state up to 9,999,999,999,999.99 万元. No real register
# comes near: the plan sums in 亿元 (scale 0.0001), where 100,000 projects (the benchmark's
# register) would each need over 1e6 亿元 to exceed it; summed in 万元 (scale 1), the end is
# 1,000 万亿元, eight times China's yearly GDP. A sum beyond it is bad data, so it is refused,
# not clipped: the target has no value that day (no_data) and the log names the target, the
# sum and the range, rather than the page showing the range's end as if it were the sum.
def _register_value(target: Target, model, aggregate) -> Decimal | None:
    """A count, or a sum brought back to the summed field's places (on SQLite it is a sum of
    floating-point numbers, a hair off), times the target's scale, rounded as it is stored."""
    total = Decimal(aggregate or 0)
    if target.source_kind == SourceKind.SUM:
        summed = exact_field(model, target.source_field)
        total = total.quantize(Decimal(1).scaleb(-summed.decimal_places))
    stored = exact_field(Progress, "current_value")
    value = total * target.source_scale
    if value not in stored.range:
        logger.error(
            "Target %s: its register gives %s, outside what progress keeps (%s to %s); "
            "it has no value on that day.",
            target.code,
            value,
            stored.range.low,
            stored.range.high,
        )
        return None
    return value.quantize(Decimal(1).scaleb(-stored.decimal_places))


def _reported_values(
    targets: list[Target], as_of: dt.date, observed_by: dt.date, known_at: dt.datetime | None
) -> dict[int, CurrentValue]:
    if not targets:
        return {}
    latest = (
        counted_figures(as_of, known_at)
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


def figure_baselines(
    targets: list[Target], as_of: dt.date, known_at: dt.datetime | None = None
) -> dict[int, tuple[CurrentValue, CurrentValue]]:
    """For reported targets: (the newest figure describing the plan's start or a day before
    it, the earliest figure), among the figures that count as of `as_of` as known at
    `known_at` (`counted_figures`); one query (targets.baselines takes the baseline from them)."""
    if not targets:
        return {}
    counted = counted_figures(as_of, known_at).filter(target=OuterRef("pk"))
    # Ties as the current value breaks them: the later approval, then the later row.
    at_start = counted.filter(observed_on__lte=OuterRef("plan__period_start")).order_by(
        "-observed_on", "-reviewed_at", "-id"
    )
    earliest = counted.order_by("observed_on", "-reviewed_at", "-id")
    rows = (
        Target.objects.filter(pk__in=[t.pk for t in targets])
        .annotate(
            start_value=Subquery(at_start.values("value")[:1]),
            start_on=Subquery(at_start.values("observed_on")[:1]),
            first_value=Subquery(earliest.values("value")[:1]),
            first_on=Subquery(earliest.values("observed_on")[:1]),
        )
        .values_list("pk", "start_value", "start_on", "first_value", "first_on")
    )
    return {
        pk: (CurrentValue(start_value, start_on), CurrentValue(first_value, first_on))
        for pk, start_value, start_on, first_value, first_on in rows
    }


def _by_source(targets: Iterable[Target]) -> dict[str, list[Target]]:
    """The targets split into reported ones and the counted ones of each register."""
    groups: dict[str, list[Target]] = {"reported": [], **{r: [] for r in REGISTER_MODELS}}
    for target in targets:
        if target.source_kind == SourceKind.REPORTED:
            groups["reported"].append(target)
        else:
            groups[target.source_register].append(target)
    return groups


def current_values(
    targets: Iterable[Target],
    as_of: dt.date,
    observed_by: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> dict[int, CurrentValue]:
    """Map target id → its value as of `as_of` (at most three queries).

    `observed_by` (default `as_of`) limits the date a value may describe: the value "at the
    deadline" is the newest one describing a date on or before the deadline, among figures
    approved by `as_of`.

    `known_at` is the instant the values are as known at (an edition's "as known on"): figures
    approved by then, register values recorded by then. None: figures approved by the end of
    `as_of`, register values as known now.
    """
    observed_by = min(observed_by or as_of, as_of)
    groups = _by_source(targets)
    values = _reported_values(groups["reported"], as_of, observed_by, known_at)
    for register, model in REGISTER_MODELS.items():
        counted = _register_values(groups[register], model, [observed_by], known_at)
        for pk, on_days in counted.items():
            values[pk] = on_days[0]
    return values


def values_on(
    targets: Iterable[Target], days: Sequence[dt.date], known_at: dt.datetime | None = None
) -> dict[int, list[CurrentValue]]:
    """Each target's value as it counted on each of the days (the actual line of a chart): one
    query per day for the reported targets, one per register for all the counted ones and all
    the days. A reported target lists only the days it had a value, each with the date its
    figure describes."""
    groups = _by_source(targets)
    series: dict[int, list[CurrentValue]] = defaultdict(list)
    if groups["reported"]:
        for day in days:
            for pk, value in _reported_values(groups["reported"], day, day, known_at).items():
                if value.value is not None and value.on is not None:
                    series[pk].append(value)
    for register, model in REGISTER_MODELS.items():
        series.update(_register_values(groups[register], model, days, known_at))
    return dict(series)
