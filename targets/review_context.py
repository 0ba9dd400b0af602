"""What a reviewer needs beside a submitted figure to judge it (docs/progress.md, "Reviewing a
figure in context"): the previous approved value and its date, the change and the change in
percent, the required path on the figure's date, and warnings when the change is implausible.

The required path is the progress method's own (targets.progress.expected_value for the
target's spec, as the charts draw it); nothing here re-derives it. Reads only: the figures are
those approved now, so the page says what the figure changes if it is approved today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.utils import formats
from django.utils.translation import gettext as _

from zjai.templatetags.zjai import format_number

from . import progress as method
from .baselines import effective_baseline
from .choices import Comparator, MeasurementState
from .models import Measurement, Target
from .recompute import spec_for

# The units of measure of targets that count things ("more than 500 enterprises", "150,000
# robots in service"): such a count, once reached, does not fall back. Rates, densities and
# amounts of money (台/万人, 亿元, %) may.
COUNT_UNITS = frozenset(
    {"家", "台", "个", "项", "台(套)", "台（套）", "条", "名", "人", "件", "座", "所", "套"}
)
# The target's history a change is compared with: its most recent approved figures.
HISTORY_FIGURES = 24
# A change is far outside the history when it is more than this many times the largest change
# between consecutive approved figures…
HISTORY_FACTOR = 3
# …or, while there are fewer than MIN_HISTORY approved figures to judge that by, when it is
# more than this percent of the previous value.
MIN_HISTORY = 3
JUMP_PERCENT = 100


@dataclass(frozen=True)
class Previous:
    """The approved figure that the submitted one follows."""

    value: Decimal
    observed_on: dt.date
    figure_id: int


@dataclass
class ReviewContext:
    previous: Previous | None = None
    change: Decimal | None = None
    change_percent: float | None = None
    # The required path's value on the figure's date, and the figure's distance from it.
    required: float | None = None
    from_required: float | None = None
    # The largest change between consecutive approved figures (the history's yardstick), and
    # how many approved figures it was read from.
    largest_change: Decimal | None = None
    history_size: int = 0
    warnings: list[str] = field(default_factory=list)


def counts_up(target: Target) -> bool:
    """A cumulative count: the target counts things and grows towards an "at least" or "more
    than" value, so its figures never go down."""
    return (
        target.unit_of_measure.strip() in COUNT_UNITS
        and target.comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN)
        and target.window_start is None
        and (target.baseline_value is None or target.baseline_value <= target.target_value)
    )


def approved_history(figure: Measurement, limit: int = HISTORY_FIGURES) -> list[tuple]:
    """The target's approved figures dated strictly before the figure's date, newest first, at
    most `limit` ((date, value, id) each; one approved figure per date). An index range scan
    on (target, state, date): a target with 240,000 figures reads `limit` rows."""
    return list(
        Measurement.objects.filter(
            target_id=figure.target_id,
            state=MeasurementState.APPROVED,
            observed_on__lt=figure.observed_on,
        )
        .exclude(pk=figure.pk)
        .order_by("-observed_on", "-reviewed_at", "-pk")
        .values_list("observed_on", "value", "pk")[:limit]
    )


def review_context(figure: Measurement) -> ReviewContext:
    target = figure.target
    context = ReviewContext()
    # The required path as the progress is computed: from the target's baseline (targets.baselines).
    baseline = effective_baseline(target, figure.observed_on)
    context.required = method.expected_value(spec_for(target, baseline), figure.observed_on)
    context.from_required = float(figure.value) - context.required
    history = approved_history(figure)
    context.history_size = len(history)
    if not history:
        return context
    day, value, pk = history[0]
    context.previous = Previous(value=value, observed_on=day, figure_id=pk)
    context.change = figure.value - value
    if value != 0:
        context.change_percent = float(context.change / abs(value) * 100)
    steps = [abs(newer[1] - older[1]) for newer, older in pairwise(history)]
    context.largest_change = max(steps) if steps else None
    context.warnings = warnings_for(target, figure.value, context)
    return context


def warnings_for(target: Target, value: Decimal, context: ReviewContext) -> list[str]:
    """The implausible changes (docs/progress.md): a cumulative count going down; a change
    more than HISTORY_FACTOR times the largest between consecutive approved figures, or, with
    fewer than MIN_HISTORY approved figures, more than JUMP_PERCENT percent."""
    previous, change = context.previous, context.change
    if previous is None or change is None:
        return []
    found = []
    if counts_up(target) and value < previous.value:
        found.append(
            _(
                "This target counts things and its figures do not go down, yet this figure is "
                "lower than the previous approved value (%(previous)s on %(date)s)."
            )
            % {
                "previous": format_number(previous.value),
                "date": formats.date_format(previous.observed_on),
            }
        )
    if context.history_size >= MIN_HISTORY and context.largest_change is not None:
        if abs(change) > HISTORY_FACTOR * context.largest_change:
            found.append(
                _(
                    "The change (%(change)s) is more than %(factor)d times the largest change "
                    "between consecutive approved figures (%(largest)s)."
                )
                % {
                    "change": format_number(change),
                    "factor": HISTORY_FACTOR,
                    "largest": format_number(context.largest_change),
                }
            )
    elif context.change_percent is not None and abs(context.change_percent) > JUMP_PERCENT:
        found.append(
            _(
                "The change is %(percent)s%% of the previous approved value: more than "
                "%(limit)d%%, with too few approved figures to compare it with."
            )
            % {"percent": format_number(round(context.change_percent)), "limit": JUMP_PERCENT}
        )
    return found
