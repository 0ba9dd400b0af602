"""The enterprise register through the API: writes through enterprises.services, filters."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.api.fixtures import World

# A valid unified social credit code (GB 32100-2015 check character).
VALID_CODE = "91330100799655058B"


def test_staff_add_an_enterprise_for_their_own_unit(world: World, as_user: Any) -> None:
    from audit.models import AuditEvent

    response = as_user("staff").post(
        "/api/v1/enterprises/",
        {
            "name_zh": "杭州某智能科技有限公司",
            "city": "hangzhou",
            "sector": "robots",
            "tier": "benchmark",
            "recognised_on": "2021-03-01",
            "recognised_by": "省经信厅",
            "owner_unit": "talent-office",  # not theirs to choose: ignored for staff
            "reason": "2021年第一批标杆企业",
        },
        format="json",
    )
    # With a tier it counts: accepted, awaiting a reviewer's confirmation.
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["owner_unit"] == "econ-it"
    assert (body["tier"], body["recognised_on"], body["version"]) == ("benchmark", "2021-03-01", 1)
    assert body["confirmed"] is False
    assert body["pending_change"]["kind"] == "create"
    assert body["pending_change"]["proposed"]["tier"] == "benchmark"
    assert body["pending_change"]["proposed_by"] == "staff"
    event = AuditEvent.objects.get(object_type="enterprises.enterprise", object_id=str(body["id"]))
    assert (event.action, event.reason, event.actor.username) == (
        "create",
        "2021年第一批标杆企业",
        "staff",
    )


def test_the_models_rules_come_back_as_field_errors(world: World, as_user: Any) -> None:
    client = as_user("staff")
    bad_code = client.post(
        "/api/v1/enterprises/",
        {"name_zh": "甲", "city": "hangzhou", "credit_code": "91330100799655058X"},
        format="json",
    )
    assert bad_code.status_code == 400
    assert list(bad_code.json()["errors"]) == ["credit_code"]
    no_date = client.post(
        "/api/v1/enterprises/",
        {"name_zh": "乙", "city": "hangzhou", "tier": "leading"},
        format="json",
    )
    assert no_date.status_code == 400
    assert no_date.json()["errors"]
    first = client.post(
        "/api/v1/enterprises/",
        {"name_zh": "丙", "city": "hangzhou", "credit_code": VALID_CODE.lower()},
        format="json",
    )
    assert first.status_code == 201, first.content
    assert first.json()["credit_code"] == VALID_CODE
    twice = client.post(
        "/api/v1/enterprises/",
        {"name_zh": "丁", "city": "ningbo", "credit_code": VALID_CODE},
        format="json",
    )
    assert twice.status_code == 400
    assert list(twice.json()["errors"]) == ["credit_code"]


def test_revoking_through_patch_records_the_reason(world: World, as_user: Any) -> None:
    from audit.models import AuditEvent

    client = as_user("staff")
    url = f"/api/v1/enterprises/{world.enterprises['own']}/"
    etag = client.get(url)["ETag"]
    missing_date = client.patch(url, {"status": "revoked"}, format="json", HTTP_IF_MATCH=etag)
    assert missing_date.status_code == 400
    revoked = client.patch(
        url,
        {"status": "revoked", "revoked_on": "2022-01-31", "reason": "不再符合条件"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    # Proposed: the entry stays active, its pending change shows the revocation.
    assert revoked.status_code == 202, revoked.content
    body = revoked.json()
    assert body["status"] == "active"
    assert body["pending_change"]["proposed"] == {"status": "revoked", "revoked_on": "2022-01-31"}
    assert body["pending_change"]["previous"] == {"status": "active", "revoked_on": None}
    assert body["pending_change"]["reason"] == "不再符合条件"
    confirmed = as_user("reviewer").post(
        f"{url}confirm/", {"comment": "核对"}, format="json", HTTP_IF_MATCH=revoked["ETag"]
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "revoked" and confirmed.json()["pending_change"] is None
    event = AuditEvent.objects.filter(
        object_type="enterprises.enterprise", object_id=str(world.enterprises["own"])
    ).latest("seq")
    # The revocation is a change from today (the default): the values now hold from today.
    assert event.before == {"status": "active", "revoked_on": None, "valid_from": None}
    assert event.after == {
        "status": "revoked",
        "revoked_on": "2022-01-31",
        "valid_from": timezone.localdate().isoformat(),
    }
    assert event.actor.username == "reviewer"
    assert "不再符合条件" in event.reason and "staff" in event.reason


def test_filters_search_ordering_and_pages(world: World, as_user: Any) -> None:
    from enterprises.models import Enterprise

    Enterprise.objects.bulk_create(
        Enterprise(name_zh=f"分页企业{i:03d}", city="wenzhou" if i % 2 else "taizhou")
        for i in range(120)
    )
    client = as_user("staff")

    def page(**params: Any) -> dict[str, Any]:
        response = client.get("/api/v1/enterprises/", params)
        assert response.status_code == 200, response.content
        return response.json()

    assert page(city=["wenzhou", "taizhou"], search="分页")["count"] == 120
    assert page(city="wenzhou", search="分页")["count"] == 60
    assert page(tier="specialised", recognised_year=2020)["count"] == 2
    assert page(recognised_after="2020-05-01", recognised_before="2020-05-01")["count"] == 2
    first = page(search="分页", ordering="-name_zh", limit=7)
    assert [e["name_zh"] for e in first["results"]][:2] == ["分页企业119", "分页企业118"]
    assert "offset=7" in first["next"]
    last = page(search="分页", limit=500, offset=100)
    assert len(last["results"]) == 20
    assert last["next"] is None
    assert client.get("/api/v1/enterprises/", {"limit": 501}).status_code == 400
