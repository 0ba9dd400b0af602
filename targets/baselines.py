"""A target's baseline: the value and date its required path starts from (docs/progress.md,
"The baseline"). The one owner of the rule, for the recompute, the closing, the charts, the
target page and the reports.

Taken in this order:
1. the plan's: the baseline the plan file states (or, for `baseline_from: predecessor`, the
   predecessor's verdict copied into it);
2. the administrator's: `admin_baseline_value` at `admin_baseline_date`, set in the admin
   through services.update_target (audited with a reason);
3. for a reported target, its figures as counted as of the date (targets.values): the newest
   describing the plan's start or a day before it, else the earliest;
4. zero at the plan's start (a count of register entries starts from nothing: the plan's
   counts are of what is recognised or accepted under it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .choices import BaselineSource
from .models import Target
from .values import figure_baselines


@dataclass(frozen=True)
class Baseline:
    value: Decimal
    on: dt.date
    source: str  # a BaselineSource

    @property
    def source_label(self) -> str:
        return str(BaselineSource(self.source).label)


def zero_at_start(target: Target) -> Baseline:
    return Baseline(
        Decimal(0), target.baseline_date or target.plan.period_start, BaselineSource.ZERO
    )


def stated_baseline(target: Target) -> Baseline | None:
    """The plan's baseline, else the administrator's; None when neither is set."""
    if target.baseline_value is not None:
        source = (
            BaselineSource.PREDECESSOR if target.baseline_from_predecessor else BaselineSource.PLAN
        )
        return Baseline(
            target.baseline_value, target.baseline_date or target.plan.period_start, source
        )
    if target.admin_baseline_value is not None and target.admin_baseline_date is not None:
        return Baseline(
            target.admin_baseline_value, target.admin_baseline_date, BaselineSource.ADMINISTRATOR
        )
    return None


def effective_baselines(
    targets: list[Target], as_of: dt.date, known_at: dt.datetime | None = None
) -> dict[int, Baseline]:
    """Each target's baseline as of a date as known at an instant: no query when every target
    states one or is counted, else one (targets.values.figure_baselines)."""
    found: dict[int, Baseline] = {}
    from_figures: list[Target] = []
    for target in targets:
        stated = stated_baseline(target)
        if stated is not None:
            found[target.pk] = stated
        elif target.is_reported:
            from_figures.append(target)
        else:
            found[target.pk] = zero_at_start(target)
    figures = figure_baselines(from_figures, as_of, known_at)
    for target in from_figures:
        at_start, earliest = figures.get(target.pk, (None, None))
        if at_start is not None and at_start.value is not None and at_start.on is not None:
            found[target.pk] = Baseline(at_start.value, at_start.on, BaselineSource.FIRST_FIGURE)
        elif earliest is not None and earliest.value is not None and earliest.on is not None:
            found[target.pk] = Baseline(earliest.value, earliest.on, BaselineSource.EARLIEST_FIGURE)
        else:
            found[target.pk] = zero_at_start(target)
    return found


def effective_baseline(
    target: Target, as_of: dt.date, known_at: dt.datetime | None = None
) -> Baseline:
    return effective_baselines([target], as_of, known_at)[target.pk]
