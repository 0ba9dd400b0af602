"""The public portal end to end (issue 17's first "Done when"): an administrator publishes an
edition from the Publications page; a visitor who is not signed in reads the portfolio, the
plan, a task and a target in Chinese and in English, each stating the edition; and nothing
only staff may read is in any public answer: every response the browser received under
/public/ and every data file is searched for a draft figure, a pending register change, a
reviewer's comment, an evidence note and the staff's names."""

from __future__ import annotations

import datetime as dt

import pytest

from enterprises.services import create_enterprise
from plans.models import ResponsibleUnit
from publishing.models import Publication
from targets import services as figures
from targets.models import Target
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.targets.factories import approved_figure
from tests.web import credit_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PASSWORD = "pw-Test-12345"
PLAN = "zj-ai-2019-2022"
# What only staff may read, each written where the public must never see it.
STAFF_NAMES = ["pubstaffqx", "pubcheckerqx", "pubbossqx"]
DRAFT_VALUE = "31415926"
PENDING_VALUE = "27182818"
EVIDENCE_NOTE = "INTERNAL-EVIDENCE-NOTE-QX"
REVIEW_COMMENT = "CONFIDENTIAL-REVIEW-REMARK-QX"
PENDING_ENTERPRISE = "秘密待确认智能科技"


@pytest.fixture
def staff_world(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff, reviewer, _admin = (
        make_user(name, role, econ)
        for name, role in zip(STAFF_NAMES, ("staff", "reviewer", "admin"), strict=True)
    )
    robots = Target.objects.get(code="robots-in-service")
    for on, value in [(dt.date(2020, 6, 30), 60000), (dt.date(2020, 12, 31), 80000)]:
        approved_figure(robots, value, on, reviewer)
    figures.create_measurement(
        target=robots, value=DRAFT_VALUE, observed_on=dt.date(2021, 3, 31), acting_user=staff
    )
    pending = figures.create_measurement(
        target=robots,
        value=PENDING_VALUE,
        observed_on=dt.date(2021, 4, 30),
        acting_user=staff,
        note=EVIDENCE_NOTE,
    )
    figures.submit_measurement(pending, acting_user=staff)
    rejected = figures.create_measurement(
        target=robots, value="123457", observed_on=dt.date(2021, 2, 28), acting_user=staff
    )
    rejected = figures.submit_measurement(rejected, acting_user=staff)
    figures.reject_measurement(rejected, acting_user=reviewer, comment=REVIEW_COMMENT)
    # A leading enterprise awaiting its second person: it counts for no target until then.
    create_enterprise(
        acting_user=staff,
        name_zh=PENDING_ENTERPRISE,
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 3, 1),
        credit_code=credit_code(7),
    )


def test_a_published_edition_is_read_by_anyone_and_shows_nothing_of_staff(
    staff_world, live_server, new_page
):
    base = live_server.url
    admin = new_page(LAPTOP)
    sign_in(admin, base, "pubbossqx", PASSWORD)
    admin.goto(f"{base}/publications/")
    admin.fill("#id_as_of", "2021-06-30")
    admin.locator("main form.form.card button[type=submit]").click()
    admin.wait_for_load_state()
    publication = Publication.objects.get()
    assert publication.plan.code == PLAN and publication.as_of == dt.date(2021, 6, 30)
    assert admin.locator(f'code.digest[title="{publication.digest}"]').count() == 1

    # A visitor: a fresh browser context, never signed in.
    visitor = new_page(LAPTOP)
    bodies: dict[str, str] = {}

    def keep(response) -> None:
        if "/public/" in response.url and response.status == 200:
            bodies[response.url] = response.text()

    visitor.on("response", keep)
    short = publication.digest[:12]
    plan = publication.plan
    for prefix, language, title in (
        ("/public/", "zh-hans", plan.title_zh),
        ("/public/en/", "en", plan.title_en),
    ):
        visitor.goto(f"{base}{prefix}")
        assert visitor.locator("html").get_attribute("lang") == language
        assert title in visitor.locator("main").inner_text()
        visitor.locator(f"main a[href$='/{PLAN}/']").first.click()
        visitor.wait_for_load_state()
        assert visitor.url == f"{base}{prefix}{PLAN}/"
        seen = [visitor.url]
        visitor.locator("main a[href*='/tasks/']").first.click()
        visitor.wait_for_load_state()
        assert "/tasks/" in visitor.url
        seen.append(visitor.url)
        visitor.goto(f"{base}{prefix}{PLAN}/targets/robots-in-service/")
        seen.append(visitor.url)
        text = visitor.locator("body").inner_text()
        assert "80,000" in text  # the approved figure that counts
        screenshot(visitor, f"public-portal-target-{language}.png")
        for url in seen:
            visitor.goto(url)
            assert visitor.locator("html").get_attribute("lang") == language
            assert short in visitor.locator("body").inner_text(), url
        assert visitor.context.cookies() == []
    # Every data file of the edition, as a visitor downloads it.
    visitor.goto(f"{base}/public/{PLAN}/data/")
    links = visitor.locator("main a[href*='/data/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h and h.endswith("datapackage.json") for h in hrefs)
    for href in hrefs:
        response = visitor.request.get(href if href.startswith("http") else f"{base}{href}")
        assert response.status == 200, href
        bodies[href] = response.text()
    assert len(bodies) >= 10
    secrets = [
        DRAFT_VALUE,
        PENDING_VALUE,
        EVIDENCE_NOTE,
        REVIEW_COMMENT,
        PENDING_ENTERPRISE,
        *STAFF_NAMES,
    ]
    leaks = [(url, s) for url, body in bodies.items() for s in secrets if s in body]
    assert not leaks, leaks
