"""Recomputing progress: gather the inputs set-wise, apply targets.progress, write idempotently.

A full recompute issues a fixed number of queries whatever the size of the registers and the
number of figures: the targets, their values now and at their deadline (grouped by deadline),
the plan tree and unit links for the roll-ups, and the writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record_event
from plans.models import Plan, PlanItem
from zjai.dates import today

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


def _progress_row(target: Target, result: method.Result, as_of: dt.date, now) -> Progress:
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


def recompute(
    as_of: dt.date | None = None, target_ids: Iterable[int] | None = None
) -> RecomputeResult:
    """Write one Progress row per target for `as_of` (default today) and the roll-ups of every
    plan touched. Rows of the same target and date are replaced, so running it twice gives the
    same rows; the dirty flags it has seen are cleared.

    Each run leaves one audit event per plan (action `recompute`): the status counts of that
    date before and after. The rows themselves are computed bookkeeping, not audited one by
    one: anyone can recompute them from the audited inputs (docs/audit.md)."""
    as_of = as_of or today()
    started = timezone.now()
    targets_qs = Target.objects.select_related("plan").order_by("pk")
    if target_ids is not None:
        targets_qs = targets_qs.filter(pk__in=list(target_ids))
    targets = list(targets_qs)
    results = assess_targets(targets, as_of)
    rows = [_progress_row(t, results[t.pk], as_of, started) for t in targets]
    plan_ids = sorted({t.plan_id for t in targets})
    with transaction.atomic():
        # One recompute of a plan's roll-ups at a time: they are replaced as a whole.
        list(Plan.objects.select_for_update().filter(pk__in=plan_ids).values_list("pk"))
        previous = Counter(
            Progress.objects.filter(target__in=[t.pk for t in targets], as_of=as_of).values_list(
                "target__plan_id", "status"
            )
        )
        Progress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["target", "as_of"],
            update_fields=PROGRESS_FIELDS,
            batch_size=1000,
        )
        for plan_id in plan_ids:
            roll_up_plan(plan_id, as_of, started)
        Target.objects.filter(pk__in=[t.pk for t in targets], dirty_since__lte=started).update(
            dirty_since=None
        )
        _record_runs(targets, rows, as_of, previous, whole=target_ids is None)
    result = RecomputeResult(as_of=as_of, targets=len(rows))
    result.by_status.update(row.status for row in rows)
    return result


def _record_runs(targets, rows, as_of, previous: Counter, *, whole: bool) -> None:
    """One `recompute` event per plan: which date, how many targets, status counts before and
    after. The actor is the job or command (audit.context.acting_as) that ran it."""
    plans = {t.plan_id: t.plan for t in targets}
    status_of = {row.target_id: row.status for row in rows}
    for plan_id, plan in sorted(plans.items()):
        ids = [t.pk for t in targets if t.plan_id == plan_id]
        before = {s: n for (p, s), n in sorted(previous.items()) if p == plan_id}
        after = dict(sorted(Counter(status_of[i] for i in ids).items()))
        record_event(
            action="recompute",
            obj=plan,
            before={"as_of": as_of, "targets": sum(before.values()), "counts": before},
            after={
                "as_of": as_of,
                "targets": len(ids),
                "counts": after,
                "scope": "all" if whole else sorted(ids),
            },
            diff=False,
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
        node = target.item_id
        while node is not None:
            under[node].append(target.pk)
            node = parent_of.get(node)
    by_unit: dict[int, list[int]] = defaultdict(list)
    for target_id, unit_id in TargetUnit.objects.filter(target__plan_id=plan_id).values_list(
        "target_id", "unit_id"
    ):
        by_unit[unit_id].append(target_id)
    return under, by_unit


def roll_up_plan(plan_id: int, as_of: dt.date, now) -> None:
    """Replace the roll-ups of one plan as of a date, from its targets' Progress rows of that
    date (computing any target that has none yet)."""
    targets = list(Target.objects.filter(plan_id=plan_id).select_related("plan"))
    rows = {p.target_id: p for p in Progress.objects.filter(target__plan_id=plan_id, as_of=as_of)}
    missing = [t for t in targets if t.pk not in rows]
    if missing:
        fresh = assess_targets(missing, as_of)
        new_rows = [_progress_row(t, fresh[t.pk], as_of, now) for t in missing]
        Progress.objects.bulk_create(
            new_rows,
            update_conflicts=True,
            unique_fields=["target", "as_of"],
            update_fields=PROGRESS_FIELDS,
        )
        rows.update({row.target_id: row for row in new_rows})
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
    RollupProgress.objects.filter(plan_id=plan_id, as_of=as_of).delete()
    RollupProgress.objects.bulk_create(new, batch_size=1000)
