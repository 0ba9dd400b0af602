"""The attack of issue 12, finding 1, through the API, and the smaller faults of finding 9 on
figures: a reviewer who changed a figure's value cannot approve it (403), before or after a
rejection, while a second reviewer can; another unit responsible for the target cannot change
or submit a unit's draft (403, even with a stale If-Match); a PATCH that changes nothing keeps
the version and writes no audit event."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import ApiClient
from tests.api.fixtures import OWN_TARGET, World

FIGURES = "/api/v1/measurements/"


@pytest.fixture
def second_reviewer(world: World) -> ApiClient:
    """Another reviewer of the lead unit (econ-it), with a token."""
    return _client_of("reviewer2", "reviewer", "econ-it")


@pytest.fixture
def sci_staff(world: World) -> ApiClient:
    """Staff of sci-tech, made a unit taking part in robots-in-service for this test."""
    from plans.models import ResponsibleUnit
    from targets import services
    from targets.models import Target

    services.set_target_units(
        Target.objects.get(code=OWN_TARGET),
        links=[
            (ResponsibleUnit.objects.get(code="econ-it"), True),
            (ResponsibleUnit.objects.get(code="sci-tech"), False),
        ],
        acting_user=world.user("admin"),
        reason="sci-tech takes part",
    )
    return _client_of("staff_sci", "staff", "sci-tech")


def _client_of(username: str, role: str, unit: str) -> ApiClient:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import create_api_token
    from plans.models import ResponsibleUnit

    user = User.objects.create_user(username=username, unit=ResponsibleUnit.objects.get(code=unit))
    user.groups.add(Group.objects.get(name=role))
    _token, key = create_api_token(owner=user, name="tests", acting_user=user)
    return ApiClient().use_token(key)


def events() -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.count()


def create(client: ApiClient, value: str = "100") -> dict[str, Any]:
    response = client.post(
        FIGURES,
        {"target": OWN_TARGET, "value": value, "observed_on": "2022-03-31"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def patch(client: ApiClient, figure: dict[str, Any], body: dict[str, Any], etag: str | None = None):
    return client.patch(
        f"{FIGURES}{figure['id']}/",
        body,
        format="json",
        HTTP_IF_MATCH=etag or f'"{figure["version"]}"',
    )


def act(client: ApiClient, figure: dict[str, Any], action: str, etag: str | None = None, **body):
    return client.post(
        f"{FIGURES}{figure['id']}/{action}/",
        body,
        format="json",
        HTTP_IF_MATCH=etag or f'"{figure["version"]}"',
    )


def test_a_reviewer_who_changed_the_value_cannot_approve_it(
    world: World, as_user: Any, second_reviewer: ApiClient
) -> None:
    staff, reviewer = as_user("staff"), as_user("reviewer")
    figure = create(staff)
    assert figure["unit"] == "econ-it" and figure["edited_by"] == ["staff"]
    changed = patch(reviewer, figure, {"value": "149999"})
    assert changed.status_code == 200, changed.content
    figure = act(staff, changed.json(), "submit").json()
    assert figure["state"] == "submitted" and figure["value"] == "149999.0000"
    assert figure["created_by"] == figure["submitted_by"] == "staff"
    assert figure["edited_by"] == ["staff", "reviewer"]

    before = events()
    for action, body in (("approve", {}), ("reject", {"comment": "偏高"})):
        refused = act(reviewer, figure, action, **body)
        assert refused.status_code == 403, refused.content
        assert "您不能审核自己创建、修改或提交过的数值" in refused.json()["detail"]
    assert events() == before
    assert reviewer.get(f"{FIGURES}{figure['id']}/").json()["state"] == "submitted"
    waiting = reviewer.get(FIGURES, {"to_review": "true"}).json()["results"]
    assert figure["id"] not in [row["id"] for row in waiting]

    waiting = second_reviewer.get(FIGURES, {"to_review": "true"}).json()["results"]
    assert figure["id"] in [row["id"] for row in waiting]
    approved = act(second_reviewer, figure, "approve", comment="核对无误")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert approved.json()["reviewed_by"] == "reviewer2"


def test_after_a_rejection_the_reviewer_who_changed_it_cannot_approve_it(
    world: World, as_user: Any, second_reviewer: ApiClient
) -> None:
    staff, reviewer = as_user("staff"), as_user("reviewer")
    figure = act(staff, create(staff), "submit").json()
    figure = act(second_reviewer, figure, "reject", comment="请附来源").json()
    assert figure["state"] == "rejected"
    figure = patch(reviewer, figure, {"value": "149999"}).json()
    assert figure["state"] == "draft"
    figure = act(staff, figure, "submit").json()
    assert act(reviewer, figure, "approve").status_code == 403
    assert act(second_reviewer, figure, "approve").status_code == 200


def test_an_administrator_who_changed_the_value_cannot_approve_it(
    world: World, as_user: Any
) -> None:
    staff, admin = as_user("staff"), as_user("admin")
    figure = patch(admin, create(staff), {"value": "149999"}).json()
    figure = act(staff, figure, "submit").json()
    assert act(admin, figure, "approve").status_code == 403
    assert act(as_user("reviewer"), figure, "approve").status_code == 200


def test_another_responsible_unit_cannot_change_or_submit_a_draft(
    world: World, as_user: Any, sci_staff: ApiClient
) -> None:
    figure = create(as_user("staff"))
    assert sci_staff.get(f"{FIGURES}{figure['id']}/").status_code == 200  # it sees the draft
    before = events()
    for etag in (None, '"99"'):  # the current version, and a stale one: 403 either way
        assert patch(sci_staff, figure, {"value": "5"}, etag).status_code == 403
        assert act(sci_staff, figure, "submit", etag).status_code == 403
    assert events() == before
    unchanged = as_user("staff").get(f"{FIGURES}{figure['id']}/").json()
    assert (unchanged["value"], unchanged["version"]) == ("100.0000", 1)
    # Its own figure of the same target it changes and submits.
    own = create(sci_staff, "7")
    assert own["unit"] == "sci-tech"
    own = patch(sci_staff, own, {"value": "8"}).json()
    assert act(sci_staff, own, "submit").json()["state"] == "submitted"


def test_another_unit_gets_403_not_412_with_a_stale_if_match(world: World, as_user: Any) -> None:
    """An approved figure is visible to every unit; withdrawing it is the lead unit's, so
    another unit's reviewer sending an old version learns that it may not (403), not that the
    figure changed meanwhile (412). (Another unit's drafts it does not see at all: 404.)"""
    approved = {"id": world.figures["own_approved"], "version": 1}  # now at version 3
    before = events()
    response = act(as_user("other_reviewer"), approved, "withdraw", reason="x")
    assert response.status_code == 403, response.content
    assert events() == before
    stale = act(as_user("reviewer"), approved, "withdraw", reason="x")
    assert stale.status_code == 412  # the right is there: then the version decides


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"value": "100"},
        {"value": "100.0000", "observed_on": "2022-03-31", "note": ""},
        {"id": None, "target": OWN_TARGET, "state": "draft", "version": 1},
    ],
    ids=["empty", "same value", "same values", "read-only fields only"],
)
def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_no_event(
    world: World, as_user: Any, body: dict[str, Any]
) -> None:
    staff = as_user("staff")
    figure = create(staff)
    if "id" in body:
        body = {**body, "id": figure["id"]}
    before = events()
    response = patch(staff, figure, body)
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1 and response.json()["value"] == "100.0000"
    assert events() == before
    assert staff.get(f"{FIGURES}{figure['id']}/").json()["version"] == 1
