"""A small world for report tests: the plan, people, figures approved on known past dates,
register entries recognised and accepted on known dates."""

from __future__ import annotations

import datetime as dt

import pytest

from plans.models import ResponsibleUnit
from tests.reports.bulletin_world import bulletin_world  # noqa: F401  (a fixture)
from tests.targets.factories import accept_projects, approved_figure, recognise

AS_OF = dt.date(2021, 6, 30)


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    return {
        "staff": make_user("clerk", "staff", econ),
        "reviewer": make_user("checker", "reviewer", econ),
        "admin": make_user("boss", "admin", econ),
        "auditor": make_user("eye", "auditor", econ),
        "auditor2": make_user("eye2", "auditor", econ),
    }


@pytest.fixture
def world(people):
    reviewer = people["reviewer"]
    for on, value in [
        (dt.date(2020, 6, 30), 60000),
        (dt.date(2020, 12, 31), 80000),
        (dt.date(2021, 3, 31), 95000),
    ]:
        approved_figure("robots-in-service", value, on, reviewer)
    approved_figure("robot-density", 90, dt.date(2020, 12, 31), reviewer)
    approved_figure("talent-policies", 6, dt.date(2020, 3, 31), reviewer)
    recognise(3, "leading", dt.date(2020, 5, 1))
    recognise(40, "benchmark", dt.date(2020, 9, 1))
    recognise(5, "leading", dt.date(2021, 9, 1))  # after the as-of date: does not count
    accept_projects(30, "smart_factory", dt.date(2020, 11, 30))
    accept_projects(4, "platform", dt.date(2021, 2, 1))
    return people
