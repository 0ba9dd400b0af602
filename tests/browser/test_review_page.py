"""The review page in Chromium: the figure in context (previous value, change, required path,
the warning of a count going down), the evidence shown inline under the site's policy (an image
that loads, a PDF in a frame the policy allows), the review rounds; then approving two ticked
figures from the queue, with the one the reviewer edited named as refused."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Measurement, Target
from tests.browser.conftest import LAPTOP, screenshot, sign_in
from tests.browser.test_csp import _watch_violations
from tests.targets.factories import approved_figure
from tests.web import PASSWORD

pytestmark = pytest.mark.slow


def pdf() -> bytes:
    """A one-page PDF with a line of text and a correct cross-reference table, so the browser's
    viewer opens it."""
    stream = b"BT /F1 24 Tf 40 100 Td (Statistics bureau, Q2 2022: 120000) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def png(width: int = 120, height: int = 60) -> bytes:
    """A real (grey) PNG, so the browser decodes and draws it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x99" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def world(plan, make_user, settings, tmp_path):
    from plans.models import ResponsibleUnit

    settings.MEDIA_ROOT = tmp_path
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff1", "staff", econ)
    reviewer = make_user("reviewer1", "reviewer", econ)
    make_user("reviewer2", "reviewer", econ)
    robots = Target.objects.get(code="robots-in-service")
    approved_figure(robots, "100000", dt.date(2021, 12, 31), reviewer)

    def submitted(value, day, name, content, who=staff):
        figure = services.create_measurement(
            target=robots,
            value=value,
            observed_on=day,
            acting_user=who,
            evidence=SimpleUploadedFile(name, content),
        )
        return services.submit_measurement(figure, acting_user=who)

    photo = submitted("98000", dt.date(2022, 3, 31), "现场照片.png", png())
    photo = services.reject_measurement(photo, acting_user=reviewer, comment="请附统计局来源")
    photo = services.revise_measurement(
        photo, acting_user=staff, expected_version=photo.version, submit=True
    )
    report = submitted("120000", dt.date(2022, 6, 30), "统计局季报.pdf", pdf())
    own = submitted("130000", dt.date(2022, 9, 30), "自报.pdf", pdf(), who=reviewer)
    return {"photo": photo, "report": report, "own": own}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_review_page_shows_the_figure_in_context(world, live_server, new_page, locale):
    page = new_page(LAPTOP, locale=locale)
    violations = _watch_violations(page)
    sign_in(page, live_server.url, "reviewer2", PASSWORD)
    language = "en" if locale == "en-US" else "zh"
    if language == "en":  # the top bar's switcher
        page.locator("form.lang button[value=en]").click()
        page.wait_for_load_state()

    page.goto(f"{live_server.url}/figures/{world['photo'].pk}/review/")
    assert page.locator("#previous-value").inner_text().startswith("100,000")
    assert "-2,000" in page.locator("#change").inner_text()
    assert page.locator(".warnings li").count() == 1  # a count of robots going down
    image = page.locator("img.evidence-inline, .evidence-inline img").first
    image.wait_for()
    page.wait_for_load_state("networkidle")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 120
    rounds = page.locator("ol.rounds > li")
    assert rounds.count() == 2
    assert "请附统计局来源" in rounds.nth(0).inner_text()
    screenshot(page, f"review-page-{language}.png")

    page.goto(f"{live_server.url}/figures/{world['report'].pk}/review/")
    frame = page.locator("iframe.evidence-inline")
    assert frame.get_attribute("src") == f"/figures/{world['report'].pk}/evidence/?inline=1"
    page.wait_for_load_state("networkidle")
    screenshot(page, f"review-page-pdf-{language}.png")
    assert not violations, "\n".join(violations)


def test_approving_ticked_figures_from_the_queue(world, live_server, new_page):
    page = new_page(LAPTOP)
    sign_in(page, live_server.url, "reviewer1", PASSWORD)
    page.goto(f"{live_server.url}/figures/?to_review=true")
    boxes = page.locator('input[name="figure"][form="approve-selected"]')
    # reviewer1 rejected the photo (reviewing is not editing) but reported `own`: not offered.
    assert boxes.count() == 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    screenshot(page, "review-queue-ticked.png")
    page.locator("#approve-selected button[type=submit]").click()
    page.wait_for_url("**/figures/?to_review=true")
    said = page.locator("ul.messages").inner_text()
    assert "2" in said and "#" not in said, said  # two approved, none refused
    states = dict(Measurement.objects.values_list("pk", "state"))
    assert states[world["photo"].pk] == states[world["report"].pk] == "approved"
    assert states[world["own"].pk] == "submitted"
    screenshot(page, "review-approve-selected.png")
