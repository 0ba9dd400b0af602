"""demo_accounts: the demo accounts and the passwords seed_demo kept, printed last by make run."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.accounts_file import AccountsFileError, load_credentials, table_lines
from demo.users import DEMO_USERNAMES

DEFAULT_FILE = Path("var/demo-accounts.json")


class Command(BaseCommand):
    help = (
        "Print the demo accounts with the passwords seed_demo --accounts-file kept, and the "
        "address to open; an account whose password has changed since is marked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts-file",
            type=Path,
            default=DEFAULT_FILE,
            help=f"the file seed_demo wrote (default {DEFAULT_FILE})",
        )
        parser.add_argument("--url", help="the address the server answers on, said last")

    def handle(self, *args: Any, accounts_file: Path, url: str | None, **options: Any) -> None:
        try:
            kept = {c.username: c for c in load_credentials(accounts_file)}
        except AccountsFileError as exc:
            raise CommandError(str(exc)) from None
        users = (
            get_user_model()
            .objects.filter(username__in=DEMO_USERNAMES, is_demo=True)
            .select_related("unit")
            .prefetch_related("groups")
        )
        rows = []
        for user in sorted(users, key=lambda u: DEMO_USERNAMES.index(u.username)):
            credential = kept.get(user.username)
            if credential is None:
                password = "(not kept here)"
            elif user.check_password(credential.password):
                password = credential.password
            else:
                password = "(changed since)"
            unit = user.unit.code if user.unit is not None else ""
            rows.append((user.username, user.role or "", unit, password))
        if not rows:
            self.stdout.write("No demo accounts: run `python manage.py seed_demo`.")
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (one per role):"))
        for line in table_lines(rows):
            self.stdout.write(line)
        if any(row[3].startswith("(") for row in rows):
            self.stdout.write(
                "New passwords: python manage.py seed_demo --reset-passwords "
                f"--accounts-file {accounts_file}"
            )
        if url:
            self.stdout.write(self.style.SUCCESS(f"Open {url} and sign in with one of these."))
        self.stdout.write("")
