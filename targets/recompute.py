"""Recomputing progress, the computation: gather the inputs set-wise and apply targets.progress.

The writes (the Progress and roll-up rows, the dirty marks, the run's audit event) are
targets.services.recompute_progress. A full recompute issues a fixed number of queries whatever
the size of the registers and the number of figures: the targets, their values now and at their
deadline (grouped by deadline), the plan tree and unit links for the roll-ups, and the writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings

from plans.models import PlanItem
from zjai.dates import end_of_day

from . import progress as method
from .baselines import Baseline, effective_baselines
from .choices import SourceKind
from .models import Progress, RollupProgress, Target, TargetUnit, TargetVerdict
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
    "provisional",
    "closed_on",
    "revised_status",
    "revised_value",
    "revised_date",
    "computed_at",
]


@dataclass
class RecomputeResult:
    as_of: dt.date
    targets: int = 0
    by_status: Counter = field(default_factory=Counter)


def spec_for(target: Target, baseline: Baseline) -> method.TargetSpec:
    """The method's view of a target, from its effective baseline (targets.baselines)."""
    return method.TargetSpec(
        target_value=float(target.target_value),
        deadline=target.deadline,
        start=baseline.on,
        baseline=float(baseline.value),
        comparator=target.comparator,
        growth_model=target.growth_model,
        reported=target.source_kind == SourceKind.REPORTED,
        reporting_interval_days=settings.ZJAI_REPORTING_INTERVAL_DAYS,
    )


def _observation(value: CurrentValue | None) -> method.Observation | None:
    if value is None or value.value is None or value.on is None:
        return None
    return method.Observation(float(value.value), value.on)


def specs_for(
    targets: list[Target], as_of: dt.date, known_at: dt.datetime | None = None
) -> dict[int, method.TargetSpec]:
    """Each target's spec with its baseline as of `as_of` as known at `known_at`."""
    baselines = effective_baselines(targets, as_of, known_at)
    return {t.pk: spec_for(t, baselines[t.pk]) for t in targets}


def _assess_live(
    targets: list[Target], as_of: dt.date, known_at: dt.datetime | None
) -> tuple[dict[int, method.Result], dict[int, CurrentValue], dict[int, method.TargetSpec]]:
    """The method applied to the values as of `as_of` as known at `known_at`, ignoring any
    verdict; with each target's value at its deadline (for the targets past it) and the specs
    (baselines) it used."""
    now = current_values(targets, as_of, known_at=known_at)
    specs = specs_for(targets, as_of, known_at)
    at_deadline: dict[int, CurrentValue] = {}
    by_deadline: dict[dt.date, list[Target]] = defaultdict(list)
    for target in targets:
        if as_of > target.deadline:
            by_deadline[target.deadline].append(target)
    for deadline, group in by_deadline.items():
        at_deadline.update(current_values(group, as_of, observed_by=deadline, known_at=known_at))
    results = {
        t.pk: method.assess(
            specs[t.pk], as_of, _observation(now.get(t.pk)), _observation(at_deadline.get(t.pk))
        )
        for t in targets
    }
    return results, at_deadline, specs


def assess_targets(
    targets: list[Target], as_of: dt.date, known_at: dt.datetime | None = None
) -> dict[int, method.Result]:
    """The method's result for each target as of a date, as known at `known_at`
    (targets.values.current_values), honouring closing (docs/progress.md, "Closing and frozen
    verdicts"): a closed target, as of its closing date or later and as known once its verdict
    was written, has its verdict as its result, with what the value at the deadline computed
    now gives when that differs (revised after closing); a miss not (yet) closed is
    provisional."""
    live, at_deadline, _specs = _assess_live(targets, as_of, known_at)
    verdicts = {
        v.target_id: v for v in TargetVerdict.objects.filter(target__in=[t.pk for t in targets])
    }
    results: dict[int, method.Result] = {}
    for target in targets:
        result = live[target.pk]
        verdict = verdicts.get(target.pk)
        if (
            verdict is not None
            and as_of >= verdict.closed_on
            and as_of > target.deadline  # a closing period of 0 days: from the next day
            and (known_at is None or known_at >= verdict.known_at)
        ):
            results[target.pk] = frozen_result(verdict, result, at_deadline.get(target.pk))
        elif result.status == method.Status.MISSED and as_of > target.deadline:
            results[target.pk] = replace(result, provisional=True)
        else:
            results[target.pk] = result
    return results


