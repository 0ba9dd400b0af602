"""Recomputing progress, the computation: gather the inputs set-wise and apply targets.progress.

The writes (the Progress and roll-up rows, the dirty marks, the run's audit event) are
targets.services.recompute_progress. A full recompute issues a fixed number of queries whatever
the size of the registers and the number of figures: the targets, their values now and at their
deadline (grouped by deadline), the plan tree and unit links for the roll-ups, and the writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from plans.models import PlanItem

from . import progress as method
from .choices import SourceKind
from .models import Progress, RollupProgress, Target, TargetUnit
from .values import CurrentValue, current_values

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


def spec_for(target: Target) -> method.TargetSpec:
    return method.TargetSpec(
        target_value=float(target.target_value),
        deadline=target.deadline,
        start=target.baseline_date or target.plan.period_start,
        baseline=float(target.baseline_value or 0),
        comparator=target.comparator,
        growth_model=target.growth_model,
        reported=target.source_kind == SourceKind.REPORTED,
        reporting_interval_days=settings.ZJAI_REPORTING_INTERVAL_DAYS,
    )


def _observation(value: CurrentValue | None) -> method.Observation | None:
    if value is None or value.value is None or value.on is None:
        return None
    return method.Observation(float(value.value), value.on)


def assess_targets(targets: list[Target], as_of: dt.date) -> dict[int, method.Result]:
    """The method's result for each target as of a date."""
    now = current_values(targets, as_of)
    at_deadline: dict[int, CurrentValue] = {}
    by_deadline: dict[dt.date, list[Target]] = defaultdict(list)
    for target in targets:
        if as_of > target.deadline:
            by_deadline[target.deadline].append(target)
    for deadline, group in by_deadline.items():
        at_deadline.update(current_values(group, as_of, observed_by=deadline))
    return {
        t.pk: method.assess(
            spec_for(t), as_of, _observation(now.get(t.pk)), _observation(at_deadline.get(t.pk))
        )
        for t in targets
    }


def progress_row(target: Target, result: method.Result, as_of: dt.date, now) -> Progress:
    return Progress(
        target=target,
        as_of=as_of,
        current_value=result.current_value,
        current_date=result.current_date,
        percent=result.percent,
        expected_value=result.expected_value,
        pace_ratio=result.pace_ratio,
        status=result.status,
        forecast=result.forecast,
        score=result.score,
        reached_late_on=result.reached_late_on,
        stale=result.stale,
        computed_at=now,
    )


def result_from_row(row: Progress) -> method.Result:
    percent = row.percent
    return method.Result(
        status=row.status,
        current_value=float(row.current_value) if row.current_value is not None else None,
        current_date=row.current_date,
        percent=percent,
        percent_capped=min(max(percent, 0.0), 100.0) if percent is not None else None,
        score=row.score,
    )


def rollup_members(
    plan_id: int, targets: list[Target]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The targets under each plan item (stated in it or in any item below it) and the targets
    of each responsible unit (leading or taking part): what the roll-ups average over."""
    items = list(PlanItem.objects.filter(plan_id=plan_id).values_list("pk", "parent_id"))
    parent_of = dict(items)
    under: dict[int, list[int]] = defaultdict(list)
    for target in targets:
        node: int | None = target.item_id
        while node is not None:
            under[node].append(target.pk)
            node = parent_of.get(node)
    by_unit: dict[int, list[int]] = defaultdict(list)
    for target_id, unit_id in TargetUnit.objects.filter(target__plan_id=plan_id).values_list(
        "target_id", "unit_id"
    ):
        by_unit[unit_id].append(target_id)
    return under, by_unit


def rollup_rows(
    plan_id: int, targets: list[Target], rows: dict[int, Progress], as_of: dt.date, now
) -> list[RollupProgress]:
    """The roll-ups of one plan as of a date (the plan, each item, each unit), from the Progress
    row of that date of each of its `targets`."""
    weighted = {t.pk: (result_from_row(rows[t.pk]), float(t.weight)) for t in targets}
    under, by_unit = rollup_members(plan_id, targets)

    def rollup_row(ids: list[int], **subject) -> RollupProgress:
        summary = method.roll_up(weighted[i] for i in ids)
        return RollupProgress(
            plan_id=plan_id,
            as_of=as_of,
            targets=summary.targets,
            percent=summary.percent,
            score=summary.score,
            band=summary.band,
            counts=summary.counts,
            computed_at=now,
            **subject,
        )

    new = [rollup_row(list(weighted), scope=RollupProgress.Scope.PLAN)]
    new += [
        rollup_row(ids, scope=RollupProgress.Scope.ITEM, item_id=item_id)
        for item_id, ids in under.items()
    ]
    new += [
        rollup_row(ids, scope=RollupProgress.Scope.UNIT, unit_id=unit_id)
        for unit_id, ids in by_unit.items()
    ]
    return new
