"""The Chinese catalogue is the source of translations, complete and well-formed.

locale/zh_Hans/LC_MESSAGES/django.po is edited by hand (docs/user-guide.md, "For developers").
These tests check it with GNU gettext's own tools (Debian's `gettext`, installed by
`make install`): msgfmt finds errors, msgattrib lists untranslated and fuzzy entries, and
`makemessages` run on a copy of the project shows any msgid of the code the file lacks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The folders makemessages leaves out (the same list as the workflow in docs/user-guide.md).
IGNORED = [".venv", "tests", "bench", "test-artifacts", "scripts"]
# What the copy of the project leaves out: the ignored folders, generated files, the locale
# (the copy gets its own copy of the catalogue).
NOT_COPIED = {
    *IGNORED,
    ".git",
    "locale",
    "staticfiles",
    "media",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}
HEADER = re.compile(r'^msgid ""\nmsgstr ', re.MULTILINE)


def gettext_tool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    if shutil.which(str(args[0])) is None:
        pytest.fail(f"{args[0]} not found: install Debian's gettext (make install does)")
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, check=False)


def entries(po_text: str) -> list[str]:
    """The entries of a .po text as written, without its header (msgid "" with a msgstr)."""
    return [block for block in po_text.strip().split("\n\n") if block and not HEADER.search(block)]


def listed(found: list[str]) -> str:
    return f"{len(found)} entr{'y' if len(found) == 1 else 'ies'}:\n\n" + "\n\n".join(found)


def test_msgfmt_check_finds_no_error():
    # --check: the header, and python-format placeholders (%(name)s) the same in msgid and msgstr.
    result = gettext_tool("msgfmt", "--check", "--statistics", "--output-file=/dev/null", PO)
    assert result.returncode == 0, result.stderr
    assert "translated messages" in result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_no_entry_is_untranslated():
    untranslated = entries(gettext_tool("msgattrib", "--untranslated", "--no-wrap", PO).stdout)
    assert not untranslated, f"untranslated in {PO.relative_to(ROOT)}: {listed(untranslated)}"


def test_no_entry_is_fuzzy():
    # A fuzzy entry is a guess by msgmerge: gettext ignores it, so the page shows English.
    fuzzy = entries(gettext_tool("msgattrib", "--only-fuzzy", "--no-wrap", PO).stdout)
    assert not fuzzy, f"fuzzy in {PO.relative_to(ROOT)}, check then unmark: {listed(fuzzy)}"


def test_every_msgid_of_the_code_is_in_the_catalogue(tmp_path):
    # makemessages writes into the locale folder beside the sources it reads and puts
    # preprocessed templates next to them: run it on a copy, never on the tree.
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [
            name
            for name in names
            if name in NOT_COPIED or name.endswith((".sqlite3", ".mo", ".pyc"))
        ],
    )
    catalogue = copy / PO.relative_to(ROOT)
    catalogue.parent.mkdir(parents=True)
    shutil.copyfile(PO, catalogue)

    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"]
    command += [f"--ignore={folder}" for folder in IGNORED]
    # The development settings (DEBUG=1): makemessages only reads them, and the test settings'
    # module is not in the copy.
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "zjai.settings"}
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr

    merged = catalogue.read_text(encoding="utf-8")
    assert len(entries(merged)) > 500  # the copy held the sources
    # A msgid the committed file lacks comes back from the merge empty, or fuzzy with a guess.
    new = entries(gettext_tool("msgattrib", "--untranslated", "--no-wrap", catalogue).stdout)
    new += entries(gettext_tool("msgattrib", "--only-fuzzy", "--no-wrap", catalogue).stdout)
    assert not new, (
        f"msgids of the code without a translation in {PO.relative_to(ROOT)}: run makemessages "
        f"and translate them there (docs/user-guide.md, 'For developers'). {listed(new)}"
    )
