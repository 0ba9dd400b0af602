"""A target's baseline when the plan states none (docs/progress.md, "The baseline"): the
reported figures give it (robots in service started near 80,000, not at 0), an administrator
may set one (audited, with a reason), and the plan's own baseline wins over both. The required
path, the recompute and the target page all start from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from targets import progress as method
from targets import services
from targets.baselines import effective_baseline
from targets.choices import BaselineSource
from targets.models import Progress, Target
from targets.series import target_chart
from tests.targets.factories import approved_figure

pytestmark = pytest.mark.django_db

PLAN_START = dt.date(2019, 1, 1)
AS_OF = dt.date(2021, 6, 30)


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    admin = make_user("boss", "admin", econ)
    admin.is_staff = admin.is_superuser = True  # for the Django admin's pages
    admin.save(update_fields=["is_staff", "is_superuser"])
    return {"admin": admin, "reviewer": make_user("checker", "reviewer", econ)}


@pytest.fixture
def robots(plan) -> Target:
    robots = Target.objects.get(code="robots-in-service")
    assert robots.baseline_value is None  # the plan states no baseline for it
    return robots


def expected_on(target: Target, day: dt.date) -> float:
    return Progress.objects.get(target=target, as_of=day).expected_value


def test_robots_path_starts_at_the_figure_for_the_plans_start_not_at_zero(robots, people):
    reviewer = people["reviewer"]
    approved_figure(robots, 76000, dt.date(2017, 12, 31), reviewer)
    approved_figure(robots, 80000, dt.date(2018, 12, 31), reviewer)  # the last before the start
    approved_figure(robots, 101000, dt.date(2021, 3, 31), reviewer)

    baseline = effective_baseline(robots, AS_OF)
    assert (baseline.value, baseline.on, baseline.source) == (
        Decimal(80000),
        dt.date(2018, 12, 31),
        BaselineSource.FIRST_FIGURE,
    )
    chart = target_chart(robots, AS_OF)
    assert chart.required[0] == (dt.date(2018, 12, 31), 80000.0)
    assert chart.required[-1] == (robots.deadline, float(robots.target_value))
    # The recompute measures from the same point: the pace from 80,000, not from 0.
    services.recompute_progress(AS_OF)
    spec = chart.spec
    assert expected_on(robots, AS_OF) == pytest.approx(method.expected_value(spec, AS_OF))
    assert expected_on(robots, AS_OF) > 80000
    row = Progress.objects.get(target=robots, as_of=AS_OF)
    made = (101000 - 80000) / method.years(dt.date(2018, 12, 31), dt.date(2021, 3, 31))
    needed = (float(robots.target_value) - 80000) / method.years(
        dt.date(2018, 12, 31), robots.deadline
    )
    assert row.pace_ratio == pytest.approx(made / needed)


def test_without_a_figure_at_the_start_the_earliest_figure_is_the_baseline(robots, people):
    reviewer = people["reviewer"]
    approved_figure(robots, 82000, dt.date(2019, 6, 30), reviewer)
    approved_figure(robots, 95000, dt.date(2020, 12, 31), reviewer)
    baseline = effective_baseline(robots, AS_OF)
    assert (baseline.value, baseline.on, baseline.source) == (
        Decimal(82000),
        dt.date(2019, 6, 30),
        BaselineSource.EARLIEST_FIGURE,
    )
    # As of a date before any figure counted: nothing to start from but zero at the start.
    before = effective_baseline(robots, dt.date(2019, 3, 31))
    assert (before.value, before.on, before.source) == (0, PLAN_START, BaselineSource.ZERO)


def test_a_figure_approved_after_the_instant_known_does_not_move_the_baseline(robots, people):
    """An edition (D, K) keeps its baseline: a first figure approved after K is not used."""
    from zjai.dates import end_of_day

    reviewer = people["reviewer"]
    approved_figure(robots, 90000, dt.date(2020, 6, 30), reviewer)
    approved_figure(robots, 80000, dt.date(2018, 12, 31), reviewer, approved_on=dt.date(2021, 5, 1))
    known_at = end_of_day(dt.date(2021, 1, 1))
    earlier = effective_baseline(robots, AS_OF, known_at)
    assert (earlier.value, earlier.source) == (90000, BaselineSource.EARLIEST_FIGURE)
    now = effective_baseline(robots, AS_OF)
    assert (now.value, now.source) == (80000, BaselineSource.FIRST_FIGURE)


def test_an_administrators_baseline_is_audited_and_used(robots, people):
    reviewer, admin = people["reviewer"], people["admin"]
    approved_figure(robots, 80000, dt.date(2018, 12, 31), reviewer)
    approved_figure(robots, 101000, dt.date(2021, 3, 31), reviewer)
    with pytest.raises(ValidationError):
        services.update_target(
            robots, acting_user=admin, reason=" ", admin_baseline_value=Decimal(78500)
        )
    services.update_target(
        robots,
        acting_user=admin,
        reason="统计局核定的 2018 年末存量",
        admin_baseline_value=Decimal(78500),
        admin_baseline_date=dt.date(2018, 12, 31),
    )
    event = AuditEvent.objects.filter(object_id=str(robots.pk), action="update").get()
    assert event.after["admin_baseline_value"] == "78500.0000"
    assert event.after["admin_baseline_date"] == "2018-12-31"
    assert event.before["admin_baseline_value"] is None
    assert event.reason == "统计局核定的 2018 年末存量"
    robots.refresh_from_db()
    baseline = effective_baseline(robots, AS_OF)
    assert (baseline.value, baseline.source) == (78500, BaselineSource.ADMINISTRATOR)
    services.recompute_progress(AS_OF)
    assert expected_on(robots, AS_OF) == pytest.approx(
        method.expected_value(target_chart(robots, AS_OF).spec, AS_OF)
    )
    assert target_chart(robots, AS_OF).required[0] == (dt.date(2018, 12, 31), 78500.0)


def test_the_plans_baseline_wins_over_the_administrators_and_the_figures(robots, people):
    approved_figure(robots, 80000, dt.date(2018, 12, 31), people["reviewer"])
    services.update_target(
        robots,
        acting_user=people["admin"],
        reason="set",
        admin_baseline_value=Decimal(78500),
        admin_baseline_date=dt.date(2018, 12, 31),
    )
    # The plan file's baseline (the loader writes it; no service offers it for change).
    Target.objects.filter(pk=robots.pk).update(
        baseline_value=Decimal(75000), baseline_date=dt.date(2018, 12, 31)
    )
    robots.refresh_from_db()
    baseline = effective_baseline(robots, AS_OF)
    assert (baseline.value, baseline.source) == (75000, BaselineSource.PLAN)
    with pytest.raises(ValidationError) as refused:
        services.update_target(
            robots, acting_user=people["admin"], reason="r", baseline_value=Decimal(1)
        )
    assert "baseline_value" in refused.value.message_dict


def test_counted_targets_start_from_zero_at_the_plans_start(plan):
    leading = Target.objects.get(code="ent-leading")
    baseline = effective_baseline(leading, AS_OF)
    assert (baseline.value, baseline.on, baseline.source) == (0, PLAN_START, BaselineSource.ZERO)


def test_the_admin_form_sets_the_baseline_with_a_reason_and_wants_its_date(robots, people):
    from tests.audit.test_write_paths import _admin_form_data

    client = Client()
    client.force_login(people["admin"])
    url = f"/admin/targets/target/{robots.pk}/change/"
    data = _admin_form_data(client.get(url))
    data.update(admin_baseline_value="78500", audit_reason="核定基期")
    missing_date = client.post(url, data)
    assert missing_date.status_code == 200
    assert missing_date.context["adminform"].form.errors["admin_baseline_date"]
    data.update(admin_baseline_date="2018-12-31")
    assert client.post(url, data).status_code == 302
    robots.refresh_from_db()
    assert (robots.admin_baseline_value, robots.admin_baseline_date) == (
        78500,
        dt.date(2018, 12, 31),
    )
    event = AuditEvent.objects.filter(object_id=str(robots.pk), action="update").get()
    assert event.reason == "核定基期"


def test_the_target_page_names_the_baseline_and_its_source(robots, people):
    approved_figure(robots, 80000, dt.date(2018, 12, 31), people["reviewer"])
    approved_figure(robots, 101000, dt.date(2021, 3, 31), people["reviewer"])
    services.recompute_progress(AS_OF)
    client = Client()
    client.force_login(people["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/plans/{robots.plan.code}/targets/{robots.code}/").content.decode()
    source = "the approved figure for the plan&#x27;s start or the last before it"
    assert 'id="baseline-source"' in page and source in page
    # The chart names it in its legend too, beside its hollow diamond.
    assert "baseline 80,000" in page and "<polygon" in page
