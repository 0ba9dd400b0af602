"""A target's progress told in a sentence, from its stored Progress row (nothing computed)."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zjai.templatetags.zjai import format_number

from .choices import COMPARATOR_SYMBOLS, ProgressStatus
from .progress import NEEDS_ACCELERATION_RATIO, ON_TRACK_RATIO
from .recompute import closing_date


def unit_name(target) -> str:
    """The target's unit of measure in the reader's language (亿元 / 100 million yuan)."""
    if (get_language() or "").startswith("en") and target.unit_of_measure_en:
        return target.unit_of_measure_en
    return target.unit_of_measure


def unit_of(target) -> str:
    """The unit as written after a value. An English unit that starts with a number (a
    multiplier: "100 million yuan") is bracketed, as a statistical table's heading brackets it,
    so that two numbers never run together: "815.15 (100 million yuan)", never "815.15 100
    million yuan". Chinese writes the unit straight after the number (815.15 亿元)."""
    name = unit_name(target)
    if name[:1].isdigit() and (get_language() or "").startswith("en"):
        return f"({name})"
    return name


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else "—"


def explain(target, progress) -> str:
    if progress is None:
        return _("Progress has not been computed for this target yet.")
    words = {
        "status": progress.get_status_display(),
        "unit": unit_of(target),
        "value": format_number(progress.current_value),
        "date": _date(progress.current_date),
        "as_of": _date(progress.as_of),
        "target": format_number(target.target_value),
        "cmp": COMPARATOR_SYMBOLS.get(target.comparator, ""),
        "deadline": _date(target.deadline),
        "expected": format_number(progress.expected_value),
        "percent": f"{format_number(progress.percent, 1)}%",
        "ratio": format_number(progress.pace_ratio, 2),
        "forecast": format_number(progress.forecast),
        "on_track": format_number(ON_TRACK_RATIO, 2),
        "needs": format_number(NEEDS_ACCELERATION_RATIO, 2),
        "late": _date(progress.reached_late_on),
        "days": settings.ZJAI_REPORTING_INTERVAL_DAYS,
    }
    status = progress.status
    if status == ProgressStatus.ACHIEVED:
        text = _(
            "Achieved: %(value)s %(unit)s on %(date)s meets the target of %(cmp)s %(target)s "
            "%(unit)s."
        )
    elif status == ProgressStatus.MISSED:
        if progress.current_value is None:
            text = _(
                "Missed: no approved figure describes a date by the deadline of %(deadline)s, "
                "and the target was %(cmp)s %(target)s %(unit)s."
            )
        else:
            text = _(
                "Missed: the value that counts at the deadline of %(deadline)s is %(value)s "
                "%(unit)s (%(date)s), short of the target of %(cmp)s %(target)s %(unit)s."
            )
        if progress.reached_late_on:
            text += " " + _(
                "The target was reached late, on %(late)s; that does not undo the miss."
            )
    elif status == ProgressStatus.NO_DATA:
        if progress.current_value is None:
            text = _(
                "No data: there is no approved figure yet, so the pace cannot be judged. As of "
                "%(as_of)s the required path stands at %(expected)s %(unit)s."
            )
        else:
            text = _(
                "No data: the only value (%(value)s %(unit)s) describes the start of the period, "
                "so no pace can be computed yet."
            )
    else:
        text = _(
            "%(status)s: %(value)s %(unit)s on %(date)s is %(percent)s of the way from the "
            "baseline to the target of %(cmp)s %(target)s %(unit)s by %(deadline)s. The value "
            "is moving at %(ratio)s times the required pace (on track from %(on_track)s, needs "
            "acceleration from %(needs)s); at this pace it would reach %(forecast)s %(unit)s "
            "by the deadline. As of %(as_of)s the required path stands at %(expected)s "
            "%(unit)s."
        )
    text = text % words
    text += closing_words(target, progress, words)
    if progress.stale:
        text += " " + (
            _("The newest figure is more than %(days)s days old: a new one is due.") % words
        )
    return text


def closing_words(target, progress, words: dict) -> str:
    """What closing adds (docs/progress.md, "Closing and frozen verdicts"): a miss not closed
    yet is provisional; a closed target's verdict is final, and a revision after it is told."""
    if progress.provisional:
        return " " + _(
            "The miss is provisional until the target closes at the end of %(closing)s: a "
            "figure dated on or before the deadline and approved by then still counts."
        ) % {"closing": _date(closing_date(target))}
    if not progress.closed_on:
        return ""
    text = " " + _("The target closed on %(closed)s: this verdict is final.") % {
        "closed": _date(progress.closed_on)
    }
    if progress.revised_status:
        revised = {
            **words,
            "revised": format_number(progress.revised_value),
            "revised_status": ProgressStatus(progress.revised_status).label,
        }
        if progress.revised_value is None:
            text += " " + (
                _(
                    "Revised after closing: no value at the deadline counts now "
                    "(%(revised_status)s); the verdict stands unless an administrator reopens "
                    "the target."
                )
                % revised
            )
        else:
            text += " " + (
                _(
                    "Revised after closing: the value at the deadline is now %(revised)s "
                    "%(unit)s (%(revised_status)s); the verdict stands unless an administrator "
                    "reopens the target."
                )
                % revised
            )
    return text
