"""The demo accounts' passwords kept on a developer's machine, so `make run` can print them last.

`seed_demo --accounts-file PATH` writes the passwords it sets to PATH (mode 0600, JSON) instead of
printing them among the setup's output; `demo_accounts` prints the file as a table, marking
the accounts whose password has changed since. Only demo accounts' passwords, which the
development setup prints anyway; production never passes the option.
"""

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from demo.users import Credential

HEADER = ("username", "role", "unit", "password")


class AccountsFileError(Exception):
    """The file cannot be read or written; the message is one line naming it."""


def load_credentials(path: Path) -> list[Credential]:
    """The kept credentials; an empty list when there is no file."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Credential(**row) for row in rows]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError) as exc:
        raise AccountsFileError(f"{path}: not a demo accounts file ({exc})") from None


def save_credentials(path: Path, credentials: Iterable[Credential]) -> None:
    """Keep these passwords, replacing older ones of the same users, readable by the owner only."""
    kept = {c.username: c for c in load_credentials(path)}
    kept.update((c.username, c) for c in credentials)
    text = json.dumps([asdict(c) for c in kept.values()], ensure_ascii=False, indent=1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(path, 0o600)  # an older file may have been created with wider rights
    except OSError as exc:
        reason = exc.strerror or exc
        raise AccountsFileError(f"{path}: cannot keep the demo passwords ({reason})") from None


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows under the header, in columns, with a rule under the header."""
    table = [HEADER, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate(table):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
