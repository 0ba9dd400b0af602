"""Registers with valid time in a real browser: the edit form dates a change (an error shown on
its field), and the entry's page shows the counted values by period and, folded, the earlier
accounts, in Chinese and in English."""

import datetime as dt

import pytest
from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.services import confirm_enterprise_change, create_enterprise, update_enterprise
from tests.browser.conftest import ARTIFACTS, LAPTOP, sign_in
from tests.web import PASSWORD

pytestmark = pytest.mark.slow

TODAY = timezone.localdate()
E = TODAY - dt.timedelta(days=100)


@pytest.fixture
def entry(plan, make_user):
    from plans.models import ResponsibleUnit

    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff1", "staff", econ)
    reviewer = make_user("reviewer1", "reviewer", econ)
    made = create_enterprise(
        acting_user=staff,
        name_zh="衢州某智能科技有限公司",
        name_en="Quzhou Smart Tech",
        city="lishui",
        sector="robots",
        tier="leading",
        recognised_on=TODAY - dt.timedelta(days=1000),
    )
    made = confirm_enterprise_change(made, acting_user=reviewer)
    update_enterprise(
        made, acting_user=staff, tier="benchmark", effective_from=E, reason="第二批认定"
    )
    made = confirm_enterprise_change(Enterprise.objects.get(pk=made.pk), acting_user=reviewer)
    update_enterprise(made, acting_user=staff, city="quzhou", edit_kind="correction", reason="录错")
    return confirm_enterprise_change(Enterprise.objects.get(pk=made.pk), acting_user=reviewer)


def test_the_entry_page_shows_its_periods_and_earlier_accounts(entry, live_server, new_page):
    base = live_server.url
    for locale, language, words in (
        ("zh-CN", "zh", ("计数值的历史", "此前的记录", "自始", "至今")),
        ("en-US", "en", ("Counted values over time", "Earlier accounts", "from the start")),
    ):
        page = new_page(LAPTOP, locale=locale)
        sign_in(page, base, "reviewer1", PASSWORD)
        if language == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/enterprises/{entry.pk}/")
        section = page.locator("#valid-time")
        assert section.locator("table.periods").first.locator("tbody tr").count() == 2
        details = section.locator("details.earlier-accounts")
        assert not details.locator("table").is_visible()
        details.locator("summary").click()
        assert details.locator("table").is_visible()
        text = section.inner_text()
        for word in words:
            assert word in text, (word, text[:500])
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / f"valid-time-entry-{language}.png"))


def test_the_edit_form_shows_a_dated_correction_on_its_field(entry, live_server, new_page):
    base = live_server.url
    page = new_page(LAPTOP)
    sign_in(page, base, "staff1", PASSWORD)
    page.goto(f"{base}/enterprises/{entry.pk}/edit/")
    page.get_by_label("更正", exact=False).check()
    page.get_by_label("生效日期").fill(E.isoformat())
    page.get_by_label("修改理由").fill("录错")
    page.locator("#id_sector").select_option("wearables")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    error = page.locator("#id_effective_from_errors")
    assert "更正" in error.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("form.form").screenshot(path=str(ARTIFACTS / "valid-time-edit-form.png"))
