"""A plan item's number as the reader's language writes it.

The plan's text numbers its parts the Chinese way: 一、二 (parts), （一）（二） (groups), 1. 2.
(tasks), 专栏1 (a column). The number is stored as the plan prints it; a Chinese page shows it
so. An English page shows the numbering an English document would use for the same levels:
parts in Roman numerals (I., II.), bracketed numbers in Arabic ((1), (2)), columns as
"Column 1"; Arabic numbers with a point (1.) are the same in both. Anything else (a number this
does not recognise) is shown as the plan prints it.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
DIGITS |= {"七": 7, "八": 8, "九": 9}

_BRACKETED = re.compile(r"^[（(]\s*([一二三四五六七八九十〇零两]+|\d+)\s*[）)]$")
_PART = re.compile(r"^([一二三四五六七八九十〇零两]+)\s*[、.．]?$")
_COLUMN = re.compile(r"^专栏\s*(\d+|[一二三四五六七八九十〇零两]+)$")
_ARABIC = re.compile(r"^(\d+)\s*[.．、]$")


def chinese_numeral(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 九十九 → 99; None for anything else."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones:
            return None
        ten = DIGITS.get(tens) if tens else 1
        one = DIGITS.get(ones) if ones else 0
        if ten is None or one is None:
            return None
        return ten * 10 + one
    if len(text) == 1:
        return DIGITS.get(text)
    return None


def roman(number: int) -> str:
    """1 → I, 4 → IV, 12 → XII."""
    out = []
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_numeral(text)


def item_number(number: str | None, language: str | None = None) -> str:
    """`number` as the plan prints it, written for `language` (default: the active one)."""
    text = (number or "").strip()
    if not text or not (language or get_language() or "zh-hans").startswith("en"):
        return text
    if match := _BRACKETED.match(text):
        value = _number(match.group(1))
        return f"({value})" if value is not None else text
    if match := _COLUMN.match(text):
        value = _number(match.group(1))
        return gettext("Column %(number)s") % {"number": value} if value is not None else text
    if match := _PART.match(text):
        value = chinese_numeral(match.group(1))
        return f"{roman(value)}." if value else text
    if match := _ARABIC.match(text):
        return f"{match.group(1)}."
    return text