def frozen_result(
    verdict: TargetVerdict, live: method.Result, live_at_deadline: CurrentValue | None
) -> method.Result:
    """A closed target's result: its verdict, and (revised_*) the status and value at the
    deadline computed now where they differ from it."""
    value = float(verdict.value) if verdict.value is not None else None
    percent = verdict.percent
    now_value = live_at_deadline.value if live_at_deadline is not None else None
    now_date = live_at_deadline.on if live_at_deadline is not None else None
    if now_value is not None:
        now_value = now_value.quantize(VALUE_PLACES)
    same = (
        live.status == verdict.status
        and now_value == verdict.value
        and (now_date == verdict.value_date or now_value is None)
    )
    return method.Result(
        status=verdict.status,
        current_value=value,
        current_date=verdict.value_date,
        percent=percent,
        percent_capped=min(max(percent, 0.0), 100.0) if percent is not None else None,
        expected_value=live.expected_value,
        forecast=value,
        score=verdict.score,
        reached_late_on=live.reached_late_on if verdict.status == method.Status.MISSED else None,
        closed_on=verdict.closed_on,
        revised_status=None if same else live.status,
        revised_value=None if same or now_value is None else float(now_value),
        revised_date=None if same else now_date,
    )


# --- closing -----------------------------------------------------------------------------------

# The places a verdict's value keeps (TargetVerdict.value): a live value is compared at those.
VALUE_PLACES = Decimal("0.0001")


def closing_date(target: Target) -> dt.date:
    """The day at whose end (Asia/Shanghai) a target closes: its deadline plus
    ZJAI_TARGET_CLOSING_DAYS, for the figures that arrive late."""
    return target.deadline + dt.timedelta(days=settings.ZJAI_TARGET_CLOSING_DAYS)


def closing_instant(target: Target) -> dt.datetime:
    return end_of_day(closing_date(target))


@dataclass(frozen=True)
class Judgement:
    """A verdict as it is to be written (targets.services.close_due_targets)."""

    closed_on: dt.date
    status: str
    value: Decimal | None
    value_date: dt.date | None
    percent: float | None
    score: float | None


def judge_at_closing(targets: list[Target], known_at: dt.datetime) -> dict[int, Judgement]:
    """Each target's verdict: the method as of its closing date, on the values as known at
    `known_at` (the moment the verdict is written; docs/progress.md says why not the closing
    instant). The value is the one at the deadline, whatever the status."""
    by_closing: dict[dt.date, list[Target]] = defaultdict(list)
    for target in targets:
        by_closing[closing_date(target)].append(target)
    judged: dict[int, Judgement] = {}
    for closed_on, group in by_closing.items():
        # Judged the day after the deadline at the earliest (a setting of 0 days closes at the
        # end of the deadline itself), when the method's status is final.
        judge_on = max(closed_on, max(t.deadline for t in group) + dt.timedelta(days=1))
        results, at_deadline, specs = _assess_live(group, judge_on, known_at)
        for target in group:
            result = results[target.pk]
            final = at_deadline.get(target.pk)
            value = final.value if final is not None and final.value is not None else None
            percent = (
                method.percent_complete(specs[target.pk], float(value))
                if value is not None
                else None
            )
            judged[target.pk] = Judgement(
                closed_on=closed_on,
                status=result.status,
                value=value.quantize(VALUE_PLACES) if value is not None else None,
                value_date=final.on if value is not None and final is not None else None,
                percent=percent,
                score=result.score,
            )
    return judged


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
        provisional=result.provisional,
        closed_on=result.closed_on,
        revised_status=result.revised_status or "",
        revised_value=result.revised_value,
        revised_date=result.revised_date,
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


