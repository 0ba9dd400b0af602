"""The auditor reads everything and changes nothing: every write service refuses an auditor,
and writes nothing (not even an audit event). Changes to targets and to approved figures need
a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services import create_api_token
from audit.models import AuditEvent
from enterprises import services as enterprise_services
from plans.models import ResponsibleUnit
from projects import services as project_services
from targets import services
from targets.models import Measurement, Target
from zjai.exceptions import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("clerk", "staff", econ)
    reviewer = make_user("checker", "reviewer", econ)
    admin = make_user("boss", "admin", econ)
    auditor = make_user("eye", "auditor", econ)
    robots = Target.objects.get(code="robots-in-service")

    def figure(state: str) -> Measurement:
        m = services.create_measurement(
            target=robots, value="100", observed_on=dt.date(2021, 3, 31), acting_user=staff
        )
        if state != "draft":
            m = services.submit_measurement(m, acting_user=staff)
        if state == "approved":
            m = services.approve_measurement(m, acting_user=reviewer)
        return m

    enterprise = enterprise_services.create_enterprise(
        acting_user=staff, name_zh="丁智能", city="hangzhou"
    )
    project = project_services.create_project(
        acting_user=staff,
        name_zh="戊项目",
        kind="smart_factory",
        level="provincial",
        status="planned",
        city="ningbo",
    )
    return {
        "auditor": auditor,
        "admin": admin,
        "robots": robots,
        "draft": figure("draft"),
        "submitted": figure("submitted"),
        "approved": figure("approved"),
        "enterprise": enterprise,
        "project": project,
    }


def writes(w):
    a = w["auditor"]
    return {
        "create_measurement": lambda: services.create_measurement(
            target=w["robots"], value="1", observed_on=dt.date(2021, 3, 31), acting_user=a
        ),
        "update_measurement": lambda: services.update_measurement(
            w["draft"], acting_user=a, value="2"
        ),
        "submit_measurement": lambda: services.submit_measurement(w["draft"], acting_user=a),
        "approve_measurement": lambda: services.approve_measurement(w["submitted"], acting_user=a),
        "reject_measurement": lambda: services.reject_measurement(
            w["submitted"], acting_user=a, comment="no"
        ),
        "withdraw_measurement": lambda: services.withdraw_measurement(
            w["approved"], acting_user=a, reason="wrong"
        ),
        "report_measurement": lambda: services.report_measurement(
            target=w["robots"],
            value="1",
            observed_on=dt.date(2021, 3, 31),
            submit=True,
            acting_user=a,
        ),
        "revise_measurement": lambda: services.revise_measurement(
            w["draft"], acting_user=a, submit=True, value="2"
        ),
        "update_target": lambda: services.update_target(
            w["robots"], acting_user=a, reason="more", target_value="1"
        ),
        "set_target_units": lambda: services.set_target_units(
            w["robots"], links=[], acting_user=a, reason="none"
        ),
        "reopen_target": lambda: services.reopen_target(
            w["robots"], acting_user=a, reason="reopen"
        ),
        "create_enterprise": lambda: enterprise_services.create_enterprise(
            acting_user=a, name_zh="己智能", city="hangzhou"
        ),
        "update_enterprise": lambda: enterprise_services.update_enterprise(
            w["enterprise"], acting_user=a, name_en="x"
        ),
        "recognise_enterprise": lambda: enterprise_services.recognise_enterprise(
            w["enterprise"], tier="leading", recognised_on=dt.date(2021, 1, 1), acting_user=a
        ),
        "revoke_enterprise": lambda: enterprise_services.revoke_enterprise(
            w["enterprise"], revoked_on=dt.date(2021, 1, 1), acting_user=a, reason="x"
        ),
        "create_project": lambda: project_services.create_project(
            acting_user=a, name_zh="庚", kind="smart_factory", level="city", city="ningbo"
        ),
        "update_project": lambda: project_services.update_project(
            w["project"], acting_user=a, name_zh="辛"
        ),
        "confirm_enterprise_change": lambda: enterprise_services.confirm_enterprise_change(
            w["enterprise"], acting_user=a
        ),
        "reject_enterprise_change": lambda: enterprise_services.reject_enterprise_change(
            w["enterprise"], acting_user=a, comment="no"
        ),
        "confirm_project_change": lambda: project_services.confirm_project_change(
            w["project"], acting_user=a
        ),
        "reject_project_change": lambda: project_services.reject_project_change(
            w["project"], acting_user=a, comment="no"
        ),
        "create_api_token for someone else": lambda: create_api_token(
            owner=w["admin"], name="x", acting_user=a
        ),
    }


WRITES = [
    "create_measurement",
    "update_measurement",
    "submit_measurement",
    "approve_measurement",
    "reject_measurement",
    "withdraw_measurement",
    "report_measurement",
    "revise_measurement",
    "update_target",
    "set_target_units",
    "reopen_target",
    "create_enterprise",
    "update_enterprise",
    "recognise_enterprise",
    "revoke_enterprise",
    "create_project",
    "update_project",
    "confirm_enterprise_change",
    "reject_enterprise_change",
    "confirm_project_change",
    "reject_project_change",
    "create_api_token for someone else",
]


@pytest.mark.parametrize("name", WRITES)
def test_an_auditor_is_refused_by_every_write_service(world, name):
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(PermissionDenied):
        writes(world)[name]()
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_the_list_covers_every_public_write_service():
    import inspect

    modules = [services, enterprise_services, project_services]
    public = {
        name
        for module in modules
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__
        and "acting_user" in inspect.signature(fn).parameters
        and not name.startswith(("can_", "_"))
    }
    assert public <= {w.split(" ")[0] for w in WRITES}, public - set(WRITES)


# --- reasons -------------------------------------------------------------------------------------


def test_changing_a_target_needs_an_admin_and_a_reason(world):
    robots, admin = world["robots"], world["admin"]
    with pytest.raises(ValidationError, match="reason"):
        services.update_target(robots, acting_user=admin, reason="  ", target_value="160000")
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    changed = services.update_target(
        robots,
        acting_user=admin,
        reason="revised by the 2021 mid-term review",
        expected_version=robots.version,
        target_value="160000",
    )
    assert changed.target_value == 160000 and changed.version == robots.version + 1
    event = AuditEvent.objects.get(seq__gt=seq)
    assert event.action == "update" and event.object_id == str(robots.pk)
    assert event.before == {"target_value": "150000.0000", "version": 1}
    assert event.after == {"target_value": "160000.0000", "version": 2}
    assert event.reason == "revised by the 2021 mid-term review"
    assert event.actor == admin


def test_update_target_refuses_a_stale_version_and_unknown_fields(world):
    robots, admin = world["robots"], world["admin"]
    with pytest.raises(ConflictError):
        services.update_target(
            robots, acting_user=admin, reason="r", expected_version=99, weight="2"
        )
    with pytest.raises(ValidationError):
        services.update_target(robots, acting_user=admin, reason="r", code="other")
    with pytest.raises(ValidationError):  # the model's own checks: no negative target
        services.update_target(robots, acting_user=admin, reason="r", target_value="-5")


def test_update_target_recomputes_after_commit(world, django_capture_on_commit_callbacks):
    robots, admin = world["robots"], world["admin"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.update_target(robots, acting_user=admin, reason="r", weight="2")
    assert len(callbacks) == 1
    robots.refresh_from_db()
    assert robots.dirty_since is not None


def test_withdrawing_an_approved_figure_needs_a_reason(world):
    with pytest.raises(ValidationError, match="reason"):
        services.withdraw_measurement(world["approved"], acting_user=world["admin"], reason="")
    withdrawn = services.withdraw_measurement(
        world["approved"], acting_user=world["admin"], reason="duplicate of the Q1 figure"
    )
    event = AuditEvent.objects.filter(action="withdraw").get()
    assert event.reason == "duplicate of the Q1 figure"
    assert event.before["state"] == "approved" and event.after["state"] == "withdrawn"
    assert withdrawn.state == "withdrawn"
