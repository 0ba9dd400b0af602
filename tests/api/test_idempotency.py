"""Idempotency-Key on the API's writes: a retry returns the first answer and writes nothing again.

These run inside each test's transaction, against the module's committed world (the answer is
kept in the write's own transaction, a savepoint here). What needs real commits, concurrent
requests and lost connections is in test_retries.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tests.api.fixtures import OWN_TARGET, World

FIGURE = {"target": OWN_TARGET, "value": "121000", "observed_on": "2022-03-31", "note": "快报"}


def new_key() -> str:
    return str(uuid.uuid4())


def figures_of_note(note: str) -> int:
    from targets.models import Measurement

    return Measurement.objects.filter(note=note).count()


def events(action: str, object_type: str = "targets.measurement") -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_type=object_type).count()


def test_a_retried_post_of_a_figure_with_the_same_key_creates_one_figure(
    world: World, as_user: Any
) -> None:
    staff = as_user("staff")
    key = new_key()
    body = {**FIGURE, "note": "retried post"}
    first = staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first

    again = staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["ETag"] == first["ETag"]
    assert figures_of_note("retried post") == 1

    # The same JSON with other spacing and key order is the same body.
    reordered = (
        '{"note": "retried post", "observed_on": "2022-03-31", "value": "121000",  "target": "%s"}'
    )
    third = staff.post(
        "/api/v1/measurements/",
        reordered % OWN_TARGET,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert third.status_code == 201 and third["Idempotent-Replayed"] == "true"
    assert figures_of_note("retried post") == 1

    # Without a key, the same body is a new figure: the key is what says "the same request".
    assert staff.post("/api/v1/measurements/", body, format="json").status_code == 201
    assert figures_of_note("retried post") == 2


def test_the_same_key_with_another_body_path_or_method_is_422_and_changes_nothing(
    world: World, as_user: Any
) -> None:
    staff = as_user("staff")
    key = new_key()
    body = {**FIGURE, "note": "first use"}
    assert (
        staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    ).status_code == 201

    other_body = staff.post(
        "/api/v1/measurements/", {**body, "value": "1"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other_body.status_code == 422
    error = other_body.json()
    assert error["code"] == "idempotency_key_reused"
    assert "POST /api/v1/measurements/" in error["detail"]
    assert figures_of_note("first use") == 1
    assert not figures_of_note("1")

    enterprise = world.enterprises["own"]
    url = f"/api/v1/enterprises/{enterprise}/"
    etag = staff.get(url)["ETag"]
    other_path = staff.patch(
        url, {"name_en": "Other"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=key
    )
    assert other_path.status_code == 422
    assert staff.get(url)["ETag"] == etag  # unchanged


def test_keys_are_per_user(world: World, as_user: Any) -> None:
    key = new_key()
    body = {**FIGURE, "note": "two users one key"}
    for name in ("staff", "reviewer"):
        response = as_user(name).post(
            "/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
        )
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
    assert figures_of_note("two users one key") == 2


def test_a_refused_request_keeps_no_key(world: World, as_user: Any) -> None:
    """A key is kept only with a committed change: after a 400 the same key runs again."""
    staff = as_user("staff")
    key = new_key()
    bad = staff.post(
        "/api/v1/measurements/",
        {**FIGURE, "observed_on": "2999-01-01", "note": "refused first"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert bad.status_code == 400
    fixed = staff.post(
        "/api/v1/measurements/",
        {**FIGURE, "note": "refused first"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed
    assert figures_of_note("refused first") == 1


def test_a_retried_patch_returns_the_first_answer_not_a_412(world: World, as_user: Any) -> None:
    staff = as_user("staff")
    url = f"/api/v1/measurements/{world.figures['own_draft']}/"
    etag = staff.get(url)["ETag"]
    key = new_key()
    first = staff.patch(
        url, {"value": "1300"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == 200
    # The If-Match is stale now; the retry still gets the first answer, and the figure is
    # changed once.
    again = staff.patch(
        url, {"value": "1300"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=key
    )
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert staff.get(url).json()["version"] == first.json()["version"]


def test_a_retried_approval_approves_once(world: World, as_user: Any) -> None:
    reviewer = as_user("reviewer")
    url = f"/api/v1/measurements/{world.figures['own_submitted']}/"
    etag = reviewer.get(url)["ETag"]
    approvals = events("approve")
    key = new_key()
    for _attempt in range(3):
        response = reviewer.post(
            f"{url}approve/",
            {"comment": "核对无误"},
            format="json",
            HTTP_IF_MATCH=etag,
            HTTP_IDEMPOTENCY_KEY=key,
        )
        assert response.status_code == 200
        assert response.json()["state"] == "approved"
    assert events("approve") == approvals + 1


def test_a_retried_token_revocation_and_creation(world: World, as_user: Any) -> None:
    from accounts.models import ApiToken

    staff = as_user("staff")
    key = new_key()
    url = f"/api/v1/tokens/{world.token_ids['staff_spare']}/"
    assert staff.delete(url, HTTP_IDEMPOTENCY_KEY=key).status_code == 204
    replay = staff.delete(url, HTTP_IDEMPOTENCY_KEY=key)
    assert replay.status_code == 204 and replay["Idempotent-Replayed"] == "true"
    assert events("revoke", "accounts.apitoken") == 1

    # A new token's key is shown once and kept nowhere: the replay says which token was made,
    # without its key, and no second token is made.
    key = new_key()
    created = staff.post(
        "/api/v1/tokens/", {"name": "sync"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert created.status_code == 201 and created.json()["key"].startswith("zjai_")
    replay = staff.post(
        "/api/v1/tokens/", {"name": "sync"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert "key" not in replay.json()
    assert replay.json()["id"] == created.json()["id"]
    assert replay["Cache-Control"] == "no-store"
    assert ApiToken.objects.filter(name="sync").count() == 1
    from accounts.models import IdempotencyKey

    assert created.json()["key"] not in IdempotencyKey.objects.get(key=key).body


@pytest.mark.parametrize("value", ["", " ", "é-key", "x" * 256, "two words", '""'], ids=repr)
def test_an_unusable_key_is_a_400_naming_the_header(world: World, as_user: Any, value: str) -> None:
    response = as_user("staff").post(
        "/api/v1/measurements/",
        {**FIGURE, "note": "bad key"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=value,
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not figures_of_note("bad key")


def test_the_quoted_form_of_the_draft_standard_is_the_same_key(world: World, as_user: Any) -> None:
    staff = as_user("staff")
    body = {**FIGURE, "note": "quoted"}
    first = staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY='"k-1"')
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert figures_of_note("quoted") == 1


def test_an_expired_key_runs_again_and_the_nightly_job_purges_old_keys(
    world: World, as_user: Any
) -> None:
    from accounts.models import IdempotencyKey
    from accounts.tasks import purge_idempotency_keys

    staff = as_user("staff")
    key = new_key()
    body = {**FIGURE, "note": "a day later"}
    assert (
        staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    ).status_code == 201
    # A day and a minute later (the test moves the row back; no service writes the past).
    IdempotencyKey.objects.filter(key=key).update(
        created_at=timezone.now() - dt.timedelta(hours=24, minutes=1)
    )
    again = staff.post("/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert figures_of_note("a day later") == 2
    assert IdempotencyKey.objects.filter(key=key).count() == 1  # the expired one replaced

    other = as_user("reviewer")
    old_key = new_key()
    other.post(
        "/api/v1/measurements/",
        {**body, "note": "old"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=old_key,
    )
    IdempotencyKey.objects.filter(key=old_key).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    assert purge_idempotency_keys.delay().get() == 1
    assert not IdempotencyKey.objects.filter(key=old_key).exists()
    assert IdempotencyKey.objects.filter(key=key).exists()
