"""The Chinese catalogue is complete: every msgid the code and templates use has a translation."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SKIP = {
    ".venv",
    ".git",
    "tests",
    "bench",
    "test-artifacts",
    "scripts",
    "staticfiles",
    "media",
    "locale",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}


def entries(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid → (first msgstr, fuzzy) of a .po file."""
    out = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                current = match[1]
                fields[current] = match[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            text = fields.get("msgstr", fields.get("msgstr[0]", ""))
            out[fields["msgid"]] = (text, "#, fuzzy" in block or ", fuzzy" in block)
    return out


def test_the_committed_catalogue_has_no_empty_or_fuzzy_entry():
    found = entries(PO)
    assert len(found) > 500
    empty = [msgid for msgid, (text, _) in found.items() if not text]
    fuzzy = [msgid for msgid, (_, is_fuzzy) in found.items() if is_fuzzy]
    assert not empty, f"untranslated: {empty[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make install)")
def test_every_msgid_in_the_code_is_in_the_catalogue(settings, tmp_path):
    # makemessages writes next to the sources it reads: run it on a copy, never on the tree.
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [
            n for n in names if n in SKIP or n.endswith((".sqlite3", ".mo", ".pyc"))
        ],
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    committed = entries(PO)
    assert len(fresh) > 500  # the copy held the sources
    missing = sorted(msgid for msgid in fresh if not committed.get(msgid, ("", False))[0])
    assert not missing, (
        f"{len(missing)} msgid(s) lack a Chinese translation; add them to "
        f"scripts/zh_hans_terms.py and run scripts/fill_translations.py: {missing[:15]}"
    )


def test_the_compiled_catalogue_is_used(db):
    # `make install` compiles the .po; the pages, choices and messages then read in Chinese.
    from targets.choices import ProgressStatus

    with translation.override("zh-hans"):
        assert str(ProgressStatus.ON_TRACK.label) == "进度正常"
        assert translation.gettext("Dashboard") == "首页"
    with translation.override("en"):
        assert str(ProgressStatus.ON_TRACK.label) == "on track"
