"""Write the Simplified Chinese terms (scripts/zh_hans_terms.py) into the zh_Hans catalogue.

    .venv/bin/python manage.py makemessages -l zh_Hans --no-location \
        --ignore=.venv --ignore=tests --ignore=bench --ignore=test-artifacts --ignore=scripts
    .venv/bin/python scripts/fill_translations.py

Every msgid gets its msgstr (fuzzy marks dropped); msgids without a term are listed and the
script exits 1, so a new string cannot slip through untranslated. Pure Python: no gettext tools.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from zh_hans_terms import TERMS  # noqa: E402

PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
HEADER_FIXES = {
    "Language": "zh_Hans",
    "Content-Type": "text/plain; charset=UTF-8",
    "Plural-Forms": "nplurals=1; plural=0;",
    "Language-Team": "zjai <zjai@localhost>",
    "Last-Translator": "zjai <zjai@localhost>",
}


def unescape(text: str) -> str:
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def parse_block(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    current = None
    for line in lines:
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if match:
            current = match[1]
            fields[current] = match[2]
            continue
        match = re.match(r'^"(.*)"$', line)
        if match and current:
            fields[current] += match[1]
    return {key: unescape(value) for key, value in fields.items()}


def fill(text: str) -> tuple[str, list[str]]:
    blocks = text.strip("\n").split("\n\n")
    out, missing = [], []
    for index, block in enumerate(blocks):
        lines = block.splitlines()
        if any(line.startswith("#~") for line in lines):
            continue  # obsolete entries: drop them
        fields = parse_block(lines)
        msgid = fields.get("msgid")
        if msgid is None:
            out.append(block)
            continue
        # Drop fuzzy marks and the previous msgids ("#|") makemessages leaves beside them.
        comments = [
            line
            for line in lines
            if line.startswith("#")
            and not line.startswith(("#, fuzzy", "#|", "#,"))
            and line.strip() != "#"
        ]
        flags = [line for line in lines if line.startswith("#,")]
        for flag in flags:
            cleaned = flag.replace("fuzzy, ", "").replace(", fuzzy", "")
            if cleaned.strip() not in ("#,", "#, fuzzy"):
                comments.append(cleaned)
        comments = list(dict.fromkeys(comments))
        head = [*comments]
        if "msgctxt" in fields:
            head.append(f'msgctxt "{escape(fields["msgctxt"])}"')
        head.append(f'msgid "{escape(msgid)}"')
        if index == 0 and msgid == "":
            header = fields.get("msgstr", "")
            entries = dict(
                line.split(": ", 1) for line in header.strip("\n").split("\n") if ": " in line
            )
            entries.update(HEADER_FIXES)
            body = "".join(f"{key}: {value}\\n" for key, value in entries.items())
            intro = [
                "# Simplified Chinese catalogue of zjai.",
                "# Generated from scripts/zh_hans_terms.py by scripts/fill_translations.py.",
            ]
            out.append("\n".join([*intro, 'msgid ""', 'msgstr ""', f'"{body}"']))
            continue
        key = f"{fields['msgctxt']}\x04{msgid}" if "msgctxt" in fields else msgid
        term = TERMS.get(key)
        if "msgid_plural" in fields:
            head.append(f'msgid_plural "{escape(fields["msgid_plural"])}"')
            if term is None:
                missing.append(msgid)
                term = [""]
            forms = term if isinstance(term, list) else [term]
            head.extend(f'msgstr[{i}] "{escape(form)}"' for i, form in enumerate(forms))
        else:
            if term is None:
                missing.append(msgid)
                term = ""
            if isinstance(term, list):
                term = term[0]
            head.append(f'msgstr "{escape(term)}"')
        out.append("\n".join(head))
    return "\n\n".join(out) + "\n", missing


def main() -> int:
    text, missing = fill(PO.read_text(encoding="utf-8"))
    PO.write_text(text, encoding="utf-8")
    if missing:
        print(f"{len(missing)} msgid(s) without a Chinese term in scripts/zh_hans_terms.py:")
        for msgid in missing:
            print(f"  {msgid!r}")
        return 1
    print(f"{PO.relative_to(ROOT)}: every msgid translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
