"""The target pages and the figure form read as the language shown: English units after a
value, numbering, list separators, the lead unit's marker, dates in the language's format, and
figures without the column's trailing zeros; a date typed as ISO or as the language writes it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings

from targets import services
from targets.models import Target
from tests.web import client_for, figures

URL = "/plans/zj-ai-2019-2022/targets/{}/"


@pytest.fixture
def robots(plan) -> Target:
    return Target.objects.get(code="robots-in-service")


def in_language(user, language: str):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def main_text(html: str) -> str:
    """The page's <main>, tags removed, without the chart's data (machine-readable)."""
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_multiplier_unit_is_bracketed_after_a_value_in_english(people):
    html = in_language(people["staff"], "en").get(URL.format("major-project-investment"))
    text = main_text(html.content.decode())
    assert "1,000 (100 million yuan)" in text
    assert "1,000 100 million yuan" not in text


def test_a_plain_unit_follows_the_value_in_english(people):
    text = main_text(
        in_language(people["staff"], "en").get(URL.format("robots-in-service")).content.decode()
    )
    assert "150,000 robots" in text and "(robots)" not in text


def test_the_english_target_page_reads_as_english(people, robots):
    figures(robots, people["reviewer"], 2, start=dt.date(2020, 6, 30))
    services.recompute_progress(dt.date(2021, 6, 30))
    target = Target.objects.get(code="major-project-investment")
    text = main_text(
        in_language(people["staff"], "en").get(URL.format(target.code)).content.decode()
    )
    # Its item's number the English way, its units listed with commas, the lead marked.
    assert f"Stated in {target.item}" in text and str(target.item).startswith("(2) ")
    # (The history quotes the plan file's values as recorded: its Chinese metadata texts too.)
    page = text.split("History of changes")[0]
    assert "(lead)" in page and ", Provincial Military-Civilian" in page
    assert "、" not in page and "（" not in page
    # Dates the English way, not ISO.
    assert "31 Dec 2022" in text and "2022-12-31" not in text.split("History of changes")[0]
    robots_text = main_text(
        in_language(people["staff"], "en").get(URL.format("robots-in-service")).content.decode()
    )
    assert re.search(r"\d+(\.\d)?% of the way to the target", robots_text)


def test_the_chinese_target_page_writes_dates_one_way(people):
    # The issue: one page showed 2022年12月31日 beside 2022-12-31. The Chinese is the point.
    text = main_text(
        client_for(people["staff"]).get(URL.format("robots-in-service")).content.decode()
    )
    before_history = text.split("历史变化")[0]
    assert "2022年12月31日" in before_history
    assert not re.search(r"\d{4}-\d{2}-\d{2}", before_history)
    assert "（牵头）" in before_history and "(牵头)" not in before_history


def test_the_figure_form_shows_the_value_without_trailing_zeros_and_the_date_in_english(
    people, robots
):
    figure = services.create_measurement(
        target=robots,
        value="205.5",
        observed_on=dt.date(2022, 6, 30),
        acting_user=people["staff"],
    )
    figure.refresh_from_db()
    assert str(figure.value) == "205.5000"  # as the column keeps it
    html = in_language(people["staff"], "en").get(f"/figures/{figure.pk}/edit/").content.decode()
    assert 'value="205.5"' in html and "205.5000" not in html
    assert 'value="30 Jun 2022"' in html and 'type="date"' not in html
    assert "In robots." in html  # the unit in the page's language


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "2022-09-30"),
        ("en", "30 Sep 2022"),
        ("en", "30 September 2022"),
        ("zh-hans", "2022-09-30"),
        ("zh-hans", "2022年9月30日"),
    ],
)
def test_a_figure_date_is_accepted_as_iso_or_as_the_language_writes_it(
    people, robots, language, typed
):
    figure = services.create_measurement(
        target=robots, value="1", observed_on=dt.date(2022, 6, 30), acting_user=people["staff"]
    )
    response = in_language(people["staff"], language).post(
        f"/figures/{figure.pk}/edit/",
        {"value": "121,000.50", "observed_on": typed, "version": figure.version},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure.refresh_from_db()
    assert (figure.observed_on, figure.value) == (dt.date(2022, 9, 30), Decimal("121000.5"))


def test_an_ambiguous_date_is_refused_on_the_form_with_its_reason(people, robots):
    figure = services.create_measurement(
        target=robots, value="1", observed_on=dt.date(2022, 6, 30), acting_user=people["staff"]
    )
    response = in_language(people["staff"], "en").post(
        f"/figures/{figure.pk}/edit/",
        {"value": "5", "observed_on": "09/30/2022", "version": figure.version},
    )
    assert response.status_code == 400  # the form again, with the field and the reason
    html = response.content.decode()
    assert "Enter a valid date." in html and 'value="09/30/2022"' in html
    figure.refresh_from_db()
    assert figure.observed_on == dt.date(2022, 6, 30) and figure.value == Decimal("1")
