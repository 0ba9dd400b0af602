import argparse
import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.accounts_file import AccountsFileError, save_credentials, table_lines
from demo.generator import DEFAULT_SEED, PLAN_CODE, SeedError, SeedReport, seed_demo
from demo.users import Credential, UsersResult


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class Command(BaseCommand):
    help = (
        "Replace the demo data (is_demo=True, names 演示·…) by a fresh deterministic set: "
        "1,000×N enterprises, 1,000×N projects, 10,000×N figures, the task reports of every "
        "closed period (topped up to about 500×N); create the demo users."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=positive_int, default=1, help="N, a whole number ≥ 1 (default 1)"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the demo users new passwords and print them",
        )
        parser.add_argument("--no-users", action="store_true", help="do not create demo users")
        parser.add_argument(
            "--accounts-file",
            type=Path,
            help="keep the passwords set by this run in this file (readable by its owner only) "
            "instead of printing them; `demo_accounts` prints the file (make run does, last)",
        )
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="then recompute every target's progress, at every quarter end since each "
            "plan's start and today (recompute_progress --sync --history)",
        )

    def handle(
        self, *args, scale, seed, reset_passwords, no_users, accounts_file, recompute, **options
    ):
        if no_users and reset_passwords:
            raise CommandError("--reset-passwords and --no-users cannot be used together")
        try:
            report = seed_demo(
                scale=scale, seed=seed, users=not no_users, reset_passwords=reset_passwords
            )
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        if report.users is not None:
            self._write_users(report.users, accounts_file)
        if recompute:
            call_command("recompute_progress", sync=True, history=True, stdout=io.StringIO())
        self._write_summary(report, recomputed=recompute)

    def _write_users(self, users: UsersResult, accounts_file: Path | None) -> None:
        if users.credentials and accounts_file is not None:
            try:
                save_credentials(accounts_file, users.credentials)
            except AccountsFileError as exc:
                # The passwords are set and would be lost: show them here rather than nowhere.
                self.stderr.write(str(exc))
                self._write_credentials(users.credentials)
            else:
                self.stdout.write(
                    f"demo users' passwords kept in {accounts_file} "
                    "(`python manage.py demo_accounts` prints them)"
                )
        elif users.credentials:
            self._write_credentials(users.credentials)
        if users.unchanged:
            self.stdout.write(
                "demo users already exist; passwords unchanged "
                "(use --reset-passwords to print new ones)"
            )

    def _write_credentials(self, credentials: list[Credential]) -> None:
        self.stdout.write(
            self.style.WARNING("Demo users — passwords are shown only this once; note them now:")
        )
        for line in table_lines([(c.username, c.role, c.unit, c.password) for c in credentials]):
            self.stdout.write(line)

    def _write_summary(self, report: SeedReport, *, recomputed: bool) -> None:
        created, deleted = report.created, report.deleted
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data for {PLAN_CODE} (scale {report.scale}, seed {report.seed}): "
                f"{created['enterprises']:,} enterprises, {created['projects']:,} projects, "
                f"{created['measurements']:,} measurements, "
                f"{created.get('task reports', 0):,} task reports "
                f"({created.get('review rounds', 0):,} review rounds, "
                f"{created.get('milestones', 0):,} milestones, "
                f"{created.get('supervision notices', 0):,} supervision notices) created "
                f"({deleted['enterprises']:,} enterprises, {deleted['projects']:,} projects, "
                f"{deleted['measurements']:,} measurements of the previous demo data deleted) "
                f"in {report.seconds:.1f} s. "
                + (
                    "Progress recomputed."
                    if recomputed
                    else "Progress is not recomputed yet: run recompute_progress --history."
                )
            )
        )
