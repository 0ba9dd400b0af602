"""The targets API: latest progress, history, filters, and a figure reported end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from targets.choices import Comparator
from tests.api.client import schema_dict
from tests.api.fixtures import OTHER_TARGET, OWN_TARGET, World

PROGRESS_FIELDS = {
    "as_of",
    "current_value",
    "current_date",
    "percent",
    "status",
    "pace_ratio",
    "forecast",
    "expected_value",
    "score",
    "reached_late_on",
    "stale",
    "provisional",
    "closed_on",
    "revised_status",
    "revised_value",
    "revised_date",
    "computed_at",
}


def test_each_target_carries_its_latest_progress(world: World, as_user: Any) -> None:
    from targets.models import Progress

    body = as_user("staff").get("/api/v1/targets/").json()
    assert body["count"] == 15
    latest = {row.target.code: row for row in Progress.objects.latest_per_target()}
    for target in body["results"]:
        progress = target["progress"]
        assert set(progress) == PROGRESS_FIELDS
        row = latest[target["code"]]
        assert progress["as_of"] == row.as_of.isoformat()
        assert progress["status"] == row.status
        assert progress["stale"] == row.stale
    robots = next(t for t in body["results"] if t["code"] == OWN_TARGET)
    assert robots["progress"]["current_value"] == "1200.0000"
    assert robots["progress"]["current_date"] == "2021-06-30"
    assert robots["units"] == [{"code": "econ-it", "is_lead": True}]
    assert robots["source_kind"] == "reported"


def test_a_target_never_computed_has_null_progress(world: World, as_user: Any) -> None:
    from targets.models import Progress

    Progress.objects.filter(target__code=OTHER_TARGET).delete()
    body = as_user("staff").get(f"/api/v1/targets/{OTHER_TARGET}/").json()
    assert body["progress"] is None


def test_history_newest_first_between_from_and_to(world: World, as_user: Any) -> None:
    client = as_user("staff")
    url = f"/api/v1/targets/{OWN_TARGET}/history/"
    rows = client.get(url).json()["results"]
    dates = [row["as_of"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert {d.isoformat() for d in world.history_dates} <= set(dates)
    first, last = world.history_dates
    window = client.get(url, {"from": first.isoformat(), "to": last.isoformat()}).json()
    assert [row["as_of"] for row in window["results"]] == [last.isoformat(), first.isoformat()]
    only_first = client.get(url, {"to": first.isoformat()}).json()
    assert [row["as_of"] for row in only_first["results"]] == [first.isoformat()]
    assert client.get(url, {"from": "2030-01-01", "to": "2020-01-01"}).json()["count"] == 0
    assert client.get(url, {"from": "yesterday"}).status_code == 400


def test_target_filters_ordering_and_search(world: World, as_user: Any) -> None:
    client = as_user("staff")

    def codes(**params: Any) -> list[str]:
        response = client.get("/api/v1/targets/", params)
        assert response.status_code == 200, response.content
        return [t["code"] for t in response.json()["results"]]

    assert codes(unit="talent-office") == [OTHER_TARGET]
    assert set(codes(source_kind="reported")) == {
        "ic-12inch-line",
        OWN_TARGET,
        "robot-density",
        OTHER_TARGET,
    }
    assert set(codes(scope="shaoxing")) == {
        "sx-smart-products",
        "sx-first-sets",
        "sx-demo-projects",
    }
    assert "ent-leading" in codes(headline="true")
    assert codes(search="talent") == [OTHER_TARGET]
    by_value = codes(ordering="-target_value,code")
    assert by_value[0] == "robots-in-service"  # 150,000 robots
    achieved = codes(status="achieved")
    assert all(c in codes() for c in achieved)
    assert client.get("/api/v1/targets/", {"status": "splendid"}).status_code == 400
    assert client.get("/api/v1/targets/", {"ordering": "secret"}).status_code == 400


def test_a_figure_reported_end_to_end(
    world: World, as_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """staff reports a draft, submits it; the lead unit's reviewer approves it; it counts."""
    from audit.models import AuditEvent
    from zjai.dates import today

    staff, reviewer = as_user("staff"), as_user("reviewer")
    created = staff.post(
        "/api/v1/measurements/",
        {"target": OWN_TARGET, "value": 98000, "observed_on": "2021-12-31", "note": "统计局"},
        format="json",
    )
    assert created.status_code == 201, created.content
    figure = created.json()
    assert (figure["state"], figure["value"], figure["created_by"]) == (
        "draft",
        "98000.0000",
        "staff",
    )
    url = created["Location"]

    submitted = staff.post(url + "submit/", HTTP_IF_MATCH=created["ETag"])
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert staff.post(url + "approve/", HTTP_IF_MATCH=submitted["ETag"]).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        approved = reviewer.post(
            url + "approve/",
            {"comment": "核对无误"},
            format="json",
            HTTP_IF_MATCH=submitted["ETag"],
        )
    assert approved.status_code == 200
    body = approved.json()
    assert (body["state"], body["reviewed_by"], body["review_comment"]) == (
        "approved",
        "reviewer",
        "核对无误",
    )
    # The approval queued a recompute (eager in tests): the target shows the new figure. The
    # plan ended in 2022, so the target is closed: its frozen verdict stays, and the new figure
    # shows as revised after closing (docs/progress.md, "Closing and frozen verdicts").
    body = staff.get(f"/api/v1/targets/{OWN_TARGET}/").json()
    progress = body["progress"]
    assert progress["as_of"] == today().isoformat()
    assert progress["closed_on"] == body["verdict"]["closed_on"]
    assert progress["current_value"] == body["verdict"]["value"] != "98000.0000"
    assert progress["revised_value"] == "98000.0000"
    assert progress["revised_date"] == "2021-12-31"

    events = AuditEvent.objects.filter(
        object_type="targets.measurement", object_id=str(figure["id"])
    ).order_by("seq")
    assert [e.action for e in events] == ["create", "submit", "approve"]
    assert events[2].request_id == approved["X-Request-ID"]
    assert events[2].actor.username == "reviewer"


