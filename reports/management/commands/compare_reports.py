"""compare_reports: what differs between two editions of the report, and the audit events that
explain it (docs/audit.md, "Comparing editions")."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.editions import EditionError, compare, report_for


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Compare two editions of the report: --as-of D1 [--as-known-on K1] against "
        "--against-as-of D2 (default D1) [--against-known-on K2] (K: a date, meaning the end "
        "of that day, or an ISO datetime with its offset; default now). Lists each target "
        "field that differs, old and new, then the audit events recorded between K1 and K2 on "
        "the targets that differ, their figures and the registers they count. Prints "
        "'no differences' when there are none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan code (default: the latest plan)")
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--as-known-on", dest="known_on", help="date or datetime")
        parser.add_argument("--against-as-of", dest="against_as_of", help="YYYY-MM-DD")
        parser.add_argument("--against-known-on", dest="against_known_on", help="date or datetime")

    def handle(self, *args, **options):
        as_of = _date(options["as_of"], "--as-of")
        against = _date(options.get("against_as_of"), "--against-as-of") or as_of
        assert as_of is not None and against is not None  # --as-of is required
        now = timezone.now()
        plan = options.get("plan")
        try:
            old = report_for(plan, as_of, options.get("known_on"), now)
        except EditionError as exc:
            raise CommandError(f"--as-of/--as-known-on: {exc}") from None
        try:
            new = report_for(plan, against, options.get("against_known_on"), now)
        except EditionError as exc:
            raise CommandError(f"--against-as-of/--against-known-on: {exc}") from None
        result = compare(old, new)
        for label, edition in (("old", result.old), ("new", result.new)):
            self.stdout.write(
                f"{label}: {edition.plan} as of {edition.as_of} as known at "
                f"{edition.known_at_text}; digest {edition.digest}; "
                f"audit chain head {edition.head.anchor}"
            )
        if not result.differences:
            self.stdout.write("no differences")
            return
        self.stdout.write(f"{len(result.differences)} differences:")
        for d in result.differences:
            self.stdout.write(f"  {d.target}\t{d.field}\t{d.old or '—'}\t→ {d.new or '—'}")
        if result.events:
            self.stdout.write(f"{len(result.events)} audit events explain them:")
        else:
            self.stdout.write("no audit events between the two instants explain them")
        for event in result.events:
            when = timezone.localtime(event.occurred_at).isoformat(timespec="seconds")
            self.stdout.write(
                f"  #{event.seq}\t{when}\t{event.actor_label}\t{event.action}\t"
                f"{event.object_type}:{event.object_id}\t{event.object_repr}"
            )
