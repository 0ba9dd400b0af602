"""Issue 13 in a real browser: a closed target's page shows its frozen verdict and the figure
approved after closing as "revised after closing", in Chinese and in English; an administrator
reopens it with a reason (refused without one), and it is judged again."""

import datetime as dt

import pytest

from targets import services
from targets.models import Target, TargetVerdict
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.targets.factories import approved_figure
from tests.web import PASSWORD
from zjai.dates import today

pytestmark = pytest.mark.slow


@pytest.fixture
def closed(plan, make_user):
    from plans.models import ResponsibleUnit

    econ = ResponsibleUnit.objects.get(code="econ-it")
    make_user("admin1", "admin", econ)
    reviewer = make_user("reviewer1", "reviewer", econ)
    robots = Target.objects.get(code="robots-in-service")
    approved_figure(robots, 120000, dt.date(2022, 6, 30), reviewer)
    services.recompute_progress()  # the plan ended in 2022: closed, missed at 120,000
    approved_figure(
        robots, 155000, dt.date(2022, 12, 31), reviewer, approved_on=today() - dt.timedelta(1)
    )
    services.recompute_progress()
    return robots


def test_the_verdict_and_its_revision_in_both_languages_and_reopening(
    closed, live_server, new_page
):
    base = live_server.url
    page = new_page(LAPTOP)
    sign_in(page, base, "admin1", PASSWORD)
    page.goto(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    verdict = page.locator("#verdict").inner_text()
    assert "2023年3月31日关闭" in verdict and "120,000" in verdict
    assert "关闭后修正：" in verdict and "155,000" in verdict and "已实现" in verdict
    screenshot(page, "closing-target-zh.png")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    verdict = page.locator("#verdict").inner_text()
    assert "Closed on 31 Mar 2023: value 120,000 robots at the deadline" in verdict
    assert "Revised after closing: 155,000 robots" in verdict
    screenshot(page, "closing-target-en.png")

    page.get_by_role("link", name="Reopen").click()
    page.get_by_role("button", name="Reopen").click()
    assert "Nothing was saved" in page.locator("main").inner_text()
    assert TargetVerdict.objects.get(target=closed).value == 120000
    page.get_by_label("reason").fill("Statistics bureau corrected the 2022 figure")
    page.get_by_role("button", name="Reopen").click()
    page.wait_for_url(f"{base}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    main = page.locator("main").inner_text()
    assert "The target was reopened" in main
    # Closed again at once (eager tasks here), on the figures known now.
    assert "Closed on 31 Mar 2023: value 155,000 robots at the deadline" in main
    assert "Revised after closing" not in main
    screenshot(page, "closing-reopened-en.png")
