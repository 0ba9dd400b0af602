"""The chart's series of approved figures: the figure that counted at the end of each month,
as of a date, the same through the month-by-month query (PostgreSQL) and the grouped one
(SQLite); and kept in the cache only until the target's progress is computed again."""

from __future__ import annotations

import datetime as dt

import pytest

from targets import series
from targets.models import Measurement, Progress, Target
from targets.services import recompute_progress
from tests.targets.factories import approved_figure


@pytest.fixture
def robots(plan) -> Target:
    return Target.objects.get(code="robots-in-service")


@pytest.fixture
def reviewer(make_user, plan):
    from plans.models import ResponsibleUnit

    return make_user("checker", "reviewer", ResponsibleUnit.objects.get(code="econ-it"))


@pytest.fixture
def figures(robots, reviewer) -> None:
    def figure(value, on, approved_on=None):
        return approved_figure(robots, value, on, reviewer, approved_on)

    figure(100, dt.date(2020, 1, 10))
    first = figure(110, dt.date(2020, 1, 31))  # the month's last day reported: counts for January
    Measurement.objects.filter(pk=first.pk).update(state="submitted")
    # Approved later for the same day: supersedes the first from then on.
    second = figure(120, dt.date(2020, 1, 31), approved_on=dt.date(2020, 2, 20))
    Measurement.objects.filter(pk=first.pk).update(
        state="superseded", superseded_by=second, superseded_at=second.reviewed_at
    )
    # Nothing in February or March: no point for them.
    figure(200, dt.date(2020, 4, 15))
    withdrawn = figure(999, dt.date(2020, 4, 30))  # withdrawn in May: counts only before
    Measurement.objects.filter(pk=withdrawn.pk).update(
        state="withdrawn",
        withdrawn_at=withdrawn.reviewed_at + dt.timedelta(days=20),
        withdrawn_by=reviewer,
    )
    figure(300, dt.date(2020, 5, 31), approved_on=dt.date(2020, 7, 1))  # approved after June


EXPECTED = {
    # As of 2020-05-31 the April figure withdrawn on 2020-05-25 no longer counts; May's figure
    # is approved only in July.
    dt.date(2020, 5, 31): [(dt.date(2020, 1, 31), 120.0), (dt.date(2020, 4, 15), 200.0)],
    # As of 2020-05-10 the withdrawal had not happened yet.
    dt.date(2020, 5, 10): [(dt.date(2020, 1, 31), 120.0), (dt.date(2020, 4, 30), 999.0)],
    dt.date(2020, 7, 31): [
        (dt.date(2020, 1, 31), 120.0),
        (dt.date(2020, 4, 15), 200.0),
        (dt.date(2020, 5, 31), 300.0),
    ],
    dt.date(2019, 12, 31): [],
}


@pytest.mark.parametrize("as_of", list(EXPECTED))
def test_the_figure_that_counted_at_each_months_end(robots, figures, as_of):
    assert series.approved_series(robots, as_of) == EXPECTED[as_of]
    approved = Measurement.objects.approved_as_of(as_of).filter(target=robots)
    assert series._approved_series_grouped(approved) == EXPECTED[as_of]


def test_the_cached_series_follows_the_progress(robots, reviewer, figures):
    recompute_progress(dt.date(2020, 7, 31))
    progress = Progress.objects.get(target=robots, as_of=dt.date(2020, 7, 31))
    first = series.charted_series(robots, progress, progress.as_of)
    assert first == EXPECTED[dt.date(2020, 7, 31)]
    # A figure written without a recompute is not seen: the chart matches the progress shown.
    approved_figure(robots, 350, dt.date(2020, 6, 30), reviewer)
    assert series.charted_series(robots, progress, progress.as_of) == first
    recompute_progress(dt.date(2020, 7, 31))
    progress = Progress.objects.get(target=robots, as_of=dt.date(2020, 7, 31))
    assert series.charted_series(robots, progress, progress.as_of)[-1] == (
        dt.date(2020, 6, 30),
        350.0,
    )


def test_a_counted_targets_chart_covers_the_whole_plan_period(plan, make_user):
    """Seven years after the plan's start the chart still begins at its first quarter end (it
    once kept only the last six years: leading enterprises began at 2021-03-31), on the page
    and in its table of values alike."""
    from django.conf import settings
    from django.test import Client

    from plans.models import ResponsibleUnit
    from tests.targets.factories import recognise

    leading = Target.objects.get(code="ent-leading")
    recognise(2, "leading", dt.date(2019, 2, 1))
    for day in (dt.date(2019, 3, 31), dt.date(2019, 6, 30), dt.date(2026, 3, 31)):
        recompute_progress(day, target_ids=[leading.pk])
    as_of = dt.date(2026, 3, 31)
    points = series.actual_series(leading, as_of)
    assert points[0] == (dt.date(2019, 3, 31), 2.0)
    assert series.chart_period(leading, as_of) == (dt.date(2019, 1, 1), as_of)

    client = Client()
    client.force_login(make_user("boss", "admin", ResponsibleUnit.objects.get(code="econ-it")))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/plans/{leading.plan.code}/targets/{leading.code}/")
    rows = page.context["chart_rows"]
    assert rows[0][0] == dt.date(2019, 3, 31) and rows[-1][0] == as_of
    # The time axis starts with the plan: 2020 is the first year line, 2019 is on the chart.
    assert ">2020</text>" in page.content.decode()
