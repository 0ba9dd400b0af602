"""The Content-Security-Policy holds in a real browser: every page, the export page's script,
the Django admin and the Swagger UI load and work with no inline script or style, and
Chromium reports no violation on any of them."""

from __future__ import annotations

import pytest

from accounts.models import User
from plans.models import ResponsibleUnit
from targets.models import Target
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.web import PASSWORD

pytestmark = pytest.mark.slow


def _watch_violations(page) -> list[str]:
    """Chromium logs every blocked script, style or image as a console error."""
    seen: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            seen.append(f"{page.url}: {message.text[:300]}")

    page.on("console", on_console)
    return seen


def test_pages_show_without_a_single_violation(pages, live_server, new_page):
    page = new_page(LAPTOP)
    violations = _watch_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, live_server.url, "staff1", PASSWORD)
    for path in pages["staff1"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # The progress bars draw their width without inline styles: still as wide as the figure.
    page.goto(f"{live_server.url}/plans/zj-ai-2019-2022/targets/robots-in-service/")
    bar = page.locator(".bar[role=progressbar]").first
    fill = bar.locator("rect.fill")
    percent = float(bar.get_attribute("aria-valuenow"))
    track_width = bar.bounding_box()["width"]
    assert fill.bounding_box()["width"] == pytest.approx(track_width * percent / 100, abs=3)
    screenshot(page, "csp-target-detail.png")
    assert not violations, "\n".join(violations)


def test_the_export_page_polls_with_its_own_script(
    pages, live_server, new_page, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_user("auditor1", "auditor", ResponsibleUnit.objects.get(code="econ-it"))
    page = new_page(LAPTOP)
    violations = _watch_violations(page)
    sign_in(page, live_server.url, "auditor1", PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.locator("input[name=format][value=csv]").check()
    page.locator("main form button[type=submit]").click()
    # The script (reports/export.js) fills in the status and reveals the download link.
    page.locator("#export-ready").wait_for(state="visible")
    assert page.locator("#export-download").get_attribute("href").endswith("/download/")
    assert not violations, "\n".join(violations)


def test_the_admin_works_under_the_policy(pages, live_server, new_page, make_user):
    admin = make_user("admin1", "admin", ResponsibleUnit.objects.get(code="econ-it"))
    admin.is_staff = admin.is_superuser = True  # as the admin site wants, like the demo admin
    admin.save(update_fields=["is_staff", "is_superuser"])
    target = Target.objects.get(code="robots-in-service")
    page = new_page(LAPTOP)
    violations = _watch_violations(page)
    sign_in(page, live_server.url, "admin1", PASSWORD)
    for path in (
        "/admin/",
        "/admin/targets/target/",
        f"/admin/targets/target/{target.pk}/change/",
        "/admin/enterprises/enterprise/add/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # The admin's own scripts run: the change list's select-all box ticks every row (the
    # accounts' list, which has an action; targets and registers are never deleted here).
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.locator("#action-toggle").check()
    rows = page.locator("input.action-select")
    assert rows.count() == User.objects.count() > 1
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))
    assert not violations, "\n".join(violations)


def test_swagger_ui_renders_the_schema_under_the_policy(pages, live_server, new_page):
    page = new_page(LAPTOP)
    violations = _watch_violations(page)
    sign_in(page, live_server.url, "staff1", PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    # Rendered by Swagger UI's script from the schema: the title and the operations.
    page.locator(".swagger-ui .info .title").wait_for()
    assert "zjai API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 20
    screenshot(page, "csp-swagger.png")
    assert not violations, "\n".join(violations)
