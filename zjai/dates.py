"""Date helpers for computations "as of" a calendar day in the plan's time zone."""

import datetime as dt

from django.utils import timezone


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in the project's time zone (Asia/Shanghai), timezone-aware."""
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time.max).replace(tzinfo=tz)


def today() -> dt.date:
    return timezone.localdate()
