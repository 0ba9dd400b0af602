"""Each list endpoint issues as many queries for a page of 10 rows as for a page of 500 of 1,000.

For every list, 10 rows and then 1,000 rows are added, each set marked so that one `search=`
(or, for a target's history, one target) selects exactly it; the page of 10 and the page of
500 (the maximum) must cost the same number of queries. An N+1 (a related object or a role
check per row) shows up as hundreds of extra queries, and the failure prints them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.fixtures import OWN_TARGET, World

SMALL, LARGE = 10, 1000


def _plans(marker: str, n: int, world: World) -> str:
    from plans.models import Plan

    Plan.objects.bulk_create(
        Plan(
            code=f"{marker}-{i}",
            title_zh=f"{marker}计划{i}",
            title_en=f"{marker} plan {i}",
            period_start=dt.date(2019, 1, 1),
            period_end=dt.date(2022, 12, 31),
        )
        for i in range(n)
    )
    return f"/api/v1/plans/?search={marker}"


def _units(marker: str, n: int, world: World) -> str:
    from plans.models import ResponsibleUnit

    ResponsibleUnit.objects.bulk_create(
        ResponsibleUnit(
            code=f"{marker}-{i}",
            name_zh=f"{marker}厅{i}",
            name_en=f"{marker} dept {i}",
            kind="provincial_department",
        )
        for i in range(n)
    )
    return f"/api/v1/units/?search={marker}"


def _items(marker: str, n: int, world: World) -> str:
    from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit

    plan = Plan.objects.get(code="zj-ai-2019-2022")
    parent = PlanItem.objects.filter(plan=plan).order_by("order").first()
    start = 1_000_000 + (0 if n == SMALL else 10_000)
    items = PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            parent=parent,
            key=f"{marker}.{i}",
            kind="task",
            title_zh=f"{marker}任务{i}",
            order=start + i,
            depth=1,
        )
        for i in range(n)
    )
    unit = ResponsibleUnit.objects.get(code="econ-it")
    ItemUnit.objects.bulk_create(ItemUnit(item=i, unit=unit, order=0, is_lead=True) for i in items)
    return f"/api/v1/items/?search={marker}"


def _new_targets(marker: str, n: int, progress: bool = True) -> list[Any]:
    from plans.models import PlanItem, ResponsibleUnit
    from targets.models import Progress, Target, TargetUnit

    own = Target.objects.get(code=OWN_TARGET)
    item = PlanItem.objects.get(pk=own.item_id)
    targets = Target.objects.bulk_create(
        Target(
            plan_id=own.plan_id,
            code=f"{marker}-{i}",
            item=item,
            title_zh=f"{marker}目标{i}",
            title_en=f"{marker} target {i}",
            unit_of_measure="家",
            unit_of_measure_en="enterprises",
            target_value=Decimal(100),
            deadline=dt.date(2022, 12, 31),
            source_kind="reported",
        )
        for i in range(n)
    )
    unit = ResponsibleUnit.objects.get(code="econ-it")
    TargetUnit.objects.bulk_create(
        TargetUnit(target=t, unit=unit, order=0, is_lead=True) for t in targets
    )
    if progress:
        Progress.objects.bulk_create(
            Progress(target=t, as_of=day, status="on_track", computed_at=timezone.now())
            for t in targets
            for day in (dt.date(2022, 3, 31), dt.date(2022, 6, 30))
        )
    return targets


def _targets(marker: str, n: int, world: World) -> str:
    _new_targets(marker, n)
    return f"/api/v1/targets/?search={marker}"


def _history(marker: str, n: int, world: World) -> str:
    from targets.models import Progress

    (target,) = _new_targets(marker, 1, progress=False)
    now = timezone.now()
    Progress.objects.bulk_create(
        Progress(target=target, as_of=dt.date(2019, 1, 1) + dt.timedelta(days=i), computed_at=now)
        for i in range(n)
    )
    return f"/api/v1/targets/{target.code}/history/"


def _measurements(marker: str, n: int, world: World) -> str:
    from targets.models import Measurement, Target

    target = Target.objects.get(code=OWN_TARGET)
    staff = world.user("staff")
    now = timezone.now()
    Measurement.objects.bulk_create(
        Measurement(
            target=target,
            value=Decimal(i),
            observed_on=dt.date(2020, 1, 1),
            note=f"{marker} {i}",
            # Submitted: the list reads the same columns, and one figure per date is approved.
            state="submitted",
            created_by=staff,
            created_at=now,
            submitted_by=staff,
            submitted_at=now,
        )
        for i in range(n)
    )
    return f"/api/v1/measurements/?search={marker}"


def _enterprises(marker: str, n: int, world: World) -> str:
    from enterprises.models import Enterprise

    Enterprise.objects.bulk_create(
        Enterprise(name_zh=f"{marker}企业{i}", city="hangzhou") for i in range(n)
    )
    return f"/api/v1/enterprises/?search={marker}"


def _projects(marker: str, n: int, world: World) -> str:
    from projects.models import Project

    Project.objects.bulk_create(
        Project(name_zh=f"{marker}项目{i}", kind="major", level="city", city="hangzhou")
        for i in range(n)
    )
    return f"/api/v1/projects/?search={marker}"


def _audit_events(marker: str, n: int, world: World) -> str:
    from audit.models import AuditEvent

    start = 1_000_000 + (0 if n == SMALL else 10_000)
    admin = world.user("admin")
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            seq=start + i,
            occurred_at=now,
            actor=admin,
            actor_label=marker,
            action="update",
            object_type="test.row",
            object_id=str(i),
            object_repr=f"{marker} {i}",
            prev_hash="0" * 64,
            hash=hashlib.sha256(f"{marker}{i}".encode()).hexdigest(),
        )
        for i in range(n)
    )
    return f"/api/v1/audit-events/?search={marker}"


def _tokens(marker: str, n: int, world: World) -> str:
    from accounts.models import ApiToken

    owner = world.user("other_staff")
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user=owner,
            name=f"{marker} {i}",
            digest=hashlib.sha256(f"{marker}{i}".encode()).hexdigest(),
            created_at=now,
            created_by=world.user("admin"),
        )
        for i in range(n)
    )
    return f"/api/v1/tokens/?search={marker}"


def _notifications(marker: str, n: int, world: World) -> str:
    from notifications.models import Notification
    from plans.models import ResponsibleUnit

    unit = ResponsibleUnit.objects.get(code="econ-it")
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient_id=world.users["staff"],
            kind="approved",
            subject=f"{marker} {i}",
            key=f"{marker}-{i}",
            unit=unit,
            created_at=now,
        )
        for i in range(n)
    )
    return f"/api/v1/notifications/?search={marker}"


LISTS: dict[str, tuple[Callable[[str, int, World], str], str]] = {
    "plans": (_plans, "admin"),
    "units": (_units, "staff"),
    "items": (_items, "staff"),
    "targets": (_targets, "staff"),
    "history": (_history, "staff"),
    "measurements as staff": (_measurements, "staff"),
    "measurements as admin": (_measurements, "admin"),
    "enterprises": (_enterprises, "staff"),
    "projects": (_projects, "staff"),
    "audit-events": (_audit_events, "auditor"),
    "tokens": (_tokens, "admin"),
    "notifications": (_notifications, "staff"),
}


def queries_for(client: Any, url: str, expected_rows: int) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url + ("&" if "?" in url else "?") + "limit=500")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == expected_rows
    assert len(body["results"]) == min(expected_rows, 500)
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(name: str, world: World, as_user: Any) -> None:
    build, caller = LISTS[name]
    client = as_user(caller)
    client.get("/api/v1/")  # the token's first use of the minute records last_used_at
    small = queries_for(client, build("qcsmall", SMALL, world), SMALL)
    large = queries_for(client, build("qclarge", LARGE, world), LARGE)
    assert len(small) == len(large), "\n".join(["10 rows:", *small, "", "1,000 rows:", *large])
    assert len(small) <= 8, "\n".join(small)
