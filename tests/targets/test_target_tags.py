"""The comparator beside a target value: its symbol, and its words in the page's language."""

import pytest
from django.utils import translation

from targets.templatetags.target_tags import comparator


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        ("gte", '<abbr title="at least">≥</abbr>', '<abbr title="不少于">≥</abbr>'),
        ("gt", '<abbr title="more than">&gt;</abbr>', '<abbr title="超过">&gt;</abbr>'),
        ("lte", '<abbr title="at most">≤</abbr>', '<abbr title="不多于">≤</abbr>'),
        ("lt", '<abbr title="less than">&lt;</abbr>', '<abbr title="低于">&lt;</abbr>'),
        ("eq", '<abbr title="exactly">=</abbr>', '<abbr title="等于">=</abbr>'),
    ],
)
def test_each_comparator_reads_in_both_languages(value, english, chinese):
    with translation.override("en"):
        assert comparator(value) == english
    with translation.override("zh-hans"):
        assert comparator(value) == chinese


def test_an_unknown_comparator_shows_nothing():
    assert comparator("") == ""
