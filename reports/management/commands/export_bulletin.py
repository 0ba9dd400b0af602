"""export_bulletin: the progress bulletin (季度进展通报) of a plan's task reports for one period,
for the whole plan or one unit, as known at an instant, as PDF or XLSX (reports.bulletin)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Plan, ResponsibleUnit
from reports.bulletin import FORMATS, LANGUAGES, BulletinError, export_bulletin, find_period
from reports.editions import EditionError, parse_known_on


class Command(BaseCommand):
    help = (
        "Export the progress bulletin of a plan's task reports for the reporting period that "
        "holds --period, for the whole plan or one --unit, as known at --as-of (a date: the end "
        "of that day; or an ISO datetime with its offset; default: now), as --format pdf or "
        "xlsx, in --language zh-hans (default) or en. The same plan, period, unit and --as-of "
        "give the same file, byte for byte."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="plan code")
        parser.add_argument(
            "--period", required=True, help="YYYY-MM-DD: any day of the reporting period"
        )
        parser.add_argument("--unit", help="unit code (default: every responsible unit)")
        parser.add_argument(
            "--as-of",
            "--as-known-on",
            dest="known_on",
            help="YYYY-MM-DD (the end of that day) or YYYY-MM-DDTHH:MM:SS+08:00 (default: now)",
        )
        parser.add_argument("--format", dest="fmt", required=True, help="pdf or xlsx")
        parser.add_argument("--language", default="zh-hans", help="zh-hans (default) or en")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, plan, period, unit, known_on, fmt, language, output, **options):
        if fmt not in FORMATS:
            raise CommandError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if language not in LANGUAGES:
            raise CommandError(
                f"--language must be one of {', '.join(LANGUAGES)}, not {language!r}"
            )
        try:
            day = dt.date.fromisoformat(period)
        except ValueError:
            raise CommandError(f"--period must be a date YYYY-MM-DD, not {period!r}") from None
        now = timezone.now()
        try:
            known_at = parse_known_on(known_on) if known_on else now
        except EditionError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        if known_at > now:
            raise CommandError(f"--as-of {known_on} is in the future")
        path = Path(output)
        if path.suffix.lower() != f".{fmt}":
            raise CommandError(f"--output for {fmt} must end in .{fmt}, not {path.name!r}")
        if path.is_dir():
            raise CommandError(f"--output {path} is a directory; name a .{fmt} file")
        if not path.resolve().parent.exists():
            raise CommandError(f"--output: the folder {path.resolve().parent} does not exist")
        chosen = Plan.objects.filter(code=plan).first()
        if chosen is None:
            raise CommandError(f"--plan: no plan with the code {plan!r}")
        chosen_unit = None
        if unit:
            chosen_unit = ResponsibleUnit.objects.filter(code=unit).first()
            if chosen_unit is None:
                raise CommandError(f"--unit: no unit with the code {unit!r}")
        try:
            found = find_period(chosen, day)
            result = export_bulletin(
                fmt,
                path,
                plan=chosen,
                period=found,
                known_at=known_at,
                unit=chosen_unit,
                language=language,
            )
        except BulletinError as exc:
            raise CommandError(f"--period: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        bulletin = result.bulletin
        self.stdout.write(
            f"Wrote {fmt} bulletin of {chosen.code} for {found.label} "
            f"({found.start} to {found.end}) as known at {bulletin.known_at_text} to {path} "
            f"({', '.join(result.parts)}); digest {bulletin.digest}; "
            f"audit chain head {bulletin.head.anchor if bulletin.head else ''}"
        )
