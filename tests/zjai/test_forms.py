"""The frame's form pieces in the page's language: date boxes that show and read the language's
dates (ISO always accepted), selects whose empty choice says what it means, and decimals
without the column's trailing zeros."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from zjai.decimals import ExactDecimalFormField
from zjai.forms import DateInput, prompt_choices

DAY = dt.date(2026, 12, 5)


class DateForm(forms.Form):
    day = forms.DateField(label="day", widget=DateInput(), help_text="The day it describes.")


def cleaned(language: str, text: str) -> dt.date | None:
    with translation.override(language):
        form = DateForm({"day": text})
        return form.cleaned_data["day"] if form.is_valid() else None


@pytest.mark.parametrize("text", ["2026-12-05", "5 Dec 2026", "5 December 2026", "Dec 5, 2026"])
def test_an_english_date_box_reads_iso_and_english_dates(text):
    assert cleaned("en", text) == DAY


@pytest.mark.parametrize("text", ["2026-12-05", "2026年12月5日", "2026年12月05日", "2026/12/5"])
def test_a_chinese_date_box_reads_iso_and_chinese_dates(text):
    assert cleaned("zh-hans", text) == DAY


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_date_of_slashes_with_the_year_last_is_refused_as_ambiguous(language):
    # 12/05/2026 is 5 December in one country and 12 May in another.
    assert cleaned(language, "12/05/2026") is None
    with translation.override(language):
        form = DateForm({"day": "12/05/2026"})
        assert not form.is_valid() and form.errors["day"]


def test_the_date_box_is_a_text_box_showing_the_date_the_english_way():
    with translation.override("en"):
        html = str(DateForm(initial={"day": DAY})["day"])
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="5 Dec 2026"' in html
    assert 'placeholder="YYYY-MM-DD"' in html


def test_the_date_box_is_a_text_box_showing_the_date_the_chinese_way():
    with translation.override("zh-hans"):
        html = str(DateForm(initial={"day": DAY})["day"])
    assert 'value="2026年12月5日"' in html


def test_the_date_box_says_what_it_accepts_and_the_box_points_to_it():
    with translation.override("en"):
        html = str(DateForm(initial={"day": DAY})["day"])
    # The hint has an id, and the box's aria-describedby names it after the help text's.
    assert 'aria-describedby="id_day_helptext id_day_format"' in html
    assert '<span class="date-hint small muted" id="id_day_format">Date as ' in html
    assert " or " in html


def test_a_date_the_user_typed_is_shown_back_as_typed():
    with translation.override("en"):
        form = DateForm({"day": "31 Feb 2026"})
        assert not form.is_valid()
        assert 'value="31 Feb 2026"' in str(form["day"])


class ChoiceForm(forms.Form):
    colour = forms.ChoiceField(
        choices=[("", "---------"), ("red", "red"), ("blue", "blue")], required=False
    )
    size = forms.TypedChoiceField(choices=[("", "---------"), ("1", "small")], coerce=int)
    shape = forms.ChoiceField(
        choices=[("", "---------"), ("o", "round")], widget=forms.RadioSelect, required=False
    )


def test_the_empty_choice_of_a_form_asks_to_choose():
    form = ChoiceForm()
    prompt_choices(form)
    with translation.override("en"):
        html = str(form["colour"]) + str(form["size"])
        radios = str(form["shape"])
    assert "---------" not in html
    assert html.count('<option value="" selected>— choose —</option>') == 2
    assert "---------" in radios  # a radio list is left as it is


def test_a_decimal_box_shows_the_number_without_the_columns_trailing_zeros():
    field = ExactDecimalFormField(max_digits=15, decimal_places=4, localize=True)

    class NumberForm(forms.Form):
        value = field

    with translation.override("en"):
        for stored, shown in [
            (Decimal("205.5000"), "205.5"),
            (Decimal("142000.0000"), "142,000"),
            (Decimal("0.0000"), "0"),
            (Decimal("-3.1000"), "-3.1"),
        ]:
            html = str(NumberForm(initial={"value": stored})["value"])
            assert f'value="{shown}"' in html, html
        # And it reads back what it shows.
        form = NumberForm({"value": "142,000"})
        assert form.is_valid() and form.cleaned_data["value"] == Decimal("142000")