# The statuses a running target can have and a band can name.
PACE_STATUSES = (
    method.Status.ACHIEVED,
    method.Status.ON_TRACK,
    method.Status.NEEDS_ACCELERATION,
    method.Status.OFF_TRACK,
    method.Status.DETERIORATING,
)
FINAL_STATUSES = (method.Status.ACHIEVED, method.Status.MISSED)


@dataclass
class Summary:
    """A roll-up that agrees with its targets after their deadlines (docs/progress.md, "Roll-ups
    after the deadlines").

    A target is final once the as-of date is past its deadline (its status is then achieved or
    missed for good). `score` and `band` are the pace of the running targets only; `band` is
    "" when every target is final, so a finished group names no pace status. `achieved`,
    `missed` and `final_score` (5 achieved, −5 missed, weighted mean) speak for the final ones.
    """

    targets: int = 0
    percent: float | None = None
    score: float | None = None
    band: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    achieved: int = 0
    missed: int = 0
    final_score: float | None = None

    @property
    def running(self) -> int:
        return self.targets - self.achieved - self.missed

    @property
    def final(self) -> bool:
        """Every target is final: the group shows its counts and final score, no pace."""
        return self.targets > 0 and self.running == 0


def running_band(results: list[tuple[method.Result, float]]) -> str:
    """The band of running targets: the method's band of their weighted mean score when one of
    them has that status; else the status, among theirs, whose targets' mean score is nearest
    the group's (ties to the worse). So a band never names a status no target has: one target
    on track and one deteriorating make "deteriorating", not "needs acceleration"."""
    if not results:
        return ""
    rollup = method.roll_up(results)
    scores: dict[str, list[float]] = defaultdict(list)
    for result, _weight in results:
        if result.status in PACE_STATUSES and result.score is not None:
            scores[result.status].append(result.score)
    if not scores or rollup.score is None:
        return method.Status.NO_DATA
    if rollup.band in scores:
        return rollup.band
    mean = rollup.score

    def distance(status: str) -> tuple[float, float]:
        typical = sum(scores[status]) / len(scores[status])
        return (round(abs(typical - mean), 9), typical)

    return min(scores, key=distance)


def summarise(members: list[tuple[method.Result, float, bool]]) -> Summary:
    """The roll-up of (result, weight, final) triples: an item's, a unit's or the plan's."""
    everything = method.roll_up((result, weight) for result, weight, _ in members)
    running = [(r, w) for r, w, final in members if not final]
    finished = [(r, w) for r, w, final in members if final and r.status in FINAL_STATUSES]
    pace = method.roll_up(running) if running else None
    finished_score = method.roll_up(finished).score if finished else None
    return Summary(
        targets=everything.targets,
        percent=everything.percent,
        score=pace.score if pace else None,
        band=running_band(running),
        counts=everything.counts,
        achieved=sum(1 for r, _ in finished if r.status == method.Status.ACHIEVED),
        missed=sum(1 for r, _ in finished if r.status == method.Status.MISSED),
        final_score=finished_score,
    )


def is_final(target: Target, as_of: dt.date) -> bool:
    return as_of > target.deadline


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
    weighted = {
        t.pk: (result_from_row(rows[t.pk]), float(t.weight), is_final(t, as_of)) for t in targets
    }
    under, by_unit = rollup_members(plan_id, targets)

    def rollup_row(ids: list[int], **subject) -> RollupProgress:
        summary = summarise([weighted[i] for i in ids])
        return RollupProgress(
            plan_id=plan_id,
            as_of=as_of,
            targets=summary.targets,
            percent=summary.percent,
            score=summary.score,
            band=summary.band,
            counts=summary.counts,
            achieved=summary.achieved,
            missed=summary.missed,
            final_score=summary.final_score,
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
