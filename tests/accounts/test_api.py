"""API tokens: shown once, stored as a digest, revocable, and logged per use without the key."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest

from tests.api.client import ApiClient
from tests.api.fixtures import World


def test_a_new_token_is_shown_once_and_works(world: World, as_user: Any) -> None:
    from accounts.models import ApiToken

    client = as_user("staff")
    created = client.post("/api/v1/tokens/", {"name": "nightly sync"}, format="json")
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    key = created.json()["key"]
    assert key.startswith("zjai_") and len(key) > 40
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # never again: neither in the list nor in the detail
    assert "key" not in client.get(f"/api/v1/tokens/{token.pk}/").json()
    assert key not in client.get("/api/v1/tokens/").content.decode()
    fresh = ApiClient().use_token(key)
    assert fresh.get("/api/v1/targets/").status_code == 200


def test_revoking_stops_the_token_at_once(world: World, as_user: Any) -> None:
    from audit.models import AuditEvent

    client = as_user("staff")
    created = client.post("/api/v1/tokens/", {"name": "laptop"}, format="json").json()
    other = ApiClient().use_token(created["key"])
    assert other.get("/api/v1/plans/").status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert other.get("/api/v1/plans/").status_code == 401
    shown = client.get(f"/api/v1/tokens/{created['id']}/").json()
    assert shown["is_active"] is False and shown["revoked_by"] == "staff"
    assert client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204  # idempotent
    actions = AuditEvent.objects.filter(
        object_type="accounts.apitoken", object_id=str(created["id"])
    ).values_list("action", flat=True)
    assert list(actions.order_by("seq")) == ["create", "revoke"]
    for event in AuditEvent.objects.filter(object_type="accounts.apitoken"):
        assert created["key"] not in str(event.before) + str(event.after) + event.object_repr


def test_admins_manage_anyones_tokens(world: World, as_user: Any) -> None:
    admin = as_user("admin")
    made = admin.post("/api/v1/tokens/", {"name": "for them", "user": "other_staff"}, format="json")
    assert made.status_code == 201
    assert (made.json()["user"], made.json()["created_by"]) == ("other_staff", "admin")
    listed = admin.get("/api/v1/tokens/", {"user": "other_staff", "active": "true"}).json()
    assert made.json()["id"] in {t["id"] for t in listed["results"]}
    assert as_user("staff").get(f"/api/v1/tokens/{made.json()['id']}/").status_code == 404
    unknown = admin.post("/api/v1/tokens/", {"name": "x", "user": "nobody"}, format="json")
    assert list(unknown.json()["errors"]) == ["user"]


def test_an_inactive_users_token_stops_working(world: World, as_user: Any) -> None:
    from accounts.models import User

    User.objects.filter(pk=world.users["staff"]).update(is_active=False)
    assert as_user("staff").get("/api/v1/plans/").status_code == 401


def test_each_use_is_logged_without_the_key(
    world: World, as_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from accounts.models import ApiToken

    ApiToken.objects.filter(pk=world.token_ids["staff"]).update(last_used_at=None)
    with caplog.at_level(logging.INFO, logger="zjai.api.token_use"):
        as_user("staff").get("/api/v1/targets/?search=robots")
    (record,) = [r for r in caplog.records if r.name == "zjai.api.token_use"]
    assert record.username == "staff"
    assert record.path == "/api/v1/targets/"
    assert record.method == "GET"
    assert "staff" in record.getMessage() and "/api/v1/targets/" in record.getMessage()
    key = world.keys["staff"]
    digest = hashlib.sha256(key.encode()).hexdigest()
    for logged in caplog.records:
        text = logged.getMessage() + str(logged.__dict__)
        assert key not in text and key[5:20] not in text and digest not in text
    token = ApiToken.objects.get(pk=world.token_ids["staff"])
    assert token.last_used_at is not None


def test_too_many_tokens_is_refused(world: World, as_user: Any) -> None:
    from accounts.services import MAX_ACTIVE_TOKENS

    client = as_user("auditor")
    statuses = [
        client.post("/api/v1/tokens/", {"name": f"t{i}"}, format="json").status_code
        for i in range(MAX_ACTIVE_TOKENS)
    ]
    assert statuses.count(201) == MAX_ACTIVE_TOKENS - 2  # the world gave them two already
    assert statuses[-1] == 400
