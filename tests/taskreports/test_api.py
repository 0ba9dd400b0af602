"""The task-report API end to end: the workflow with If-Match, 412 and 428 as elsewhere,
field errors, filters, and drafts that never leak (every answer checked against the schema)."""

from __future__ import annotations

from typing import Any

import pytest

from taskreports.models import ReviewRound, TaskReport
from tests.api.client import ApiClient
from tests.taskreports.writing import report, tasks


@pytest.fixture
def t(plan):
    return tasks(plan)


@pytest.fixture
def api(people):
    def client(role: str) -> ApiClient:
        made = ApiClient()
        made.force_authenticate(people[role])
        return made

    return client


def test_write_submit_return_resubmit_approve(t, api: Any) -> None:
    staff, reviewer = api("staff_sci"), api("reviewer")
    body = {
        "item": t.econ_led.pk,
        "period_start": t.period.start.isoformat(),
        "status": "in_progress",
        "percent_complete": 30,
        "work_done": "完成调研",
    }
    created = staff.post("/api/v1/task-reports/", body, format="json")
    assert created.status_code == 201, created.content
    url = created["Location"]
    assert created.json()["unit"] == "sci-tech" and created["ETag"] == '"1"'
    again = staff.post("/api/v1/task-reports/", body, format="json")
    assert again.status_code == 400
    assert "period_start" in again.json()["errors"]
    # Without If-Match: 428; with a stale one: 412 with the current ETag.
    assert staff.post(f"{url}submit/", format="json").status_code == 428
    stale = staff.post(f"{url}submit/", format="json", HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412 and stale["ETag"] == '"1"'
    submitted = staff.post(f"{url}submit/", format="json", HTTP_IF_MATCH='"1"')
    assert submitted.json()["state"] == "submitted"
    version = submitted["ETag"]
    no_comment = reviewer.post(f"{url}return/", {}, format="json", HTTP_IF_MATCH=version)
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    returned = reviewer.post(
        f"{url}return/", {"comment": "请补充"}, format="json", HTTP_IF_MATCH=version
    )
    assert returned.json()["state"] == "returned"
    patched = staff.patch(
        url, {"work_done": "补充了"}, format="json", HTTP_IF_MATCH=returned["ETag"]
    )
    assert patched.status_code == 200 and patched.json()["work_done"] == "补充了"
    resubmitted = staff.post(f"{url}submit/", format="json", HTTP_IF_MATCH=patched["ETag"])
    approved = reviewer.post(
        f"{url}approve/", {"comment": "同意"}, format="json", HTTP_IF_MATCH=resubmitted["ETag"]
    )
    assert approved.status_code == 200
    rounds = approved.json()["rounds"]
    assert [(r["number"], r["decision"], r["comment"]) for r in rounds] == [
        (1, "returned", "请补充"),
        (2, "approved", "同意"),
    ]
    assert ReviewRound.objects.count() == 2


def test_field_errors_and_rights(t, api: Any) -> None:
    staff = api("staff_sci")
    bad = staff.post(
        "/api/v1/task-reports/",
        {
            "item": t.econ_led.pk,
            "period_start": t.period.start.isoformat(),
            "status": "nope",
            "percent_complete": 101,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"status", "percent_complete"} <= set(bad.json()["errors"])
    typo = staff.post(
        "/api/v1/task-reports/",
        {"item": t.econ_led.pk, "period_start": t.period.start.isoformat(), "staus": "behind"},
        format="json",
    )
    assert typo.status_code == 400 and "staus" in typo.json()["errors"]
    wrong_period = staff.post(
        "/api/v1/task-reports/",
        {"item": t.econ_led.pk, "period_start": "2021-02-01", "status": "behind"},
        format="json",
    )
    assert wrong_period.status_code == 400 and "period_start" in wrong_period.json()["errors"]
    other_unit = staff.post(
        "/api/v1/task-reports/",
        {
            "item": t.econ_led.pk,
            "unit": "econ-it",
            "period_start": t.period.start.isoformat(),
            "status": "behind",
        },
        format="json",
    )
    assert other_unit.status_code == 403
    auditor = api("auditor").post(
        "/api/v1/task-reports/",
        {"item": t.econ_led.pk, "period_start": t.period.start.isoformat(), "status": "behind"},
        format="json",
    )
    assert auditor.status_code == 403
    assert not TaskReport.objects.exists()


def test_drafts_never_leak_and_filters_work(t, people, api: Any) -> None:
    draft = report(t, people["staff_sci"])
    submitted = report(t, people["staff_sci"], "submitted", period=t.next_period)
    for role, expected in (
        ("staff_sci", {draft.pk, submitted.pk}),
        ("reviewer", {submitted.pk}),
        ("staff_talent", set()),
        ("auditor", {draft.pk, submitted.pk}),
    ):
        rows = api(role).get("/api/v1/task-reports/").json()["results"]
        assert {r["id"] for r in rows} == expected, role
    assert api("reviewer").get(f"/api/v1/task-reports/{draft.pk}/").status_code == 404
    client = api("admin")
    assert [r["id"] for r in client.get("/api/v1/task-reports/?state=draft").json()["results"]] == [
        draft.pk
    ]
    by_period = client.get(f"/api/v1/task-reports/?period={t.next_period.start}").json()
    assert [r["id"] for r in by_period["results"]] == [submitted.pk]
    queue = api("reviewer").get("/api/v1/task-reports/?to_review=true").json()["results"]
    assert [r["id"] for r in queue] == [submitted.pk]
    assert (
        client.get("/api/v1/task-reports/?unit=sci-tech&plan=zj-ai-2019-2022").json()["count"] == 2
    )
    assert client.get("/api/v1/task-reports/?to_review=maybe").status_code == 400


def test_milestones_and_notices(t, api: Any) -> None:
    created = api("staff").post(
        "/api/v1/milestones/",
        {"item": t.econ_led.pk, "unit": "sci-tech", "due_on": "2021-06-30", "description": "上线"},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = created["Location"]
    done = api("staff_sci").post(f"{url}done/", {}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done.json()["done_on"] is not None
    assert api("staff").get("/api/v1/milestones/?done=true").json()["count"] == 1
    assert api("staff").get("/api/v1/milestones/?overdue=true").json()["count"] == 0

    issued = api("reviewer").post(
        "/api/v1/supervision-notices/",
        {
            "unit": "sci-tech",
            "item": t.econ_led.pk,
            "subject": "请报送",
            "text": "请报送一季度报告。",
            "reply_by": "2099-01-31",
        },
        format="json",
    )
    assert issued.status_code == 201, issued.content
    notice = issued["Location"]
    assert issued.json()["issuing_unit"] == "econ-it"
    assert api("staff_talent").get(notice).status_code == 404
    assert api("staff").post(f"{notice}reply/", {"reply": "x"}, format="json").status_code == 428
    answered = api("staff_sci").post(
        f"{notice}reply/", {"reply": "已报送"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert answered.json()["state"] == "answered"
    closed = api("reviewer").post(
        f"{notice}close/", {}, format="json", HTTP_IF_MATCH=answered["ETag"]
    )
    assert closed.json()["state"] == "closed"
    listed = api("staff_sci").get("/api/v1/supervision-notices/?state=closed").json()
    assert listed["count"] == 1
