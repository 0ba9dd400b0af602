"""Fixtures of the API tests (registered as a pytest plugin in tests/conftest.py).

`api_world` builds, once per test module and committed, the plan plus one user per role in our
unit (econ-it) and two in another unit (talent-office), each with a token, and figures,
enterprises and projects of both units in every state, all written through the service
functions. Each test still runs in its own transaction, rolled back afterwards, so a test that
writes leaves the world as it found it; the module's end empties the database again.

Loading the plan takes seconds (every row is audited); sharing one world per module is what
keeps a table of hundreds of endpoint × role × unit cases, and schemathesis, fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from tests.api.client import ApiClient

OWN_UNIT = "econ-it"
OTHER_UNIT = "talent-office"
OWN_TARGET = "robots-in-service"  # reported, led by econ-it
OTHER_TARGET = "talent-policies"  # reported, led by talent-office
ROLES = ("admin", "reviewer", "staff", "auditor")
WORLD_NOTICE = "api-world"  # the key of the notice every user of the world has
# Rates no test reaches, except the throttling test that sets its own.
UNTHROTTLED = {"user": "1000000/minute", "write": "1000000/minute"}


@dataclass
class World:
    """Ids and keys of what api_world built; objects are re-read by each test as needed."""

    users: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    audit_seq: int = 0
    history_dates: tuple[dt.date, ...] = ()
    # Task reports, milestones and supervision notices of both units (_write_task_reports).
    items: dict[str, int] = field(default_factory=dict)
    task_reports: dict[str, int] = field(default_factory=dict)
    milestones: dict[str, int] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)

    def user(self, name: str) -> Any:
        from accounts.models import User

        return User.objects.get(pk=self.users[name])

    def notice(self, name: str) -> int:
        """The id of the world's notice to `name`."""
        from notifications.models import Notification

        return Notification.objects.get(key=WORLD_NOTICE, recipient_id=self.users[name]).pk


def _build_world() -> World:
    """The world, written through the services. The recomputes the services queue after each
    approval or register change are skipped (a dozen full recomputes): the world is computed
    once at the end instead, for two past dates and today."""
    from targets import services

    with mock.patch.object(services, "enqueue_recompute"):
        world = _write_world()
    from targets.services import recompute_progress

    for as_of in (*world.history_dates, None):  # None: today
        recompute_progress(as_of)
    from audit.models import AuditEvent

    world.audit_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return world


def _write_world() -> World:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import create_api_token, ensure_role_groups
    from enterprises.models import Enterprise
    from enterprises.services import confirm_enterprise_change, create_enterprise
    from plans.models import ResponsibleUnit
    from portfolio.services import load_plan
    from projects.models import Project
    from projects.services import confirm_project_change, create_project
    from targets import services
    from targets.models import Target
    from tests.conftest import _plan_spec

    world = World()
    load_plan(_plan_spec())  # parsed once per session, shared with the `plan` fixture
    ensure_role_groups()
    own = ResponsibleUnit.objects.get(code=OWN_UNIT)
    other = ResponsibleUnit.objects.get(code=OTHER_UNIT)
    people = {
        "admin": ("admin", own),
        "reviewer": ("reviewer", own),
        "staff": ("staff", own),
        "auditor": ("auditor", own),
        "other_reviewer": ("reviewer", other),
        "other_staff": ("staff", other),
    }
    for name, (role, unit) in people.items():
        # No password: API clients use tokens, and hashing one costs half a second each.
        user = User.objects.create_user(username=name, unit=unit)
        user.groups.add(Group.objects.get(name=role))
        world.users[name] = user.pk
        token, key = create_api_token(owner=user, name=f"{name} tests", acting_user=user)
        world.keys[name] = key
        world.token_ids[name] = token.pk
        spare, _key = create_api_token(owner=user, name=f"{name} spare", acting_user=user)
        world.token_ids[f"{name}_spare"] = spare.pk
    u = {name: User.objects.get(pk=pk) for name, pk in world.users.items()}

    def figure(target: str, staff: Any, reviewer: Any, state: str, value: str) -> int:
        m = services.create_measurement(
            target=Target.objects.get(code=target),
            value=value,
            # The approved figure describes June; the others the quarter before, so approving
            # one of them in a test adds a figure rather than superseding the approved one.
            observed_on=dt.date(2021, 6, 30) if state == "approved" else dt.date(2021, 3, 31),
            note="季报",
            acting_user=staff,
        )
        if state in ("submitted", "approved", "rejected"):
            m = services.submit_measurement(m, acting_user=staff)
        if state == "approved":
            m = services.approve_measurement(m, acting_user=reviewer, comment="ok")
        if state == "rejected":
            m = services.reject_measurement(m, acting_user=reviewer, comment="source?")
        return m.pk

    for side, target, staff, reviewer in (
        ("own", OWN_TARGET, u["staff"], u["reviewer"]),
        ("other", OTHER_TARGET, u["other_staff"], u["other_reviewer"]),
    ):
        for state in ("draft", "submitted", "approved", "rejected"):
            world.figures[f"{side}_{state}"] = figure(target, staff, reviewer, state, "1200")
        # Created by staff, confirmed by their unit's reviewer (four eyes): the world's
        # entries count, as a register's usually do.
        world.enterprises[side] = create_enterprise(
            acting_user=staff,
            name_zh=f"演示企业{side}",
            city="hangzhou",
            sector="robots",
            tier="specialised",
            recognised_on=dt.date(2020, 5, 1),
        ).pk
        world.projects[side] = create_project(
            acting_user=staff,
            name_zh=f"演示项目{side}",
            kind="smart_factory",
            level="provincial",
            status="under_construction",
            city="ningbo",
            start_date=dt.date(2020, 3, 1),
        ).pk
        confirm_enterprise_change(
            Enterprise.objects.get(pk=world.enterprises[side]), acting_user=reviewer
        )
        confirm_project_change(Project.objects.get(pk=world.projects[side]), acting_user=reviewer)
    # One notice for every user (the figure workflow has told some of them already).
    from notifications.services import notify

    notify(kind="due_soon", recipients=u.values(), subject="测试通知", key=WORLD_NOTICE)
    world.history_dates = (dt.date(2021, 12, 31), dt.date(2022, 6, 30))
    _write_task_reports(world, u)
    return world


