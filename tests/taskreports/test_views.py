"""The task-report pages: each page as each role, the workflow in the browser, bad input shown
by field, evidence downloads, notices, milestones, and fixed query counts of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from taskreports import services
from taskreports.models import Milestone, ReviewRound, SupervisionNotice, TaskReport
from tests.taskreports.writing import pdf, report, tasks
from tests.web import assert_same_queries, client_for

ROLES = ("admin", "reviewer", "staff", "auditor", "staff_sci", "staff_talent")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def t(plan):
    return tasks(plan)


def new_url(t, item=None, period=None) -> str:
    item = item or t.econ_led
    return f"/tasks/reports/new/?item={item.pk}&period={(period or t.period).start.isoformat()}"


def form_data(**extra) -> dict:
    return {
        "status": "in_progress",
        "percent_complete": "50",
        "work_done": "完成企业走访20家",
        "next_steps": "推进验收",
        "problems": "",
        **extra,
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_lists(people, role):
    client = client_for(people[role])
    for url in ("/tasks/reports/", "/tasks/milestones/", "/tasks/notices/"):
        assert client.get(url).status_code == 200, url


def test_anonymous_and_roleless_users_are_kept_out(people):
    from django.test import Client

    assert Client().get("/tasks/reports/").status_code == 302
    assert client_for(people["norole"]).get("/tasks/reports/").status_code == 403


def test_the_navigation_links_the_pages(people):
    page = client_for(people["staff"]).get("/tasks/reports/").content.decode()
    assert 'href="/tasks/reports/' in page and 'href="/tasks/notices/"' in page


def test_the_whole_workflow_in_the_browser(t, people):
    staff, reviewer = client_for(people["staff_sci"]), client_for(people["reviewer"])
    response = staff.post(
        new_url(t), {**form_data(), "evidence": pdf(), "submit": "1"}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = TaskReport.objects.get()
    assert (made.state, made.unit, made.status) == ("submitted", t.sci, "in_progress")
    assert made.evidence.get().original_name == "进展材料.pdf"
    detail = staff.get(f"/tasks/reports/{made.pk}/").content.decode()
    assert "完成企业走访20家" in detail and "进展材料.pdf" in detail
    # The lead unit's reviewer returns it with a comment.
    page = reviewer.get(f"/tasks/reports/{made.pk}/review/")
    assert page.status_code == 200
    refused = reviewer.post(
        f"/tasks/reports/{made.pk}/review/", {"return": "1", "version": made.version}
    )
    assert refused.status_code == 400
    assert "Say why the report is returned" in refused.content.decode() or "退回" in (
        refused.content.decode()
    )
    reviewer.post(
        f"/tasks/reports/{made.pk}/review/",
        {"return": "1", "comment": "请补充企业名单", "version": made.version},
    )
    made.refresh_from_db()
    assert made.state == "returned"
    # Staff revise and resubmit; both rounds show on the page.
    edit = staff.get(f"/tasks/reports/{made.pk}/edit/")
    assert edit.status_code == 200
    staff.post(
        f"/tasks/reports/{made.pk}/edit/",
        {**form_data(work_done="补充了名单"), "version": made.version, "submit": "1"},
    )
    made.refresh_from_db()
    assert (made.state, made.work_done) == ("submitted", "补充了名单")
    reviewer.post(
        f"/tasks/reports/{made.pk}/review/",
        {"approve": "1", "comment": "同意", "version": made.version},
    )
    made.refresh_from_db()
    assert made.state == "approved"
    page = staff.get(f"/tasks/reports/{made.pk}/").content.decode()
    assert "请补充企业名单" in page and "同意" in page
    assert ReviewRound.objects.filter(report=made).count() == 2
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"submitted", "returned", "approved"}


def test_bad_input_shows_the_field_and_the_reason(t, people):
    client = client_for(people["staff_sci"])
    response = client.post(new_url(t), form_data(status="nope", percent_complete="150"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_status_errors"' in page and 'id="id_percent_complete_errors"' in page
    bad_file = client.post(new_url(t), {**form_data(), "evidence": pdf("x.exe")})
    assert bad_file.status_code == 400 and 'id="id_evidence_errors"' in bad_file.content.decode()
    assert not TaskReport.objects.exists()
    report(t, people["staff_sci"])
    twice = client.post(new_url(t), form_data())
    assert twice.status_code == 400
    assert TaskReport.objects.count() == 1


def test_a_stale_edit_is_a_conflict(t, people):
    draft = report(t, people["staff_sci"])
    services.update_report(draft, acting_user=people["staff_sci"], work_done="别人改了")
    response = client_for(people["staff_sci"]).post(
        f"/tasks/reports/{draft.pk}/edit/", {**form_data(), "version": draft.version}
    )
    assert response.status_code == 409
    assert TaskReport.objects.get().work_done == "别人改了"


@pytest.mark.parametrize(
    ("role", "new", "edit", "review", "detail"),
    [
        ("staff_sci", 200, 200, 403, 200),  # the reporting unit
        ("staff", 200, 404, 404, 404),  # the lead unit: another unit's draft is absent
        ("reviewer", 200, 404, 404, 404),
        ("staff_talent", 403, 404, 404, 404),  # not on the task
        ("auditor", 403, 403, 403, 200),  # reads everything, writes nothing
        ("admin", 200, 200, 200, 200),
    ],
)
def test_pages_of_a_draft_by_role(t, people, role, new, edit, review, detail):
    draft = report(t, people["staff_sci"])
    client = client_for(people[role])
    assert client.get(new_url(t, period=t.next_period)).status_code == new
    assert client.get(f"/tasks/reports/{draft.pk}/edit/").status_code == edit
    assert client.get(f"/tasks/reports/{draft.pk}/review/").status_code == review
    assert client.get(f"/tasks/reports/{draft.pk}/").status_code == detail
    listed = f"/tasks/reports/{draft.pk}/" in client.get("/tasks/reports/").content.decode()
    assert listed == (detail == 200)


def test_submitted_reports_as_the_lead_unit_sees_them(t, people):
    submitted = report(t, people["staff_sci"], "submitted")
    page = client_for(people["reviewer"]).get("/tasks/reports/?to_review=true").content.decode()
    assert f"/tasks/reports/{submitted.pk}/review/" in page
    assert (
        client_for(people["staff_talent"]).get(f"/tasks/reports/{submitted.pk}/").status_code == 404
    )
    # Submitting from the page needs the version read.
    draft = report(t, people["staff_sci"], period=t.next_period)
    client = client_for(people["staff_sci"])
    assert client.post(f"/tasks/reports/{draft.pk}/submit/", {}).status_code == 302
    assert TaskReport.objects.get(pk=draft.pk).state == "draft"
    client.post(f"/tasks/reports/{draft.pk}/submit/", {"version": draft.version})
    assert TaskReport.objects.get(pk=draft.pk).state == "submitted"


def test_evidence_is_served_under_its_name_to_who_sees_the_report(t, people):
    draft = report(t, people["staff_sci"])
    evidence = services.add_evidence(draft, file=pdf(), acting_user=people["staff_sci"])
    response = client_for(people["staff_sci"]).get(f"/tasks/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert "filename*=utf-8''%E8%BF%9B" in response["Content-Disposition"]
    assert client_for(people["staff"]).get(f"/tasks/evidence/{evidence.pk}/").status_code == 404
    assert client_for(people["auditor"]).get(f"/tasks/evidence/{evidence.pk}/").status_code == 200
    removed = client_for(people["staff_sci"]).post(
        f"/tasks/evidence/{evidence.pk}/remove/", {"version": draft.version + 1}
    )
    assert removed.status_code == 302 and not draft.evidence.exists()


def test_the_consolidated_report_page(t, people):
    report(t, people["staff_sci"], "approved", reviewer=people["reviewer"], status="behind")
    url = f"/tasks/items/{t.econ_led.pk}/periods/{t.period.start.isoformat()}/consolidated/"
    assert client_for(people["staff_sci"]).get(url).status_code == 403
    assert client_for(people["auditor"]).get(url).status_code == 403
    client = client_for(people["staff"])
    page = client.get(url)
    assert page.status_code == 200 and 'value="behind" selected' in page.content.decode()
    assert client.post(url, {"status": "", "summary": "x"}).status_code == 400
    assert client.post(url, {"status": "behind", "summary": "两家单位滞后"}).status_code == 302
    bad_period = f"/tasks/items/{t.econ_led.pk}/periods/2021-02-01/consolidated/"
    assert client.get(bad_period).status_code == 404


def test_milestone_pages(t, people):
    client = client_for(people["staff_sci"])
    url = f"/tasks/milestones/new/?item={t.econ_led.pk}"
    assert client_for(people["auditor"]).get(url).status_code == 403
    assert client_for(people["staff_talent"]).get(url).status_code == 403
    assert client.get(url).status_code == 200
    bad = client.post(url, {"unit": t.sci.pk, "due_on": "", "description": ""})
    assert bad.status_code == 400 and 'id="id_due_on_errors"' in bad.content.decode()
    assert (
        client.post(
            url, {"unit": t.sci.pk, "due_on": "2021-06-30", "description": "平台上线"}
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get()
    page = client.get("/tasks/milestones/?overdue=true").content.decode()
    assert "平台上线" in page and f"/tasks/milestones/{milestone.pk}/done/" in page
    assert client.get(f"/tasks/milestones/{milestone.pk}/edit/").status_code == 200
    assert (
        client_for(people["staff_talent"])
        .get(f"/tasks/milestones/{milestone.pk}/edit/")
        .status_code
        == 403
    )
    client.post(f"/tasks/milestones/{milestone.pk}/done/", {"version": 1})
    assert Milestone.objects.get().done_on == timezone.localdate()


def test_notice_pages(t, people):
    admin = client_for(people["admin"])
    url = f"/tasks/notices/new/?unit={t.sci.pk}&item={t.econ_led.pk}&period={t.period.start}"
    assert client_for(people["staff"]).get(url).status_code == 403
    assert client_for(people["auditor"]).get(url).status_code == 403
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"unit": t.sci.pk, "subject": "", "text": ""}).status_code == 400
    reply_by = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = admin.post(
        url, {"unit": t.sci.pk, "subject": "一季度未报送", "text": "请报送", "reply_by": reply_by}
    )
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    assert notice.period_start == t.period.start
    staff = client_for(people["staff_sci"])
    page = staff.get(f"/tasks/notices/{notice.pk}/").content.decode()
    assert "一季度未报送" in page and f"/tasks/notices/{notice.pk}/reply/" in page
    assert client_for(people["staff_talent"]).get(f"/tasks/notices/{notice.pk}/").status_code == 404
    assert staff.post(f"/tasks/notices/{notice.pk}/reply/", {"version": 1}).status_code == 400
    staff.post(f"/tasks/notices/{notice.pk}/reply/", {"reply": "已报送", "version": 1})
    assert (
        client_for(people["staff_sci"])
        .post(f"/tasks/notices/{notice.pk}/close/", {"version": 2})
        .status_code
        == 403
    )
    client_for(people["reviewer"]).post(f"/tasks/notices/{notice.pk}/close/", {"version": 2})
    assert SupervisionNotice.objects.get().state == "closed"


def test_the_lists_issue_the_same_queries_at_any_size(t, people):
    from plans.models import ItemUnit

    report(t, people["staff_sci"], "submitted")
    services.create_milestone(
        item=t.econ_led,
        unit=t.sci,
        due_on=t.period.end,
        description="m",
        acting_user=people["admin"],
    )
    services.issue_notice(
        unit=t.sci,
        item=t.econ_led,
        subject="s",
        text="t",
        reply_by=timezone.localdate(),
        acting_user=people["admin"],
    )
    items = list(
        ItemUnit.objects.filter(unit=t.sci, item__plan=t.plan)
        .exclude(item=t.econ_led)
        .values_list("item_id", flat=True)[:20]
    )
    now = timezone.now()

    def more_reports():
        TaskReport.objects.bulk_create(
            TaskReport(
                item_id=item_id,
                unit=t.sci,
                period_start=period.start,
                period_end=period.end,
                status="in_progress",
                state=state,
                created_by=people["staff_sci"],
                created_at=now,
            )
            for item_id in items
            for period, state in ((t.next_period, "submitted"), (t.period, "draft"))
        )

    def more_milestones():
        Milestone.objects.bulk_create(
            Milestone(
                item_id=item_id, unit=t.sci, due_on=t.period.end, description="m", created_at=now
            )
            for item_id in items
        )

    def more_notices():
        SupervisionNotice.objects.bulk_create(
            SupervisionNotice(
                plan=t.plan,
                unit=t.sci,
                item_id=item_id,
                subject="督办",
                text="t",
                reply_by=t.period.end,
                issued_by=people["admin"],
                issuing_unit=t.econ,
                issued_at=now,
            )
            for item_id in items
        )

    assert_same_queries(client_for(people["reviewer"]), "/tasks/reports/", more_reports)
    assert_same_queries(client_for(people["staff_sci"]), "/tasks/reports/", lambda: None)
    assert_same_queries(client_for(people["staff_sci"]), "/tasks/milestones/", more_milestones)
    assert_same_queries(client_for(people["staff_sci"]), "/tasks/notices/", more_notices)
    assert TaskReport.objects.count() == 1 + 2 * len(items)
