"""Evidence files keep the name the user uploaded them under: shown, audited and downloaded
with it (RFC 5987 for a Chinese name), while stored under a random name, so a second
"robots.pdf" never becomes "robots_wYe3xMo.pdf". Images and PDFs are also served inline for
the review page's frame, and framable by this site only."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from targets import services
from targets.models import Measurement, Target
from tests.web import client_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DAY = dt.date(2022, 6, 30)
RANDOM = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|csv)$")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def reported(robots, who, name: str, content: bytes = PDF, day=DAY) -> Measurement:
    return services.create_measurement(
        target=robots,
        value="120000",
        observed_on=day,
        acting_user=who,
        evidence=SimpleUploadedFile(name, content),
    )


def test_a_chinese_name_round_trips_through_upload_page_and_download(people, robots):
    client = client_for(people["staff"])
    response = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {
            "value": "120000",
            "observed_on": "2022-06-30",
            "evidence": SimpleUploadedFile("机器人季报 2022.pdf", PDF),
        },
    )
    assert response.status_code == 302
    figure = Measurement.objects.get()
    assert figure.evidence_name == "机器人季报 2022.pdf"
    assert RANDOM.match(figure.evidence.name), figure.evidence.name
    page = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    row = page[page.index(f'id="figure-{figure.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "机器人季报 2022.pdf" in row and figure.evidence.name.split("/")[-1] not in row
    download = client.get(f"/figures/{figure.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('机器人季报 2022.pdf')}"
    )
    # The audit trail names the file as uploaded (and where it is kept).
    created = AuditEvent.objects.get(object_type="targets.measurement", action="create")
    assert created.after["evidence_name"] == "机器人季报 2022.pdf"


def test_the_same_name_twice_is_stored_twice_and_shown_as_uploaded(people, robots):
    first = reported(robots, people["staff"], "robots.pdf")
    second = reported(robots, people["staff"], "robots.pdf", day=dt.date(2022, 3, 31))
    assert first.evidence.name != second.evidence.name
    assert first.evidence_name == second.evidence_name == "robots.pdf"
    # Re-uploaded on a draft: the new file's name replaces the old one's.
    again = services.update_measurement(
        first,
        acting_user=people["staff"],
        expected_version=first.version,
        evidence=SimpleUploadedFile("robots.pdf", PDF),
    )
    assert again.evidence_name == "robots.pdf" and RANDOM.match(again.evidence.name)
    listed = client_for(people["staff"]).get("/figures/").content.decode()
    assert "robots_" not in listed
    download = client_for(people["staff"]).get(f"/figures/{again.pk}/evidence/")
    assert download["Content-Disposition"] == 'attachment; filename="robots.pdf"'


def test_a_file_kept_before_names_were_is_shown_by_its_stored_name(people, robots):
    figure = reported(robots, people["staff"], "x.pdf")
    Measurement.objects.filter(pk=figure.pk).update(
        evidence="evidence/2022/06/统计局.pdf", evidence_name=""
    )
    figure.refresh_from_db()
    assert figure.shown_evidence_name == "统计局.pdf"


def test_pdf_and_images_are_served_inline_for_this_site_only(people, robots):
    client = client_for(people["reviewer"])
    pdf = reported(robots, people["staff"], "季报.pdf")
    inline = client.get(f"/figures/{pdf.pk}/evidence/?inline=1")
    assert inline["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert inline["Content-Type"] == "application/pdf"
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    policy = inline["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy
    # Without ?inline it is a download, framable by no one, as every other response.
    download = client.get(f"/figures/{pdf.pk}/evidence/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]
    # A CSV is never shown inline, whatever the address asks.
    csv = reported(robots, people["staff"], "明细.csv", b"a,b\n1,2\n", day=dt.date(2022, 3, 31))
    forced = client.get(f"/figures/{csv.pk}/evidence/?inline=1")
    assert forced["Content-Disposition"].startswith("attachment;")
    assert forced["X-Frame-Options"] == "DENY"


def test_the_review_page_shows_the_evidence_inline(people, robots):
    image = services.submit_measurement(
        reported(robots, people["staff"], "现场照片.png", PNG), acting_user=people["staff"]
    )
    html = client_for(people["reviewer"]).get(f"/figures/{image.pk}/review/").content.decode()
    assert f'<img src="/figures/{image.pk}/evidence/?inline=1"' in html
    assert "现场照片.png" in html
    pdf = services.submit_measurement(
        reported(robots, people["staff"], "季报.pdf", day=dt.date(2022, 3, 31)),
        acting_user=people["staff"],
    )
    html = client_for(people["reviewer"]).get(f"/figures/{pdf.pk}/review/").content.decode()
    assert f'<iframe class="evidence-inline" src="/figures/{pdf.pk}/evidence/?inline=1"' in html


def test_a_task_reports_evidence_keeps_its_name_too(people, plan):
    from taskreports import services as report_services
    from tests.taskreports.writing import pdf, report, tasks

    draft = report(tasks(plan), people["staff_sci"])
    evidence = report_services.add_evidence(
        draft, file=pdf("第一季度进展.pdf"), acting_user=people["staff_sci"]
    )
    assert evidence.original_name == "第一季度进展.pdf"
    assert re.match(r"^task-evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$", evidence.file.name)
    response = client_for(people["staff_sci"]).get(f"/tasks/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('第一季度进展.pdf')}"
    )
    page = client_for(people["staff_sci"]).get(f"/tasks/reports/{draft.pk}/").content.decode()
    assert "第一季度进展.pdf" in page
