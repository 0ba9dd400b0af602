"""Helpers for the browser-page tests: people of every role, computed progress, query counts.

`pytest_plugins = ["tests.web"]` is not needed: test modules import the fixtures they use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enterprises.uscc import check_character

PASSWORD = "pw-Test-12345"


@pytest.fixture
def people(plan, make_user):
    """One user of each role in the Department of Economy and IT (lead of most targets), plus
    staff and a reviewer of other units, and a signed-in user without a role."""
    from plans.models import ResponsibleUnit

    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    talent = ResponsibleUnit.objects.get(code="talent-office")
    from accounts.models import User

    return {
        "admin": make_user("admin1", "admin", econ),
        "reviewer": make_user("reviewer1", "reviewer", econ),
        "reviewer2": make_user("reviewer2", "reviewer", econ),
        "staff": make_user("staff1", "staff", econ),
        "auditor": make_user("auditor1", "auditor", econ),
        "staff_sci": make_user("staff_sci1", "staff", sci),
        "reviewer_sci": make_user("reviewer_sci1", "reviewer", sci),
        "staff_talent": make_user("staff_talent1", "staff", talent),
        "norole": User.objects.create_user("norole1", password=PASSWORD, unit=econ),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def credit_code(counter: int, division: str = "330100") -> str:
    """A valid unified social credit code (GB 32100-2015) for test enterprises."""
    first17 = f"91{division}{counter:09d}"
    return first17 + check_character(first17)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def figures(target, user, n: int, state: str = "approved", start=dt.date(2020, 1, 1)):
    """n figures of a target in a state, written directly (fixtures, not the workflow)."""
    from targets.models import Measurement

    rows = []
    for i in range(n):
        day = start + dt.timedelta(days=i)
        at = aware(day + dt.timedelta(days=3))
        reviewed = state in ("approved", "rejected", "withdrawn")
        rows.append(
            Measurement(
                target=target,
                unit_id=user.unit_id,
                value=Decimal(1000 + i),
                observed_on=day,
                state=state,
                created_by=user,
                created_at=at,
                submitted_by=user if state != "draft" else None,
                submitted_at=at if state != "draft" else None,
                reviewed_by=user if reviewed else None,
                reviewed_at=at if reviewed else None,
                withdrawn_by=user if state == "withdrawn" else None,
                withdrawn_at=at if state == "withdrawn" else None,
            )
        )
    return Measurement.objects.bulk_create(rows)


def count_queries(client: Client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response


def assert_same_queries(client: Client, url: str, grow) -> None:
    """The page issues as many queries after `grow()` adds rows as before."""
    before, _ = count_queries(client, url)
    grow()
    after, _ = count_queries(client, url)
    assert before == after, f"{url}: {before} queries before, {after} after adding rows"