def test_a_rejected_figure_is_corrected_and_resubmitted(world: World, as_user: Any) -> None:
    staff, reviewer = as_user("staff"), as_user("reviewer")
    url = f"/api/v1/measurements/{world.figures['own_submitted']}/"
    etag = staff.get(url)["ETag"]
    refused = reviewer.post(url + "reject/", {"comment": ""}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["comment"]
    rejected = reviewer.post(
        url + "reject/", {"comment": "请附来源"}, format="json", HTTP_IF_MATCH=etag
    )
    assert rejected.json()["state"] == "rejected"
    corrected = staff.patch(url, {"value": "1250.5"}, format="json", HTTP_IF_MATCH=rejected["ETag"])
    assert corrected.json()["state"] == "draft"
    assert corrected.json()["value"] == "1250.5000"
    again = staff.post(url + "submit/", HTTP_IF_MATCH=corrected["ETag"])
    assert again.json()["state"] == "submitted"


def test_withdrawing_needs_a_reason(world: World, as_user: Any) -> None:
    reviewer = as_user("reviewer")
    url = f"/api/v1/measurements/{world.figures['own_approved']}/withdraw/"
    etag = reviewer.get(url.removesuffix("withdraw/"))["ETag"]
    assert reviewer.post(url, {}, format="json", HTTP_IF_MATCH=etag).status_code == 400
    done = reviewer.post(url, {"reason": "口径调整"}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["withdrawal_reason"]) == ("withdrawn", "口径调整")


def test_figures_list_shows_own_unit_drafts_and_everyones_approved(
    world: World, as_user: Any
) -> None:
    def ids(caller: str, **params: Any) -> set[int]:
        body = as_user(caller).get("/api/v1/measurements/", {"limit": 500, **params}).json()
        return {row["id"] for row in body["results"]}

    f = world.figures
    staff_sees = ids("staff")
    assert {
        f["own_draft"],
        f["own_submitted"],
        f["own_rejected"],
        f["other_approved"],
    } <= staff_sees
    assert not {f["other_draft"], f["other_submitted"], f["other_rejected"]} & staff_sees
    assert set(f.values()) <= ids("auditor")
    assert ids("staff", state="draft") == {f["own_draft"]}
    assert ids("staff", target=OTHER_TARGET) == {f["other_approved"]}
    assert ids("reviewer", to_review="true") == {f["own_submitted"]}
    assert ids("staff", observed_after="2022-01-01") == set()
    assert ids("staff", observed_before=dt.date(2021, 6, 30).isoformat()) == staff_sees


def test_the_api_schema_lists_every_comparator() -> None:
    """API clients see the strict comparators (gt: 超过, lt) beside gte, lte and eq."""
    enums = [
        schema["enum"]
        for name, schema in schema_dict()["components"]["schemas"].items()
        if "Comparator" in name and "enum" in schema
    ]
    assert enums == [list(Comparator.values)]
    assert {"gt", "lt"} <= set(enums[0])
