"""Template helpers shared by every page: numbers, percentages, plan items' numbering, the
list separator, file names, roles.

Loaded with `{% load zjai %}` (registered in settings.TEMPLATES as a library, since zjai/ is the
frame and not an installed app).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import template
from django.utils import formats, translation
from django.utils.translation import pgettext

from zjai.numbering import item_number as localized_item_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


def format_number(value, max_decimals: int = 2) -> str:
    """A number for people: grouped by the language, trailing zeros dropped."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return "—"
    rounded = round(number, max_decimals)
    # A finite number's exponent is an int ("n", "N", "F" are NaN's and infinity's).
    exponent = cast(int, rounded.normalize().as_tuple().exponent)
    decimals = max(0, -exponent)
    decimals = min(decimals, max_decimals)
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)


@register.filter
def num(value, max_decimals=2):
    return format_number(value, int(max_decimals))


@register.filter
def pct(value, decimals=1):
    """A percentage, e.g. 85.3%; a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{format_number(value, int(decimals))}%"


@register.filter
def item_number(number) -> str:
    """A plan item's number as the page's language writes it: （一） in Chinese, (1) in English
    (zjai.numbering)."""
    return localized_item_number(number)


@register.simple_tag
def list_separator() -> str:
    """Between the names of a list: 、 in Chinese, ", " in English."""
    return pgettext("list separator", ", ")


@register.simple_tag
def colon() -> str:
    """After a label: "：" in Chinese, ": " in English."""
    return pgettext("label suffix", ": ")


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@register.filter
def other_language(value) -> str:
    """The language a piece of data is written in when it is not the page's, for its
    element's `lang`: "zh-Hans" for Chinese characters on an English page, "en" for Latin words
    only on a Chinese page, "" otherwise (a number, or the page's own language). Data is kept
    as its source gave it (a plan quoted in English): a screen reader then reads it in its own
    language."""
    text = str(value or "")
    found = "zh-Hans" if CJK.search(text) else "en" if LATIN_WORD.search(text) else ""
    page = (translation.get_language() or "")[:2]
    return "" if not found or found[:2] == page else found


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (at least 1)."""
    try:
        return max(1, int(delta.total_seconds() // 60))
    except AttributeError:
        return 0


@register.filter
def basename(value) -> str:
    from pathlib import PurePath

    return PurePath(str(value or "")).name


@register.filter
def extension(value) -> str:
    from pathlib import PurePath

    return PurePath(str(value or "")).suffix.lstrip(".").upper()


@register.filter
def role_label(user) -> StrOrPromise:
    from zjai.roles import Role

    role = getattr(user, "role", None)
    return Role(role).label if role in Role.values else ""


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
