import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from targets.tasks import recompute_all
from zjai.dates import today


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {value!r}") from None


def quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every quarter's last day from `start` up to `end`, then `end` itself."""
    days, year, quarter = [], start.year, (start.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        if last >= end:
            break
        if last >= start:
            days.append(last)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return [*days, end]


class Command(BaseCommand):
    help = "Recompute every target's progress as of a date (default today) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="compute in this process instead of queueing a Celery task",
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="also compute every quarter end since the plans' start (trend lines, history)",
        )

    def handle(self, *args, as_of=None, sync=False, history=False, **options):
        day = _date(as_of) if as_of else today()
        days = [day]
        if history:
            start = Plan.objects.order_by("period_start").values_list("period_start", flat=True)
            days = quarter_ends(start.first(), day) if start.exists() else days
        for each in days:
            self._recompute(each, sync)

    def _recompute(self, day: dt.date, sync: bool) -> None:
        argument = day.isoformat()
        if not sync:
            result = recompute_all.delay(argument)
            if not getattr(result, "successful", lambda: False)() or result.result is None:
                self.stdout.write(f"Queued recompute as of {argument}: task {result.id}")
                return
            summary = result.result
        else:
            summary = recompute_all.apply(args=[argument]).get()
        counts = ", ".join(
            f"{name} {n}" for name, n in sorted(summary.items()) if name not in ("as_of", "targets")
        )
        self.stdout.write(
            f"Recomputed {summary['targets']} targets as of {summary['as_of']}: {counts}."
        )
