"""A target that continues one of an earlier plan (issue 14, part 5): its chart draws one series
across both plans, and its page says which values are the earlier plan's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from targets.models import Target
from targets.series import continued_series
from targets.services import recompute_progress
from tests.targets.factories import approved_figure, recognise
from tests.web import client_for

pytestmark = pytest.mark.django_db

SUCCESSOR_FILE = settings.BASE_DIR / "plans" / "data" / "zj-ai-2025-2027.yaml"


@pytest.fixture
def successor(plan):
    call_command("load_action_plan", file=SUCCESSOR_FILE, verbosity=0)
    return Target.objects.get(plan__code="zj-ai-2025-2027", code="leading-10bn")


def test_the_chart_continues_the_predecessor_s_values_up_to_the_successor_s_start(
    successor, people
):
    predecessor = successor.predecessor
    assert predecessor is not None and predecessor.code == "ent-leading"
    recognise(3, "leading", dt.date(2020, 4, 1))
    recognise(4, "leading", dt.date(2022, 2, 1))
    for day in (dt.date(2020, 12, 31), dt.date(2022, 12, 31), dt.date(2025, 12, 31)):
        recompute_progress(day)
    approved_figure(successor, 12, dt.date(2025, 9, 30), people["reviewer"])

    series, earlier = continued_series(successor, None, dt.date(2026, 3, 31))

    assert [e.target for e in earlier] == [predecessor]
    start = successor.plan.period_start
    assert earlier[0].until == start
    # The earlier plan's values up to the successor's start, then the successor's own.
    assert (dt.date(2020, 12, 31), 3.0) in series and (dt.date(2022, 12, 31), 7.0) in series
    assert series[-1] == (dt.date(2025, 9, 30), 12.0)
    assert all(day <= start for day, _ in series[:-1])
    assert (dt.date(2025, 12, 31), 7.0) not in series  # the predecessor's rows after the start

    url = f"/plans/{successor.plan.code}/targets/{successor.code}/"
    page = client_for(people["staff"]).get(url).content.decode()
    assert 'id="continues-1"' in page and predecessor.title_zh in page


def test_a_target_without_predecessor_charts_its_own_values(successor, people):
    own = Target.objects.get(plan__code="zj-ai-2025-2027", code="chain-leaders")
    approved_figure(own, 1, dt.date(2025, 12, 31), people["reviewer"])
    series, earlier = continued_series(own, None, dt.date(2026, 3, 31))
    assert earlier == [] and series == [(dt.date(2025, 12, 31), 1.0)]


def test_the_successor_takes_its_baseline_when_the_predecessor_closes(successor, people):
    """`baseline_from: predecessor`: the baseline is the predecessor's verdict, taken when it is
    written (audited), and given back when an administrator reopens the predecessor."""
    from audit.models import AuditEvent
    from targets.services import close_due_targets, reopen_target

    assert successor.baseline_from_predecessor and successor.baseline_value is None
    recognise(6, "leading", dt.date(2021, 5, 1))
    close_due_targets()
    successor.refresh_from_db()
    verdict = successor.predecessor.verdict
    assert verdict.value == 6 and verdict.value_date == dt.date(2022, 12, 31)
    assert (successor.baseline_value, successor.baseline_date) == (6, dt.date(2022, 12, 31))
    event = AuditEvent.objects.filter(object_type="targets.target", action="update").latest("seq")
    assert event.object_id == str(successor.pk)
    assert "zj-ai-2019-2022:ent-leading" in event.reason

    url = f"/plans/{successor.plan.code}/targets/{successor.code}/"
    page = client_for(people["staff"]).get(url).content.decode()
    assert 'id="baseline-from-predecessor"' in page

    reopen_target(successor.predecessor, acting_user=people["admin"], reason="补报数据")
    successor.refresh_from_db()
    assert successor.baseline_value is None and successor.baseline_date is None
