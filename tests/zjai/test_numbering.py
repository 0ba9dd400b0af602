"""Plan items' numbers, list separators and label colons in the page's language: the plan's
Chinese numbering stays as printed on a Chinese page; an English page numbers the same levels
the English way."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from zjai.numbering import chinese_numeral, item_number, roman


@pytest.mark.parametrize(
    ("printed", "english"),
    [
        ("一", "I."),
        ("四", "IV."),
        ("九、", "IX."),
        ("十二", "XII."),
        ("（一）", "(1)"),
        ("（六）", "(6)"),
        ("(三)", "(3)"),
        ("（12）", "(12)"),
        ("专栏1", "Column 1"),
        ("专栏六", "Column 6"),
        ("1.", "1."),
        ("2、", "2."),
        ("", ""),
        ("浙政办发〔2023〕65号", "浙政办发〔2023〕65号"),  # not a numbering: as printed
    ],
)
def test_english_numbering(printed, english):
    with translation.override("en"):
        assert item_number(printed) == english
    assert item_number(printed, "en") == english


@pytest.mark.parametrize("printed", ["一", "（一）", "专栏1", "1.", "2、"])
def test_chinese_numbering_is_as_the_plan_prints_it(printed):
    assert item_number(printed, "zh-hans") == printed


def test_chinese_numerals_and_roman_numerals():
    assert [chinese_numeral(t) for t in ["一", "十", "十一", "二十", "九十九", "百", "一一"]] == [
        1,
        10,
        11,
        20,
        99,
        None,
        None,
    ]
    assert [roman(n) for n in [1, 4, 9, 14, 40, 90, 1999]] == [
        "I",
        "IV",
        "IX",
        "XIV",
        "XL",
        "XC",
        "MCMXCIX",
    ]


def render(source: str, **context) -> str:
    return Template("{% load zjai %}" + source).render(Context(context))


def test_the_template_helpers_write_numbers_lists_and_labels_for_english():
    with translation.override("en"):
        assert render("{{ n|item_number }}", n="（二）") == "(2)"
        assert render("a{% list_separator %}b") == "a, b"
        assert render("Status{% colon %}x") == "Status: x"


def test_a_plan_items_name_is_numbered_for_the_language():
    from plans.models import PlanItem

    item = PlanItem(number="（一）", title_zh="突破核心基础技术", title_en="Core technologies")
    with translation.override("en"):
        assert str(item) == "(1) Core technologies"
