"""Issue 12's attack in a real browser: staff report 100, the lead unit's reviewer changes it
to 149,999 on the edit page, staff submit it. The reviewer's dashboard does not offer it for
review, and its review page shows no Approve or Reject button but the reason; a second reviewer
of the lead unit approves it."""

import datetime as dt

import pytest

from targets import services
from targets.models import Target
from tests.browser.conftest import LAPTOP, sign_in
from tests.web import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def draft(plan, make_user):
    from plans.models import ResponsibleUnit

    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff1", "staff", econ)
    make_user("reviewer1", "reviewer", econ)
    make_user("reviewer2", "reviewer", econ)
    return services.create_measurement(
        target=Target.objects.get(code="robots-in-service"),
        value="100",
        observed_on=dt.date(2022, 6, 30),
        acting_user=staff,
    )


def test_a_reviewer_who_changed_a_figure_is_offered_no_review(draft, live_server, new_page):
    base = live_server.url

    reviewer = new_page(LAPTOP)
    sign_in(reviewer, base, "reviewer1", PASSWORD)
    reviewer.goto(f"{base}/figures/{draft.pk}/edit/")
    reviewer.get_by_label("数值", exact=False).first.fill("149999")
    reviewer.get_by_role("button", name="保存为草稿").click()
    reviewer.wait_for_url(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")

    staff = new_page(LAPTOP)
    sign_in(staff, base, "staff1", PASSWORD)
    staff.goto(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    staff.locator(f"#figure-{draft.pk}").get_by_role("button", name="提交").click()
    staff.wait_for_load_state()
    assert "数值已提交审核" in staff.content()

    reviewer.goto(f"{base}/")
    attention = reviewer.locator("section.attention").inner_text()
    assert "149,999" not in attention and "没有等待您审核的数值" in attention
    reviewer.goto(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    assert (
        "您经手过此数值，须由其他审核员审核" in reviewer.locator(f"#figure-{draft.pk}").inner_text()
    )
    reviewer.goto(f"{base}/figures/{draft.pk}/review/")
    assert "因此您不能审核" in reviewer.locator("main").inner_text()
    assert reviewer.get_by_role("button", name="通过").count() == 0
    assert reviewer.get_by_role("button", name="退回").count() == 0

    second = new_page(LAPTOP)
    sign_in(second, base, "reviewer2", PASSWORD)
    second.get_by_role("link", name="在役工业机器人: 149,999").click()
    second.get_by_role("button", name="通过").click()
    second.wait_for_url(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    assert "数值已审核通过" in second.content()
    draft.refresh_from_db()
    assert draft.state == "approved" and draft.reviewed_by.username == "reviewer2"
