"""Finding things, in a real browser (issue 16): every role reaches the reports page, the API
documentation and the global search from the top bar; the search finds a target by a Chinese
word of its title, an enterprise by part of its credit code and a project by its number, and
never shows another unit's draft or new entry awaiting confirmation."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from enterprises.models import Enterprise
from plans.models import PlanItem, ResponsibleUnit
from projects.models import Project
from taskreports.models import TaskReport
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.browser.test_accessibility import CHECK
from tests.web import PASSWORD, credit_code

pytestmark = pytest.mark.slow

ROBOTS = "/plans/zj-ai-2019-2022/targets/robots-in-service/"
CODE = credit_code(8642)
DRAFT_TEXT = "他单位草稿进展说明"
PENDING_NAME = "他单位待确认企业"


@pytest.fixture
def world(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    people = {role: make_user(f"{role}-nav", role, econ) for role in ("admin", "reviewer", "staff")}
    people["auditor"] = make_user("auditor-nav", "auditor", econ)
    writer = make_user("sci-writer", "staff", sci)
    enterprise = Enterprise.objects.create(
        name_zh="之江导航智能", city="hangzhou", credit_code=CODE
    )
    project = Project.objects.create(
        pk=90210, name_zh="导航示范工厂", kind="smart_factory", level="provincial", city="ningbo"
    )
    # Another unit's draft task report and its new enterprise awaiting confirmation.
    item = PlanItem.objects.filter(units=sci, kind="task").order_by("order").first()
    TaskReport.objects.create(
        item=item,
        unit=sci,
        period_start=dt.date(2021, 4, 1),
        period_end=dt.date(2021, 6, 30),
        status="in_progress",
        state="draft",
        work_done=DRAFT_TEXT,
        created_by=writer,
        created_at=dt.datetime(2021, 6, 25, 10, tzinfo=dt.UTC),
    )
    Enterprise.objects.create(
        name_zh=PENDING_NAME,
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 3, 1),
        owner_unit=sci,
        confirmed=False,
    )
    return {"people": people, "enterprise": enterprise, "project": project}


def search_from_the_top_bar(page, text: str) -> None:
    page.fill("#topsearch-q", text)
    page.press("#topsearch-q", "Enter")
    page.wait_for_load_state()
    assert "/search/?q=" in page.url


@pytest.mark.parametrize("role", ["admin", "reviewer", "staff", "auditor"])
def test_every_role_finds_reports_api_docs_and_search_from_the_navigation(
    world, role, live_server, new_page
):
    base = live_server.url
    user = world["people"][role]
    page = new_page(LAPTOP)
    sign_in(page, base, user.username, PASSWORD)

    # The reports page, from the top bar.
    page.locator('nav.mainnav a[href="/reports/"]').click()
    page.wait_for_load_state()
    assert page.url == f"{base}/reports/"
    assert page.locator("main form button[type=submit]").count() == 1  # the export form
    assert page.locator('nav.mainnav a[aria-current="page"][href="/reports/"]').count() == 1
    if role == "staff":
        screenshot(page, "reports-staff-zh.png")
        assert page.locator('main a[href="/reports/compare/"]').count() == 0  # the audit log's

    # The API documentation (Swagger UI), from the top bar.
    page.locator('nav.mainnav a[href="/api/docs/"]').click()
    page.wait_for_load_state()
    assert page.url == f"{base}/api/docs/"
    assert page.locator("#swagger-ui").count() == 1

    # The global search, from the top bar of any page.
    page.goto(f"{base}/")
    search_from_the_top_bar(page, "工业机器人")  # 在役工业机器人, the plan's Chinese title
    targets = page.locator("#results-targets")
    assert targets.locator(f'a[href="{ROBOTS}"]').count() == 1
    if role == "staff":
        screenshot(page, "search-zh.png")
        assert page.evaluate(CHECK) == []  # the accessibility pass of the main pages

    search_from_the_top_bar(page, CODE[5:13])  # part of the credit code
    enterprise = f'a[href="/enterprises/{world["enterprise"].pk}/"]'
    assert page.locator("#results-enterprises").locator(enterprise).count() == 1

    search_from_the_top_bar(page, str(world["project"].pk))  # the project's number
    project = f'a[href="/projects/{world["project"].pk}/"]'
    assert page.locator("#results-projects").locator(project).count() == 1

    # Another unit's draft and its entry awaiting confirmation: only the roles that read
    # every unit's data (administrators, auditors) find them.
    reads_everything = role in ("admin", "auditor")
    search_from_the_top_bar(page, DRAFT_TEXT[:6])
    found = page.locator("#results-task_reports li", has_text=DRAFT_TEXT)
    assert found.count() == (1 if reads_everything else 0)
    if not reads_everything:
        assert re.search(r"(?<!\d)0(?!\d)", page.locator("#search-summary").inner_text())
    search_from_the_top_bar(page, PENDING_NAME)
    found = page.locator("#results-enterprises a", has_text=PENDING_NAME)
    assert found.count() == (1 if reads_everything else 0)
    if not reads_everything:
        assert re.search(r"(?<!\d)0(?!\d)", page.locator("#search-summary").inner_text())

    if role == "staff":
        page.locator("form.lang button[value=en]").click()
        page.wait_for_load_state()
        search_from_the_top_bar(page, "机器人")
        assert page.locator("#results-targets").locator(f'a[href="{ROBOTS}"]').count() == 1
        screenshot(page, "search-en.png")
        assert page.evaluate(CHECK) == []
