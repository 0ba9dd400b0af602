"""The progress method of DESIGN.md §3, as pure functions: no database access in here.

Based on Open SDG's progress measure (sdg-build's ProgressMeasure, Statistics Canada's method),
adapted for targets that start from zero. Time is measured in years of 365.25 days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

DAYS_PER_YEAR = 365.25
ON_TRACK_RATIO = 0.95
NEEDS_ACCELERATION_RATIO = 0.60


class Status:
    ACHIEVED = "achieved"
    MISSED = "missed"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    OFF_TRACK = "off_track"
    DETERIORATING = "deteriorating"
    NO_DATA = "no_data"

    ALL = (ACHIEVED, MISSED, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, DETERIORATING, NO_DATA)


@dataclass(frozen=True)
class TargetSpec:
    """What the method needs to know about a target."""

    target_value: float
    deadline: dt.date
    start: dt.date  # t₀: the baseline date, else the plan's start
    baseline: float = 0.0
    comparator: str = "gte"  # gte (at least), lte (at most), gt, lt (strictly), eq
    growth_model: str = "linear"  # linear or compound
    reported: bool = True  # False for register counts/sums, which are never stale
    reporting_interval_days: int = 90


@dataclass(frozen=True)
class Observation:
    value: float
    on: dt.date


@dataclass(frozen=True)
class Result:
    status: str
    current_value: float | None = None
    current_date: dt.date | None = None
    percent: float | None = None  # the true figure, may be < 0 or > 100
    percent_capped: float | None = None  # 0–100, for roll-ups
    expected_value: float | None = None
    pace_ratio: float | None = None
    forecast: float | None = None
    score: float | None = None
    stale: bool = False
    reached_late_on: dt.date | None = None
    # Set by targets.recompute, which knows about closing (docs/progress.md, "Closing and
    # frozen verdicts"): a miss not yet closed is provisional; a closed target's result is its
    # verdict, and the revised_* fields say what the value at the deadline computed now gives
    # when that differs.
    provisional: bool = False
    closed_on: dt.date | None = None
    revised_status: str | None = None
    revised_value: float | None = None
    revised_date: dt.date | None = None


def years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_YEAR


def satisfies(value: float, target: float, comparator: str) -> bool:
    """以上 / 不少于 / 达到 N include N (gte, likewise lte); 超过 / 突破 / 超 N do not (gt, lt)."""
    if comparator == "gte":
        return value >= target
    if comparator == "lte":
        return value <= target
    if comparator == "gt":
        return value > target
    if comparator == "lt":
        return value < target
    return math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-9)


def direction(comparator: str) -> int:
    """+1 where a larger value is better (at least, more than), −1 where a smaller one is (at
    most, less than); 0 for exactly, where only the distance to the target counts."""
    if comparator in ("gte", "gt"):
        return 1
    if comparator in ("lte", "lt"):
        return -1
    return 0


def cagr(start_value: float, end_value: float, span_years: float) -> float | None:
    """Compound annual growth rate; None where it is undefined (non-positive values, no time)."""
    if start_value <= 0 or end_value <= 0 or span_years <= 0:
        return None
    return (end_value / start_value) ** (1 / span_years) - 1


def is_compound(spec: TargetSpec) -> bool:
    """Compound growth where it is defined. The loader refuses a compound target whose baseline
    or target is not above zero; a row written otherwise is measured linearly, not left
    without a status."""
    return spec.growth_model == "compound" and spec.baseline > 0 and spec.target_value > 0


def progress_made(spec: TargetSpec, value: float) -> tuple[float, float]:
    """(progress made, progress required) from the baseline, both measured towards the target.

    At least / more than: the rise; at most / less than: the fall; exactly: how much closer to
    the target the value is than the baseline was, so overshooting counts against it. Compound
    growth measures the same in logarithms. Progress made is negative when the value moved away
    from the target; progress required is zero or negative when the baseline already met it.
    """
    compound = is_compound(spec)

    def position(x: float) -> float:
        return math.log(x) if compound else x

    if compound and value <= 0:
        return -math.inf, 1.0
    base, goal, now = position(spec.baseline), position(spec.target_value), position(value)
    sign = direction(spec.comparator)
    if sign == 0:
        required = abs(goal - base)
        return required - abs(goal - now), required
    return (now - base) * sign, (goal - base) * sign


def percent_complete(spec: TargetSpec, value: float) -> float:
    """How far from the baseline to the target the value is, in percent (not capped); for
    exactly, how much of the baseline's distance to the target is closed (overshoot counts
    against it). Where the baseline already met the target: 100 % while the value still meets
    it, else 0 %."""
    sign = direction(spec.comparator)
    base, goal = spec.baseline, spec.target_value
    if sign == 0:
        required = abs(goal - base)
        made = required - abs(goal - value)
    else:
        required = (goal - base) * sign
        made = (value - base) * sign
    if required <= 0:
        return 100.0 if satisfies(value, goal, spec.comparator) else 0.0
    return made / required * 100.0


def expected_value(spec: TargetSpec, on: dt.date) -> float:
    """The value on the required path at a date (clamped to the plan's span)."""
    total = years(spec.start, spec.deadline)
    elapsed = min(max(years(spec.start, on), 0.0), total)
    share = elapsed / total if total > 0 else 1.0
    if is_compound(spec):
        return spec.baseline * (spec.target_value / spec.baseline) ** share
    return spec.baseline + (spec.target_value - spec.baseline) * share


def pace_ratio(spec: TargetSpec, current: Observation) -> float | None:
    """Actual pace over required pace, both towards the target; None where it cannot be
    computed (no time elapsed).

    A value that moved away from the target gives a negative ratio (deteriorating), also where
    the baseline already met the target and nothing more was required of it.
    """
    elapsed = years(spec.start, current.on)
    total = years(spec.start, spec.deadline)
    if elapsed <= 0 or total <= 0:
        return None
    made, required = progress_made(spec, current.value)
    if required <= 0 or made == -math.inf:
        # Nothing was required, yet the target is not met (assess checked): the value moved the
        # wrong way, unless it has not moved at all (a "more than 10" from exactly 10).
        return 0.0 if made == 0 else -1.0
    if is_compound(spec) and direction(spec.comparator) != 0:
        # The ratio of the annual growth rates (CAGR), as sdg-build computes it.
        actual = cagr(spec.baseline, current.value, elapsed)
        wanted = cagr(spec.baseline, spec.target_value, total)
        if actual is None or not wanted:
            return -1.0
        return actual / wanted
    return (made / elapsed) / (required / total)


def forecast_at_deadline(spec: TargetSpec, current: Observation) -> float | None:
    """The current pace carried to the deadline."""
    elapsed = years(spec.start, current.on)
    remaining = years(current.on, spec.deadline)
    if elapsed <= 0:
        return None
    if is_compound(spec):
        rate = cagr(spec.baseline, current.value, elapsed)
        return None if rate is None else current.value * (1 + rate) ** remaining
    pace = (current.value - spec.baseline) / elapsed
    return current.value + pace * remaining


def classify(ratio: float) -> str:
    if ratio >= ON_TRACK_RATIO:
        return Status.ON_TRACK
    if ratio >= NEEDS_ACCELERATION_RATIO:
        return Status.NEEDS_ACCELERATION
    if ratio >= 0:
        return Status.OFF_TRACK
    return Status.DETERIORATING


def score(ratio: float | None, status: str) -> float | None:
    """sdg-build's score for a pace ratio: 5 when achieved, −5 when missed, −5…5 otherwise."""
    if status == Status.ACHIEVED:
        return 5.0
    if status == Status.MISSED:
        return -5.0
    if ratio is None:
        return None
    if ratio >= 0.6:
        return min(7.1429 * ratio - 4.2857, 5.0)
    return max(4.1667 * ratio - 2.5, -5.0)


def score_band(value: float | None) -> str:
    """The status band of a roll-up score."""
    if value is None:
        return Status.NO_DATA
    if value >= 2.5:
        return Status.ON_TRACK
    if value >= 0:
        return Status.NEEDS_ACCELERATION
    if value >= -2.5:
        return Status.OFF_TRACK
    return Status.DETERIORATING


def is_stale(spec: TargetSpec, current: Observation | None, as_of: dt.date) -> bool:
    if not spec.reported:
        return False
    last = current.on if current else spec.start
    return (as_of - last).days > spec.reporting_interval_days


def assess(
    spec: TargetSpec,
    as_of: dt.date,
    current: Observation | None,
    at_deadline: Observation | None = None,
) -> Result:
    """Progress of one target as of a date.

    `current` is the newest value usable as of `as_of` (dated and approved by then);
    `at_deadline` the newest one dated on or before the deadline (and approved by `as_of`):
    once the deadline has passed it alone decides between achieved and missed.
    """
    if current is not None and current.on > as_of:
        raise ValueError("the current value describes a date after the as-of date")

    if as_of > spec.deadline:
        final = at_deadline
        if final is not None and satisfies(final.value, spec.target_value, spec.comparator):
            return _result(spec, Status.ACHIEVED, final, ratio=None, as_of=spec.deadline)
        late = (
            current.on
            if current is not None
            and current.on > spec.deadline
            and satisfies(current.value, spec.target_value, spec.comparator)
            else None
        )
        shown = current or final
        return _result(
            spec, Status.MISSED, shown, ratio=None, as_of=spec.deadline, reached_late_on=late
        )

    if current is None:
        return Result(
            status=Status.NO_DATA,
            expected_value=expected_value(spec, as_of),
            stale=is_stale(spec, None, as_of),
        )
    if satisfies(current.value, spec.target_value, spec.comparator):
        return _result(spec, Status.ACHIEVED, current, ratio=None, as_of=as_of)
    ratio = pace_ratio(spec, current)
    if ratio is None:
        return _result(
            spec,
            Status.NO_DATA,
            current,
            ratio=None,
            as_of=as_of,
            stale=is_stale(spec, current, as_of),
        )
    return _result(
        spec,
        classify(ratio),
        current,
        ratio=ratio,
        as_of=as_of,
        stale=is_stale(spec, current, as_of),
    )


def _result(spec, status, current, *, ratio, as_of, stale=False, reached_late_on=None) -> Result:
    if current is None:
        return Result(
            status=status,
            expected_value=expected_value(spec, as_of),
            score=score(ratio, status),
            stale=stale,
        )
    percent = percent_complete(spec, current.value)
    finished = status in (Status.ACHIEVED, Status.MISSED)
    return Result(
        status=status,
        current_value=current.value,
        current_date=current.on,
        percent=percent,
        percent_capped=min(max(percent, 0.0), 100.0),
        expected_value=expected_value(spec, as_of),
        pace_ratio=ratio,
        forecast=current.value if finished else forecast_at_deadline(spec, current),
        score=score(ratio, status),
        stale=stale,
        reached_late_on=reached_late_on,
    )


@dataclass
class Rollup:
    """Progress of a group of targets: an item, a unit or the plan."""

    targets: int = 0
    percent: float | None = None
    score: float | None = None
    band: str = Status.NO_DATA
    counts: dict[str, int] = field(default_factory=dict)


def roll_up(results: Iterable[tuple[Result, float]]) -> Rollup:
    """Mean percent complete (capped 0–100, weights normalised), status counts, score band.

    Targets without data count in the status counts but not in the means.
    """
    results = list(results)
    counts = Counter(result.status for result, _ in results)
    with_percent = [(r.percent_capped, w) for r, w in results if r.percent_capped is not None]
    with_score = [(r.score, w) for r, w in results if r.score is not None]
    percent = _weighted_mean(with_percent)
    mean_score = _weighted_mean(with_score)
    return Rollup(
        targets=len(results),
        percent=percent,
        score=mean_score,
        band=score_band(mean_score),
        counts={status: counts.get(status, 0) for status in Status.ALL},
    )


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for _, weight in pairs)
    if not pairs or total <= 0:
        return None
    return sum(value * weight for value, weight in pairs) / total
