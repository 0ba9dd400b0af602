"""A published world: the report tests' world (tests/reports/conftest.py), plus what must never
reach the public (a draft figure, a figure awaiting review, a reviewer's comment on a rejected
figure), published by an administrator."""

from __future__ import annotations

import datetime as dt

import pytest

from publishing import services
from targets import services as figures
from targets.models import Target
from tests.reports.conftest import AS_OF, people, world  # noqa: F401  (fixtures)

# Words that must appear in no public answer: each is written where only staff may read it.
DRAFT_VALUE = "31415926"
PENDING_VALUE = "27182818"
REVIEW_COMMENT = "CONFIDENTIAL-REVIEW-REMARK"
EVIDENCE_NOTE = "INTERNAL-EVIDENCE-NOTE"


@pytest.fixture
def secrets(world):  # noqa: F811  (the imported fixture)
    staff, reviewer = world["staff"], world["reviewer"]
    robots = Target.objects.get(code="robots-in-service")
    figures.create_measurement(
        target=robots, value=DRAFT_VALUE, observed_on=dt.date(2021, 5, 31), acting_user=staff
    )
    pending = figures.create_measurement(
        target=robots,
        value=PENDING_VALUE,
        observed_on=dt.date(2021, 4, 30),
        acting_user=staff,
        note=EVIDENCE_NOTE,
    )
    figures.submit_measurement(pending, acting_user=staff)
    rejected = figures.create_measurement(
        target=robots, value="123456", observed_on=dt.date(2021, 2, 28), acting_user=staff
    )
    rejected = figures.submit_measurement(rejected, acting_user=staff)
    figures.reject_measurement(rejected, acting_user=reviewer, comment=REVIEW_COMMENT)
    return world


@pytest.fixture
def publication(secrets, plan):
    return services.publish(plan=plan, as_of=AS_OF, acting_user=secrets["admin"])
