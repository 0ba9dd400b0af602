"""One approved figure per target and date through the API (issue 13, part 4): approving a
figure for a date that already has an approved one is a 409 naming that figure and its value,
unless the body confirms replacing it (`"supersede": true` or its id); then the old figure is
superseded, with an audit event naming the new one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import ApiClient
from tests.api.fixtures import World
from tests.api.test_four_eyes import FIGURES, _client_of, act, create


@pytest.fixture
def second_reviewer(world: World) -> ApiClient:
    """Another reviewer of the lead unit (econ-it), with a token."""
    return _client_of("reviewer2", "reviewer", "econ-it")


def approved_for_same_date(staff: ApiClient, reviewer: ApiClient, value: str) -> dict[str, Any]:
    figure = act(staff, create(staff, value), "submit").json()
    response = act(reviewer, figure, "approve", supersede=True)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_second_approval_is_409_naming_the_approved_figure_then_supersedes_it(
    world: World, as_user: Any, second_reviewer: ApiClient
) -> None:
    from audit.models import AuditEvent

    staff = as_user("staff")
    first = approved_for_same_date(staff, second_reviewer, "142000")
    second = act(staff, create(staff, "151000"), "submit").json()

    refused = act(second_reviewer, second, "approve", comment="修订")
    assert refused.status_code == 409, refused.content
    assert f"#{first['id']}" in refused.json()["detail"] and "142000" in refused.json()["detail"]
    assert second_reviewer.get(f"{FIGURES}{second['id']}/").json()["state"] == "submitted"
    assert second_reviewer.get(f"{FIGURES}{first['id']}/").json()["state"] == "approved"

    for wrong in ("yes", 1.5, 0, None, [first["id"]]):
        bad = act(second_reviewer, second, "approve", supersede=wrong)
        assert bad.status_code == 400, (wrong, bad.content)
        assert "supersede" in bad.json()["errors"], bad.content

    stale = act(second_reviewer, second, "approve", supersede=first["id"] + 10_000)
    assert stale.status_code == 409 and f"#{first['id']}" in stale.json()["detail"]

    done = act(second_reviewer, second, "approve", supersede=first["id"])
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "approved"
    old = second_reviewer.get(f"{FIGURES}{first['id']}/").json()
    assert old["state"] == "superseded" and old["superseded_by"] == second["id"]
    assert old["superseded_at"] == done.json()["reviewed_at"]
    event = AuditEvent.objects.filter(
        object_type="targets.measurement", object_id=str(first["id"])
    ).latest("seq")
    assert event.action == "supersede" and f"#{second['id']}" in event.reason
    assert event.actor is not None and event.actor.username == "reviewer2"
