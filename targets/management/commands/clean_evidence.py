import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from targets.evidence import DEFAULT_MIN_AGE, remove_orphaned


class Command(BaseCommand):
    help = (
        "Remove evidence files that no figure (and no figure's audit event) refers to, once "
        "they are older than --older-than hours (default 24)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            dest="hours",
            type=float,
            default=DEFAULT_MIN_AGE.total_seconds() / 3600,
            help="hours a file must have existed (default 24)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed; remove nothing"
        )

    def handle(self, *args, hours: float, dry_run: bool, **options):
        if hours < 0:
            raise CommandError(f"--older-than must be 0 or more hours, not {hours:g}")
        result = remove_orphaned(dt.timedelta(hours=hours), dry_run=dry_run)
        for name in result.orphans:
            self.stdout.write(name)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(
            f"{verb} {len(result.orphans)} evidence file(s) that no figure refers to "
            f"({result.bytes:,} bytes)"
        )
