"""export_site --plan CODE --output DIR: the plan's public pages and data files as a static
site (publishing.export; docs/open-data.md, "Static export")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from publishing.export import ExportError, export_plan


class Command(BaseCommand):
    help = "Write a plan's public pages and open data as a static site (relative links only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument(
            "--output", required=True, help="the directory to write (empty, or an earlier export)"
        )

    def handle(self, *args: Any, plan: str, output: str, **options: Any) -> None:
        directory = Path(output)
        try:
            written = export_plan(plan, directory)
        except (ExportError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Exported {written.pages} pages and {written.files} files to {directory.resolve()}"
        )
