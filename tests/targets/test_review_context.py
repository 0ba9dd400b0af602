"""What the review page says beside a submitted figure (targets.review_context): the previous
approved value and its date, the change and the change in percent, the required path on the
figure's date, and the warnings of an implausible change (docs/progress.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from targets import progress as method
from targets import services
from targets.baselines import effective_baseline
from targets.models import Measurement, Target
from targets.recompute import spec_for
from targets.review_context import counts_up, review_context
from tests.targets.factories import approved_figure
from tests.web import client_for
from zjai.templatetags.zjai import format_number

DAY = dt.date(2022, 6, 30)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def submitted(target, who, value, day=DAY) -> Measurement:
    figure = services.create_measurement(
        target=target, value=value, observed_on=day, acting_user=who
    )
    return services.submit_measurement(figure, acting_user=who)


def test_without_an_earlier_approved_figure_there_is_no_change(people, robots):
    figure = submitted(robots, people["staff"], "120000")
    context = review_context(figure)
    assert context.previous is None
    assert context.change is None and context.change_percent is None
    assert context.warnings == []
    # The required path is still there: the method's own, on the figure's date.
    assert context.required == pytest.approx(
        method.expected_value(spec_for(robots, effective_baseline(robots, DAY)), DAY)
    )
    assert context.from_required == pytest.approx(120000 - context.required)


def test_the_previous_value_is_the_newest_approved_strictly_before_the_date(people, robots):
    approved_figure(robots, "90000", dt.date(2021, 12, 31), people["reviewer"])
    approved_figure(robots, "100000", dt.date(2022, 3, 31), people["reviewer"])
    # Approved for the figure's own date (it would be superseded) and after it: not "previous".
    approved_figure(robots, "111000", DAY, people["reviewer"])
    approved_figure(robots, "130000", dt.date(2022, 9, 30), people["reviewer"])
    figure = submitted(robots, people["staff"], "110000")
    context = review_context(figure)
    assert context.previous is not None
    assert context.previous.value == Decimal("100000")
    assert context.previous.observed_on == dt.date(2022, 3, 31)
    assert context.change == Decimal("10000")
    assert context.change_percent == pytest.approx(10.0)
    assert context.largest_change == Decimal("10000")  # 90,000 → 100,000
    assert context.history_size == 2
    assert context.warnings == []


def test_no_percent_from_a_previous_value_of_zero(people, robots):
    approved_figure(robots, "0", dt.date(2022, 3, 31), people["reviewer"])
    context = review_context(submitted(robots, people["staff"], "500"))
    assert context.change == Decimal("500")
    assert context.change_percent is None
    assert context.warnings == []  # no percent, and too few figures for the history rule


def test_a_cumulative_count_going_down_is_flagged(people, robots):
    assert counts_up(robots)  # 台, at least 150,000
    approved_figure(robots, "100000", dt.date(2022, 3, 31), people["reviewer"])
    with translation.override("en"):
        context = review_context(submitted(robots, people["staff"], "99000"))
    assert context.change == Decimal("-1000")
    assert len(context.warnings) == 1
    assert "100,000 on 31 Mar 2022" in context.warnings[0]


def test_a_density_going_down_is_not_a_count_going_down(people, plan):
    density = Target.objects.get(code="robot-density")  # 台/万人: a rate, not a count
    assert not counts_up(density)
    approved_figure(density, "100", dt.date(2022, 3, 31), people["reviewer"])
    assert review_context(submitted(density, people["staff"], "99")).warnings == []


def test_a_jump_far_outside_the_history_is_flagged(people, robots):
    # Consecutive changes of 2,000 and 3,000: the largest is 3,000, three times is 9,000.
    for value, day in (("95000", "2021-09-30"), ("97000", "2021-12-31"), ("100000", "2022-03-31")):
        approved_figure(robots, value, dt.date.fromisoformat(day), people["reviewer"])
    within = review_context(submitted(robots, people["staff"], "109000", day=DAY))
    assert within.largest_change == Decimal("3000") and within.history_size == 3
    assert within.warnings == []  # exactly three times: not more
    Measurement.objects.filter(state="submitted").delete()
    beyond = review_context(submitted(robots, people["staff"], "109001", day=DAY))
    assert len(beyond.warnings) == 1
    assert "9,001" in beyond.warnings[0] and "3,000" in beyond.warnings[0]


def test_with_fewer_than_three_figures_a_change_over_100_percent_is_flagged(people, robots):
    approved_figure(robots, "50000", dt.date(2022, 3, 31), people["reviewer"])
    assert review_context(submitted(robots, people["staff"], "100000")).warnings == []
    Measurement.objects.filter(state="submitted").delete()
    context = review_context(submitted(robots, people["staff"], "100001"))
    assert context.change_percent == pytest.approx(100.002)
    assert len(context.warnings) == 1 and "100%" in context.warnings[0]


def test_the_review_page_shows_the_context_and_the_warnings(people, robots):
    from tests.audit.test_history_pages import in_english

    approved_figure(robots, "100000", dt.date(2022, 3, 31), people["reviewer"])
    figure = submitted(robots, people["staff"], "90000")
    page = in_english(client_for(people["reviewer"])).get(f"/figures/{figure.pk}/review/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "previous approved value" in html and "100,000" in html
    assert "-10,000" in html and "-10%" in html  # the change, and in percent
    required = method.expected_value(spec_for(robots, effective_baseline(robots, DAY)), DAY)
    assert "required path on this date" in html
    with translation.override("en"):
        assert f'id="required">{format_number(required)} robots' in html
    assert "its figures do not go down" in html  # the cumulative count's warning
