"""The audit trail through the API: auditors and admins only, filters."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import World


def test_auditors_read_the_trail_with_before_and_after(world: World, as_user: Any) -> None:
    client = as_user("auditor")
    body = client.get("/api/v1/audit-events/", {"limit": 500}).json()
    seqs = [e["seq"] for e in body["results"]]
    assert seqs == sorted(seqs, reverse=True)
    assert seqs[0] == world.audit_seq
    approvals = client.get(
        "/api/v1/audit-events/", {"action": "approve", "object_type": "targets.measurement"}
    ).json()["results"]
    assert {e["actor"] for e in approvals} == {"reviewer", "other_reviewer"}
    assert all(e["before"]["state"] == "submitted" for e in approvals)
    assert all(e["after"]["state"] == "approved" for e in approvals)
    one = client.get(f"/api/v1/audit-events/{approvals[0]['seq']}/").json()
    assert one["hash"] == approvals[0]["hash"]


def test_audit_filters(world: World, as_user: Any) -> None:
    client = as_user("admin")

    def count(**params: Any) -> int:
        response = client.get("/api/v1/audit-events/", params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    total = count()
    assert count(unit="talent-office") == count(actor="other_staff") + count(actor="other_reviewer")
    assert count(actor="staff", object_type="enterprises.enterprise") == 1
    assert count(occurred_after="2000-01-01") == total
    assert count(occurred_before="2000-01-01") == 0
    assert count(search="no such thing anywhere") == 0
    assert client.get("/api/v1/audit-events/", {"occurred_after": "soon"}).status_code == 400


def test_api_writes_are_grouped_by_their_request_id(world: World, as_user: Any) -> None:
    staff = as_user("staff")
    created = staff.post(
        "/api/v1/enterprises/", {"name_zh": "审计测试", "city": "quzhou"}, format="json"
    )
    events = as_user("auditor").get(
        "/api/v1/audit-events/", {"request_id": created["X-Request-ID"]}
    )
    (event,) = events.json()["results"]
    assert (event["action"], event["object_id"]) == ("create", str(created.json()["id"]))
