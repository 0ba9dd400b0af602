import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from targets.tasks import recompute_all


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Recompute every target's progress as of a date (default today) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="compute in this process instead of queueing a Celery task",
        )

    def handle(self, *args, as_of=None, sync=False, **options):
        day = _date(as_of) if as_of else None
        argument = day.isoformat() if day else None
        if not sync:
            result = recompute_all.delay(argument)
            if not getattr(result, "successful", lambda: False)() or result.result is None:
                self.stdout.write(f"Queued recompute as of {argument or 'today'}: task {result.id}")
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
