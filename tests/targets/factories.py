"""Small builders for target tests: register entries and figures in a given state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enterprises.models import Enterprise
from projects.models import Project
from targets.models import Measurement, Target


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def recognise(n: int, tier: str, on: dt.date, city: str = "hangzhou") -> None:
    Enterprise.objects.bulk_create(
        Enterprise(name_zh=f"企业{tier}{on}{i}", city=city, tier=tier, recognised_on=on)
        for i in range(n)
    )


def accept_projects(
    n: int, kind: str, on: dt.date, level: str = "provincial", city: str = "hangzhou", **extra
) -> None:
    Project.objects.bulk_create(
        Project(
            name_zh=f"项目{kind}{on}{i}",
            kind=kind,
            level=level,
            status="accepted",
            city=city,
            start_date=on - dt.timedelta(days=200),
            accepted_on=on,
            **extra,
        )
        for i in range(n)
    )


def approved_figure(
    target: Target | str, value, observed_on: dt.date, reviewer, approved_on: dt.date | None = None
) -> Measurement:
    if isinstance(target, str):
        target = Target.objects.get(code=target)
    at = aware(approved_on or observed_on + dt.timedelta(days=5))
    return Measurement.objects.create(
        target=target,
        value=Decimal(str(value)),
        observed_on=observed_on,
        state="approved",
        created_by=reviewer,
        created_at=at,
        submitted_by=reviewer,
        submitted_at=at,
        reviewed_by=reviewer,
        reviewed_at=at,
    )
