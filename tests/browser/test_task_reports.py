"""A task report's whole way through the browser (issue 15): staff of a participating unit write
the quarter's report with an evidence file and submit it; the lead unit's reviewer returns it
with a comment; staff revise and resubmit; the reviewer approves. The task page, the plan tree
and the dashboard show the new status; the inbox and the e-mail outbox hold a notice at each
step. The plan is one in force (a copy of the 2019–2022 plan over 2023–2027), so a quarter is
open for reporting today."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Notification
from taskreports.models import TaskReport
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.second_plan import SECOND, copy_plan
from tests.web import PASSWORD

pytestmark = [pytest.mark.slow]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Led by econ-it; sci-tech takes part (tests/taskreports/writing.py).
TASK = "II.2.1"


@pytest.fixture
def setting(plan, make_user, settings, tmp_path):
    from plans.models import PlanItem, ResponsibleUnit

    settings.MEDIA_ROOT = tmp_path / "media"
    in_force = copy_plan(plan)
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    staff = make_user("staff_sci", "staff", sci)
    reviewer = make_user("reviewer_econ", "reviewer", econ)
    for user in (staff, reviewer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    item = PlanItem.objects.get(plan=in_force, key=TASK)
    assert item.unit_links.get(is_lead=True).unit == econ
    evidence = tmp_path / "调研纪要.pdf"
    evidence.write_bytes(PDF)
    return item, evidence


def inbox_subjects(username: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient__username=username)
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )


def mails_to(username: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [f"{username}@example.org"]]


def open_newest_notice(page, base: str) -> None:
    """From the top bar's inbox link, open the newest unread notice."""
    page.locator("a.inbox-link").click()
    page.wait_for_url(f"{base}/inbox/**")
    page.locator("main").get_by_role("link").filter(has_text="任务进展报告").first.click()
    page.wait_for_load_state()


def test_write_return_revise_approve_and_see_the_status(setting, live_server, new_page):
    item, evidence = setting
    base = live_server.url
    task_page = f"{base}/plans/{SECOND}/tasks/{TASK}/"

    # Staff of the participating unit write this quarter's report from the task page.
    staff = new_page(LAPTOP)
    sign_in(staff, base, "staff_sci", PASSWORD)
    staff.goto(task_page)
    staff.get_by_role("link", name="填报本期报告").click()
    staff.get_by_label("状态").select_option(label="推进中")
    staff.get_by_label("完成率").fill("30")
    staff.get_by_label("工作进展").fill("走访重点企业 12 家，形成调研纪要")
    staff.get_by_label("下步计划").fill("制定支持政策")
    staff.get_by_label("佐证文件").set_input_files(str(evidence))
    staff.get_by_role("button", name="保存并提交审核").click()
    staff.wait_for_load_state()
    assert "报告已报送审核" in staff.content()
    report = TaskReport.objects.get(item=item, unit__code="sci-tech")
    assert report.state == "submitted"
    assert report.evidence.get().original_name == "调研纪要.pdf"
    # The lead unit's reviewer is told, in the inbox and by e-mail; the author is not.
    assert inbox_subjects("reviewer_econ") == ["submitted"]
    assert inbox_subjects("staff_sci") == []
    assert len(mails_to("reviewer_econ")) == 1

    # The reviewer sees the unread notice in the top bar, opens it and returns the report.
    reviewer = new_page(LAPTOP)
    sign_in(reviewer, base, "reviewer_econ", PASSWORD)
    assert "1" in reviewer.locator("a.inbox-link").inner_text()
    open_newest_notice(reviewer, base)
    assert "调研纪要.pdf" in reviewer.content()
    reviewer.get_by_role("link", name="审核").first.click()
    reviewer.get_by_label("意见").fill("请补充走访企业名单")
    reviewer.get_by_role("button", name="退回").click()
    reviewer.wait_for_load_state()
    assert "报告已退回报送单位" in reviewer.content()
    assert inbox_subjects("staff_sci") == ["returned"]
    (returned_mail,) = mails_to("staff_sci")
    assert "请补充走访企业名单" in returned_mail.body

    # Staff open the notice, read the comment, revise and submit again.
    open_newest_notice(staff, base)
    assert "请补充走访企业名单" in staff.content()
    staff.get_by_role("link", name="修改").first.click()
    staff.get_by_label("状态").select_option(label="滞后")
    staff.get_by_label("工作进展").fill("走访重点企业 12 家（名单见附件），政策起草滞后")
    staff.get_by_role("button", name="保存并提交审核").click()
    staff.wait_for_load_state()
    assert "报告已保存并报送审核" in staff.content()
    assert inbox_subjects("reviewer_econ") == ["submitted", "submitted"]
    assert len(mails_to("reviewer_econ")) == 2

    # The reviewer approves the second round; both rounds' comments stay on the report.
    open_newest_notice(reviewer, base)
    reviewer.get_by_role("link", name="审核").first.click()
    reviewer.get_by_label("意见").fill("同意")
    reviewer.get_by_role("button", name="通过").click()
    reviewer.wait_for_load_state()
    assert "报告已审核通过" in reviewer.content()
    report.refresh_from_db()
    assert (report.state, report.status) == ("approved", "behind")
    assert inbox_subjects("staff_sci") == ["returned", "approved"]
    assert len(mails_to("staff_sci")) == 2
    reviewer.goto(f"{base}/tasks/reports/{report.pk}/")
    page = reviewer.locator("main").inner_text()
    assert "请补充走访企业名单" in page and "同意" in page

    # The task page, the plan tree and the dashboard show the task behind (滞后).
    reviewer.goto(task_page)
    assert "滞后" in reviewer.locator(".task-now").inner_text()
    screenshot(reviewer, "task-page.png")
    reviewer.goto(f"{base}/plans/{SECOND}/tree/")
    node = reviewer.locator(f'[id="item-{TASK}"] > .node-head')
    assert "滞后" in node.inner_text()
    reviewer.goto(f"{base}/plans/{SECOND}/")
    counts = reviewer.locator("section.task-overview").inner_text()
    assert "滞后 1" in " ".join(counts.split())
    screenshot(reviewer, "dashboard-tasks.png")

    # The inbox pages show each step to each person.
    staff.goto(f"{base}/inbox/")
    inbox = staff.locator("main").inner_text()
    assert "退回" in inbox and "通过" in inbox
