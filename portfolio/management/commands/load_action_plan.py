from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audit.context import acting_as
from plans.planfile import PlanFileError, PlanSpec, parse_plan_file
from portfolio.services import load_plan


class Command(BaseCommand):
    help = (
        "Load action plans from their YAML files (default: the 2019–2022 plan; --all: every "
        "file in plans/data/). Idempotent; loading one plan never changes another's data."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--file",
            type=Path,
            action="append",
            help="plan file (schema: docs/plan-file.md); repeat to load several",
        )
        which.add_argument(
            "--all",
            action="store_true",
            help="every *.yaml file in plans/data/, in the order of their names",
        )

    def handle(self, *args, file: list[Path] | Path | str | None, all: bool, **options):
        if isinstance(file, Path | str):  # call_command(..., file=PATH)
            file = [Path(file)]
        if all:
            # The default plan file lives among them (plans/data/).
            files = sorted(Path(settings.ZJAI_DEFAULT_PLAN_FILE).parent.glob("*.yaml"))
        else:
            files = file or [Path(settings.ZJAI_DEFAULT_PLAN_FILE)]
        # Every file is checked before any is written: a bad one stops the command untouched.
        specs: list[tuple[Path, PlanSpec]] = []
        for path in files:
            try:
                specs.append((path, parse_plan_file(path)))
            except PlanFileError as exc:
                raise CommandError(str(exc)) from None
        for path, spec in specs:
            self.load(path, spec)

    def load(self, file: Path, spec: PlanSpec) -> None:
        """One plan in one transaction: a plan refused leaves the ones loaded before it."""
        try:
            with acting_as("command:load_action_plan"):
                report = load_plan(spec)
        except PlanFileError as exc:  # the file disagrees with another plan loaded
            raise CommandError(str(exc)) from None
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
