"""The portfolio of plans in a real browser: the plans page in Chinese and English, and the top
bar's switcher choosing the plan the dashboard shows."""

from __future__ import annotations

import pytest

from targets.services import recompute_progress
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.second_plan import SECOND, copy_plan
from tests.web import PASSWORD

pytestmark = pytest.mark.slow


def test_the_plans_page_and_the_switcher(pages, plan, live_server, new_page):
    second = copy_plan(plan)
    recompute_progress()  # both plans as of today
    page = new_page(LAPTOP)
    sign_in(page, live_server.url, "staff1", PASSWORD)
    # The plan in force (2023–2027) by default.
    assert second.title_zh in page.locator("main h1").inner_text()

    page.goto(f"{live_server.url}/plans/")
    table = page.locator("table.portfolio")
    assert table.locator("tbody tr").count() == 2
    text = table.inner_text()
    assert "实施中" in text and "已结束" in text
    screenshot(page, "portfolio-zh.png")

    # The switcher: choose the 2019–2022 plan; the dashboard shows it, and keeps showing it.
    page.select_option("#plan-switch", "zj-ai-2019-2022")
    page.locator(".planswitch button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    assert plan.title_zh in page.locator("main h1").inner_text()
    assert page.locator("#plan-switch").input_value() == "zj-ai-2019-2022"

    page.locator("form.lang button[value=en]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/plans/")
    text = page.locator("table.portfolio").inner_text()
    assert "in force" in text and "ended" in text
    assert page.locator("#plan-switch").input_value() == "zj-ai-2019-2022"
    screenshot(page, "portfolio-en.png")
    page.goto(f"{live_server.url}/plans/{SECOND}/")
    assert page.locator("#plan-switch").input_value() == SECOND
