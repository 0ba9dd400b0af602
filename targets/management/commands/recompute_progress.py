"""recompute_progress: every target's progress as of a date, queued to the workers or here.

With a broker (production) the recomputes are queued and the command reports their task ids;
it waits for them only when asked (--wait), which needs a result backend: the documented setup
has none, and a worker's result could not be read back. Without a broker (development) or with
--sync the work is done in this process and summarised. A broker or a database that cannot be
reached is one line and a non-zero exit, never a traceback.
"""

import datetime as dt
from typing import Any

from celery.backends.base import DisabledBackend
from celery.exceptions import Retry
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from kombu.exceptions import OperationalError as BrokerError

from plans.models import Plan
from targets.tasks import recompute_all
from zjai.celery import app
from zjai.dates import today
from zjai.faults import DATABASE_UNAVAILABLE


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
    help = (
        "Recompute every target's progress as of a date (default today): queued to the "
        "workers when there is a broker (printing the task ids), else in this process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
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
        parser.add_argument(
            "--wait",
            action="store_true",
            help="wait for the queued recomputes and print their summaries "
            "(needs a result backend, CELERY_RESULT_BACKEND)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=600.0,
            help="with --wait: give up after this many seconds per recompute (default 600)",
        )

    def handle(
        self,
        *args: Any,
        as_of: str | None = None,
        sync: bool = False,
        history: bool = False,
        wait: bool = False,
        timeout: float = 600.0,
        **options: Any,
    ) -> None:
        day = _date(as_of) if as_of else today()
        in_process = sync or bool(app.conf.task_always_eager)
        if wait and not in_process and isinstance(app.backend, DisabledBackend):
            raise CommandError(
                "--wait needs a result backend (CELERY_RESULT_BACKEND) to read the results "
                "back; without one, follow the worker's log, or compute here with --sync."
            )
        try:
            days = self._days(day, history)
            if in_process:
                for each in days:
                    self._summarise(_computed_here(each))
            else:
                queued = self._queue(days)
                if wait:
                    self._wait(queued, timeout)
        except DATABASE_UNAVAILABLE as exc:
            raise CommandError(f"The database cannot be reached: {_first_line(exc)}") from exc

    def _days(self, day: dt.date, history: bool) -> list[dt.date]:
        if not history:
            return [day]
        start = Plan.objects.order_by("period_start").values_list("period_start", flat=True)
        first = start.first()
        return quarter_ends(first, day) if first is not None else [day]

    def _queue(self, days: list[dt.date]) -> list[tuple[dt.date, Any]]:
        """Queue one recompute per date; report each task id as it is queued."""
        queued: list[tuple[dt.date, Any]] = []
        for each in days:
            try:
                result = recompute_all.delay(each.isoformat())
            except BrokerError as exc:
                done = f" ({len(queued)} of {len(days)} dates queued before it)" if queued else ""
                raise CommandError(
                    f"Could not queue the recompute as of {each.isoformat()}{done}: the broker "
                    f"cannot be reached ({_first_line(exc)}). Run again once it is back, or "
                    "compute here with --sync."
                ) from exc
            self.stdout.write(f"Queued recompute as of {each.isoformat()}: task {result.id}")
            queued.append((each, result))
        if len(queued) > 1:
            self.stdout.write(f"Queued {len(queued)} recomputes.")
        return queued

    def _wait(self, queued: list[tuple[dt.date, Any]], timeout: float) -> None:
        for each, result in queued:
            try:
                summary = result.get(timeout=timeout)
            except CeleryTimeoutError:
                raise CommandError(
                    f"The recompute as of {each.isoformat()} (task {result.id}) did not finish "
                    f"within {timeout:g} s; it stays queued."
                ) from None
            except Exception as exc:  # the task's own error, re-raised by the result backend
                raise CommandError(
                    f"The recompute as of {each.isoformat()} (task {result.id}) failed: "
                    f"{type(exc).__name__}: {_first_line(exc)}"
                ) from exc
            self._summarise(summary)

    def _summarise(self, summary: dict[str, Any]) -> None:
        counts = ", ".join(
            f"{name} {n}" for name, n in sorted(summary.items()) if name not in ("as_of", "targets")
        )
        self.stdout.write(
            f"Recomputed {summary['targets']} targets as of {summary['as_of']}: {counts}."
        )


def _computed_here(day: dt.date) -> dict[str, Any]:
    try:
        summary: dict[str, Any] = recompute_all.apply(args=[day.isoformat()]).get()
    except Retry as retry:  # a worker would try again later; here its cause is the answer
        raise (retry.exc or retry) from None
    return summary


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
