"""export_report: the report as of a date, as known at an instant, as CSV, XLSX or PDF
(docs/audit.md, "Editions")."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Plan
from reports.editions import EditionError, check_edition, parse_known_on
from reports.exporting import FORMATS, export
from zjai.dates import today


class Command(BaseCommand):
    help = (
        "Export the progress report as of a date: --format csv (a directory, or a .zip, of one "
        "UTF-8 CSV per table), xlsx (one workbook) or pdf. The same date gives the same figures "
        "on any later day. --as-known-on K (a date: the end of that day; or an ISO datetime "
        "with its offset) reports what was known at K (default: now): the same --as-of and "
        "--as-known-on give the same file, byte for byte, apart from its creation time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="fmt", required=True, help="csv, xlsx or pdf")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--output", required=True, help="file to write (for csv: a directory or a .zip)"
        )
        parser.add_argument(
            "--as-known-on",
            dest="known_on",
            help="YYYY-MM-DD (the end of that day) or YYYY-MM-DDTHH:MM:SS+08:00 (default: now)",
        )
        parser.add_argument("--plan", help="plan code (default: the latest plan)")

    def handle(self, *args, fmt, as_of=None, output, plan=None, known_on=None, **options):
        if fmt not in FORMATS:
            raise CommandError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        day = today()
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}") from None
        if day > today():
            raise CommandError(f"--as-of {day} is in the future: a report describes the past")
        now = timezone.now()
        try:
            known_at = parse_known_on(known_on) if known_on else now
            check_edition(day, known_at, now)
        except EditionError as exc:
            raise CommandError(f"--as-known-on: {exc}") from None
        path = Path(output)
        if fmt == "csv" and path.suffix.lower() not in ("", ".zip") and not path.is_dir():
            raise CommandError(f"--output for csv must be a directory or a .zip file, not {path}")
        if fmt != "csv" and path.suffix.lower() != f".{fmt}":
            raise CommandError(f"--output for {fmt} must end in .{fmt}, not {path.name!r}")
        if fmt != "csv" and path.is_dir():
            raise CommandError(f"--output {path} is a directory; name a .{fmt} file")
        parent = path.resolve().parent
        if not parent.exists():
            raise CommandError(f"--output: the folder {parent} does not exist")
        chosen = None
        if plan:
            chosen = Plan.objects.filter(code=plan).first()
            if chosen is None:
                raise CommandError(f"--plan: no plan with the code {plan!r}")
        elif not Plan.objects.exists():
            raise CommandError("no plan is loaded: run `manage.py load_action_plan` first")
        try:
            result = export(fmt, path, as_of=day, known_at=known_at, plan=chosen)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        edition = result.edition
        self.stdout.write(
            f"Wrote {fmt} report as of {day} as known at {edition.known_at_text} to {path} "
            f"({', '.join(result.parts)}); digest {edition.digest}; "
            f"audit chain head {result.head}"
        )
