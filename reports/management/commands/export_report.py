"""export_report: the report as of a date, as CSV, XLSX or PDF (docs/audit.md)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from reports.exporting import FORMATS, export
from zjai.dates import today


class Command(BaseCommand):
    help = (
        "Export the progress report as of a date: --format csv (a directory, or a .zip, of one "
        "UTF-8 CSV per table), xlsx (one workbook) or pdf. The same date gives the same figures "
        "on any later day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="fmt", required=True, help="csv, xlsx or pdf")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--output", required=True, help="file to write (for csv: a directory or a .zip)"
        )
        parser.add_argument("--plan", help="plan code (default: the latest plan)")

    def handle(self, *args, fmt, as_of=None, output, plan=None, **options):
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
            result = export(fmt, path, as_of=day, plan=chosen)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        self.stdout.write(
            f"Wrote {fmt} report as of {day} to {path} ({', '.join(result.parts)}); "
            f"audit chain head {result.head}"
        )