OWN_TASK = "II.2.1"  # led by econ-it (sci-tech takes part)
OTHER_TASK = "IV.6"  # led by talent-office (education, sci-tech, hrss take part)


def _write_task_reports(world: World, u: dict[str, Any]) -> None:
    """Reports of both units in every state, a milestone each, and a notice to each side:
    ours (to econ-it, by its administrator) and theirs (to sci-tech, by talent-office)."""
    from plans.models import PlanItem, ResponsibleUnit
    from taskreports import services
    from taskreports.periods import periods_of

    own_item = PlanItem.objects.get(plan__code="zj-ai-2019-2022", key=OWN_TASK)
    other_item = PlanItem.objects.get(plan__code="zj-ai-2019-2022", key=OTHER_TASK)
    world.items = {"own": own_item.pk, "other": other_item.pk}
    quarters = [p for p in periods_of(own_item.plan) if p.start.year == 2021]
    for side, item, staff, reviewer in (
        ("own", own_item, u["staff"], u["reviewer"]),
        ("other", other_item, u["other_staff"], u["other_reviewer"]),
    ):
        for quarter, state in zip(
            quarters, ("draft", "submitted", "approved", "returned"), strict=True
        ):
            made = services.create_report(
                item=item,
                unit=staff.unit,
                period_start=quarter.start,
                status="in_progress",
                work_done="季度进展",
                acting_user=staff,
            )
            if state != "draft":
                made = services.submit_report(made, acting_user=staff)
            if state == "approved":
                made = services.approve_report(made, acting_user=reviewer, comment="同意")
            if state == "returned":
                made = services.return_report(made, acting_user=reviewer, comment="请补充")
            world.task_reports[f"{side}_{state}"] = made.pk
        world.milestones[side] = services.create_milestone(
            item=item,
            unit=staff.unit,
            due_on=dt.date(2021, 6, 30),
            description="阶段目标",
            acting_user=staff,
        ).pk
    reply_by = dt.date(2099, 12, 31)
    world.notices["own"] = services.issue_notice(
        unit=u["staff"].unit,
        item=own_item,
        subject="请报送进展",
        text="请报送。",
        reply_by=reply_by,
        acting_user=u["admin"],
    ).pk
    world.notices["other"] = services.issue_notice(
        unit=ResponsibleUnit.objects.get(code="sci-tech"),
        item=other_item,
        subject="请说明滞后原因",
        text="请说明。",
        reply_by=reply_by,
        acting_user=u["other_reviewer"],
    ).pk


@pytest.fixture(scope="module")
def api_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The committed world of this module (see the module docstring)."""
    from zjai.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # approvals recompute in-process, not via Redis
    try:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            world = _build_world()
        yield world
    finally:
        app.conf.task_always_eager = eager
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(api_world: World, db: Any) -> World:
    """api_world inside this test's transaction."""
    return api_world


@pytest.fixture(autouse=True)
def _unthrottled_api(settings: Any) -> Iterator[None]:
    """Generous rates for every test (the throttling test lowers them itself), and an empty
    cache: throttle counters and cached list pages (keyed by the audit chain's length, which
    a rolled-back test reuses) must not leak from one test into the next."""
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNTHROTTLED}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_user(world: World) -> Any:
    """as_user("staff") → a schema-validating client sending that user's token;
    as_user(None) → one without credentials."""

    def make(name: str | None) -> ApiClient:
        return ApiClient().use_token(world.keys[name] if name else None)

    return make


def world_publication(world: World) -> Any:
    """The world's publication of its plan as of 2021-06-30, published in the test's own
    transaction the first time a row names it (building one costs the edition's report)."""
    import datetime as dt

    from plans.models import Plan
    from publishing.models import Publication
    from publishing.services import publish

    found = Publication.objects.order_by("pk").first()
    if found is not None:
        return found
    plan = Plan.objects.get(code="zj-ai-2019-2022")
    return publish(plan=plan, as_of=dt.date(2021, 6, 30), acting_user=world.user("admin"))
