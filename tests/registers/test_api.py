"""Four eyes through the registers' API: a write that moves a target answers 202 with its
`pending_change`; a second person confirms or rejects it with If-Match; the proposer gets 403."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import World
from tests.registers.counting import leading_today

LEADING = {"city": "hangzhou", "sector": "robots", "tier": "leading"}


def test_three_leading_enterprises_by_one_client_count_once_a_reviewer_confirms(
    world: World, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from audit.models import AuditEvent

    before = leading_today()
    staff, reviewer = as_user("staff"), as_user("reviewer")
    added = []
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(
                "/api/v1/enterprises/",
                {"name_zh": f"接口领军{i}", "recognised_on": "2021-03-01", **LEADING},
                format="json",
            )
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["confirmed"] is False
        assert body["pending_change"]["proposed"]["tier"] == "leading"
        assert response["Location"].endswith(f"/api/v1/enterprises/{body['id']}/")
        added.append(body)
    assert leading_today() == before
    pending = staff.get("/api/v1/enterprises/", {"pending": "true", "search": "接口领军"}).json()
    assert pending["count"] == 3
    assert all(row["pending_change"]["kind"] == "create" for row in pending["results"])

    url = f"/api/v1/enterprises/{added[0]['id']}/"
    etag = staff.get(url)["ETag"]
    own = staff.post(f"{url}confirm/", {}, format="json", HTTP_IF_MATCH=etag)
    assert own.status_code == 403, own.content
    other_unit = as_user("other_reviewer").post(
        f"{url}confirm/", {}, format="json", HTTP_IF_MATCH=etag
    )
    assert other_unit.status_code == 403
    assert reviewer.post(f"{url}confirm/", {}, format="json").status_code == 428

    for body in added:
        url = f"/api/v1/enterprises/{body['id']}/"
        etag = reviewer.get(url)["ETag"]
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = reviewer.post(
                f"{url}confirm/", {"comment": "已核对"}, format="json", HTTP_IF_MATCH=etag
            )
        assert confirmed.status_code == 200, confirmed.content
        assert confirmed.json()["confirmed"] is True
        assert confirmed.json()["pending_change"] is None
        assert confirmed["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    assert leading_today() == before + 3
    again = reviewer.post(f"{url}confirm/", {}, format="json", HTTP_IF_MATCH=confirmed["ETag"])
    assert again.status_code == 409  # nothing left to confirm
    event = AuditEvent.objects.filter(
        object_type="enterprises.enterprise", object_id=str(added[0]["id"])
    ).latest("seq")
    assert event.actor.username == "reviewer" and "proposed by staff" in event.reason


def test_a_rejected_change_keeps_the_confirmed_values_and_a_rejected_entry_is_gone(
    world: World, as_user: Any
) -> None:
    from enterprises.models import Enterprise

    staff, reviewer = as_user("staff"), as_user("reviewer")
    url = f"/api/v1/enterprises/{world.enterprises['own']}/"
    etag = staff.get(url)["ETag"]
    proposed = staff.patch(url, {"tier": "leading"}, format="json", HTTP_IF_MATCH=etag)
    assert proposed.status_code == 202
    assert proposed.json()["tier"] == "specialised"
    assert proposed.json()["pending_change"]["proposed"] == {"tier": "leading"}
    no_comment = reviewer.post(f"{url}reject/", {}, format="json", HTTP_IF_MATCH=proposed["ETag"])
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    rejected = reviewer.post(
        f"{url}reject/", {"comment": "无文件"}, format="json", HTTP_IF_MATCH=proposed["ETag"]
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["tier"] == "specialised" and rejected.json()["pending_change"] is None

    created = staff.post(
        "/api/v1/enterprises/",
        {"name_zh": "待退回", "recognised_on": "2021-03-01", **LEADING},
        format="json",
    )
    new_url = f"/api/v1/enterprises/{created.json()['id']}/"
    gone = reviewer.post(
        f"{new_url}reject/", {"comment": "重复"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert gone.status_code == 204
    assert not Enterprise.objects.filter(pk=created.json()["id"]).exists()
    assert reviewer.get(new_url).status_code == 404


def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_no_event(
    world: World, as_user: Any
) -> None:
    from audit.models import AuditEvent

    staff = as_user("staff")
    url = f"/api/v1/projects/{world.projects['own']}/"
    read = staff.get(url)
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    same = staff.patch(
        url,
        {"name_zh": read.json()["name_zh"], "status": read.json()["status"]},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert same.status_code == 200 and same["ETag"] == read["ETag"]
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_another_unit_with_a_stale_version_gets_403_not_412(world: World, as_user: Any) -> None:
    url = f"/api/v1/enterprises/{world.enterprises['own']}/"
    stale = '"1"'
    response = as_user("other_staff").patch(
        url, {"name_en": "x"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 403, response.content
    own_stale = as_user("staff").patch(url, {"name_en": "x"}, format="json", HTTP_IF_MATCH=stale)
    assert own_stale.status_code == 412


def test_the_pending_changes_of_a_page_are_read_in_one_query(world: World, as_user: Any) -> None:
    """As many queries for a page with 2 pending entries as with 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.services import create_project

    staff = world.user("staff")
    client = as_user("reviewer")

    def add(n: int, start: int) -> None:
        for i in range(n):
            create_project(
                acting_user=staff,
                name_zh=f"计数项目{start + i}",
                kind="major",
                level="city",
                city="ningbo",
            )

    LAST: list[str] = []

    def queries(limit: int = 100) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/projects/", {"pending": "true", "limit": limit})
        assert response.status_code == 200
        LAST[:] = [q["sql"][:150] for q in ctx.captured_queries]
        return len(ctx.captured_queries)

    add(2, 0)
    # The token's first use records it (one write more); another address, not from the cache.
    queries(limit=99)
    few = queries()
    add(10, 2)
    assert queries() == few, "\n".join(LAST)
