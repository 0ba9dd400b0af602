from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audit.context import acting_as
from plans.planfile import PlanFileError, parse_plan_file
from portfolio.services import load_plan


class Command(BaseCommand):
    help = "Load an action plan from its YAML file (default: the 2019–2022 plan). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=settings.ZJAI_DEFAULT_PLAN_FILE,
            help="plan file (schema: docs/plan-file.md)",
        )

    def handle(self, *args, file: Path, **options):
        try:
            spec = parse_plan_file(file)
        except PlanFileError as exc:
            raise CommandError(str(exc)) from None
        try:
            with acting_as("command:load_action_plan"):
                report = load_plan(spec)
        except DatabaseError as exc:
            # Everything was rolled back; say what the database refused, on one line.
            problem = " ".join(str(exc).split())
            raise CommandError(
                f"{file}: the database refused the plan, nothing was saved: {problem}"
            ) from None
        plan = report.plan
        summary = ", ".join(
            [f"{n} {name} created" for name, n in sorted(report.created.items())]
            + [f"{n} {name} updated" for name, n in sorted(report.updated.items())]
        )
        self.stdout.write(
            f"Plan {plan.code}: {len(spec.units)} units, {len(spec.items)} items, "
            f"{len(spec.targets)} targets, {len(spec.enterprises)} named enterprises. "
            + (summary + "." if report.changed else "Already up to date: nothing changed.")
        )
