"""Playwright for Python driving Debian's Chromium (never a downloaded browser).

`make test` installs the chromium package when `command -v chromium` finds none. The tests use
pytest-django's live_server, so the pages are served from the test database; the workflow test
also starts a real Celery worker (tests/workers.py) so the approval's recompute goes through
Redis, as in production.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from targets import services
from targets.models import Target
from targets.services import recompute_progress
from tests.web import credit_code, figures

# Playwright's sync API keeps an event loop in this thread; the ORM calls of the tests between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page(viewport=LAPTOP) → a page in a fresh context (its own cookies)."""
    contexts = []

    def make(viewport=LAPTOP, locale="zh-CN"):
        context = chromium.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == f"{base_url}/", (
        f"sign-in as {username} ended on {page.url}: " + (page.locator("main").inner_text()[:300])
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def pages(plan, make_user, settings, tmp_path):
    """Data for every page to show its parts: figures in each state, progress, entries."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enterprises.services import create_enterprise
    from plans.models import ResponsibleUnit
    from registers.jobs.services import start_import_job

    settings.MEDIA_ROOT = tmp_path
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff1", "staff", econ)
    reviewer = make_user("reviewer1", "reviewer", econ)
    robots = Target.objects.get(code="robots-in-service")
    figures(robots, reviewer, 3, start=dt.date(2020, 6, 30))
    recompute_progress(dt.date(2021, 6, 30))
    recompute_progress()
    drafted = services.create_measurement(
        target=robots, value="1", observed_on=dt.date(2022, 6, 30), acting_user=staff
    )
    pending = services.submit_measurement(
        services.create_measurement(
            target=robots, value="2", observed_on=dt.date(2022, 6, 30), acting_user=staff
        ),
        acting_user=staff,
    )
    enterprise = create_enterprise(
        acting_user=staff, name_zh="之江智能", city="hangzhou", credit_code=credit_code(3)
    )
    # A new leading enterprise awaits its confirmation: its page shows the pending change
    # (with the buttons for the reviewer), the queue lists it.
    pending_entry = create_enterprise(
        acting_user=staff,
        name_zh="钱江智能",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 3, 1),
    )
    # A background import refused with its error table (the job runs in-process here).
    refused_import = start_import_job(
        acting_user=staff,
        register="enterprises",
        upload=SimpleUploadedFile("big.csv", "name_zh,city\n甲,杭州\n乙,巴黎\n".encode()),
    )
    return {
        "staff1": [
            "/",
            "/plans/",
            "/plan/",
            "/targets/",
            "/plans/zj-ai-2019-2022/targets/robots-in-service/",
            "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
            f"/figures/{drafted.pk}/edit/",
            "/figures/",
            "/enterprises/",
            f"/enterprises/{enterprise.pk}/",
            f"/enterprises/{enterprise.pk}/edit/",
            "/enterprises/import/",
            f"/enterprises/import/{refused_import.pk}/",
            "/projects/",
            "/projects/new/",
            # Finding things (issue 16): a unit, any item, a figure, a register as of a date.
            "/units/econ-it/",
            "/plans/zj-ai-2019-2022/items/I.1/",
            "/plans/zj-ai-2019-2022/targets/ent-leading/",
            f"/figures/{drafted.pk}/",
            "/enterprises/?as_of=2021-06-30&tier=leading&counts_on=2021-06-30",
        ],
        "reviewer1": [
            "/",
            f"/figures/{pending.pk}/review/",
            f"/enterprises/{pending_entry.pk}/",
            "/registers/to-confirm/",
            "/inbox/",  # the submitted figure's notice
            "/inbox/settings/",
        ],
    }
