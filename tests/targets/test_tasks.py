"""The recompute tasks, run eagerly and by a real Celery worker on Redis."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from enterprises.models import Enterprise
from targets.models import Measurement, Progress, Target
from targets.tasks import recompute_all
from tests.workers import wait_for

AS_OF = dt.date(2021, 6, 30)


def _recognise_leading(n: int, on: dt.date) -> None:
    Enterprise.objects.bulk_create(
        Enterprise(name_zh=f"测试企业{i}", city="hangzhou", tier="leading", recognised_on=on)
        for i in range(n)
    )


def _approve(target: Target, value: str, observed_on: dt.date, reviewer) -> Measurement:
    at = timezone.make_aware(dt.datetime.combine(observed_on + dt.timedelta(days=5), dt.time(10)))
    return Measurement.objects.create(
        target=target,
        value=Decimal(value),
        observed_on=observed_on,
        state="approved",
        created_by=reviewer,
        created_at=at,
        submitted_by=reviewer,
        submitted_at=at,
        reviewed_by=reviewer,
        reviewed_at=at,
    )


def test_recompute_counts_register_and_latest_approved_figure(plan, make_user):
    reviewer = make_user("rev", "reviewer")
    _recognise_leading(4, dt.date(2020, 5, 1))
    _recognise_leading(2, dt.date(2022, 1, 1))  # after AS_OF: must not count
    robots = Target.objects.get(code="robots-in-service")
    _approve(robots, "90000", dt.date(2020, 12, 31), reviewer)
    _approve(robots, "101000", dt.date(2021, 3, 31), reviewer)
    _approve(robots, "120000", dt.date(2021, 12, 31), reviewer)  # describes a later date

    summary = recompute_all(AS_OF.isoformat())

    assert summary["targets"] == Target.objects.count() == 15
    leading = Progress.objects.get(target__code="ent-leading", as_of=AS_OF)
    assert leading.current_value == 4
    assert leading.current_date == AS_OF
    robots_now = Progress.objects.get(target__code="robots-in-service", as_of=AS_OF)
    assert robots_now.current_value == Decimal("101000")
    assert robots_now.current_date == dt.date(2021, 3, 31)
    density = Progress.objects.get(target__code="robot-density", as_of=AS_OF)
    assert density.current_value is None


def test_recompute_twice_gives_the_same_rows(plan):
    _recognise_leading(3, dt.date(2020, 5, 1))
    recompute_all(AS_OF.isoformat())
    first = list(Progress.objects.order_by("target_id").values("target_id", "current_value"))
    recompute_all(AS_OF.isoformat())
    second = list(Progress.objects.order_by("target_id").values("target_id", "current_value"))
    assert first == second
    assert Progress.objects.filter(as_of=AS_OF).count() == 15


@pytest.mark.worker
def test_a_real_worker_on_redis_runs_the_recompute(plan, celery_worker):
    _recognise_leading(7, dt.date(2020, 5, 1))
    assert not Progress.objects.filter(as_of=AS_OF).exists()

    recompute_all.delay(AS_OF.isoformat())

    wait_for(
        lambda: Progress.objects.filter(target__code="ent-leading", as_of=AS_OF).exists(),
        what="the worker to write progress rows",
    )
    assert Progress.objects.get(target__code="ent-leading", as_of=AS_OF).current_value == 7
    assert "targets.tasks.recompute_all" in celery_worker.log.read_text()
