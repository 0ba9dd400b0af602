"""Finding things in a real browser (issue 16): from a counted target to the register entries
it counts, from the plan to an item's page, from a unit's name to the unit's page."""

import datetime as dt

import pytest

from targets.models import Target
from targets.services import recompute_progress
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.targets.factories import recognise
from tests.web import PASSWORD

pytestmark = pytest.mark.slow

AS_OF = dt.date(2021, 6, 30)


@pytest.fixture
def counted(plan, make_user):
    from plans.models import ResponsibleUnit

    make_user("staff1", "staff", ResponsibleUnit.objects.get(code="econ-it"))
    recognise(4, "leading", dt.date(2020, 5, 1))
    recognise(2, "leading", dt.date(2022, 5, 1))  # after AS_OF: not counted then
    recompute_progress(AS_OF)
    return Target.objects.get(code="ent-leading")


def test_from_a_counted_value_to_its_entries_and_from_a_unit_to_its_page(
    counted, live_server, new_page
):
    base = live_server.url
    page = new_page(LAPTOP)
    sign_in(page, base, "staff1", PASSWORD)
    page.goto(f"{base}/plans/zj-ai-2019-2022/targets/ent-leading/")
    value = page.locator("#counted-value").inner_text()
    page.locator("#counted-entries a").click()
    page.wait_for_load_state()
    assert "/enterprises/" in page.url and "as_of=2021-06-30" in page.url
    assert page.locator("#as-of-note").is_visible()
    rows = page.locator("table.grid tbody tr a[href^='/enterprises/']")
    assert rows.count() == int(value)
    screenshot(page, "counted-entries.png")

    page.goto(f"{base}/plan/")
    page.locator("a.item-link[href$='/items/I.3/']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/plans/zj-ai-2019-2022/items/I.3/")
    assert page.locator("#targets-heading").is_visible()
    page.locator("ul.targets a").first.click()
    page.wait_for_load_state()
    assert "/targets/" in page.url
    page.locator("main a.unit-link").first.click()
    page.wait_for_load_state()
    assert "/units/" in page.url
    assert page.locator("h1").count() == 1
    assert page.locator("#items-heading").is_visible()
    screenshot(page, "unit-page.png")
