"""A target's progress told in a sentence, from its stored Progress row (nothing computed)."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zjai.templatetags.zjai import format_number

from .choices import COMPARATOR_SYMBOLS, ProgressStatus
from .progress import NEEDS_ACCELERATION_RATIO, ON_TRACK_RATIO


def unit_of(target) -> str:
    if (get_language() or "").startswith("en") and target.unit_of_measure_en:
        return target.unit_of_measure_en
    return target.unit_of_measure


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
    if progress.stale:
        text += " " + (
            _("The newest figure is more than %(days)s days old: a new one is due.") % words
        )
    return text
