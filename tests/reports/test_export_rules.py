"""Who exports what (reports.rules): every role exports what it may read. Staff and reviewers
make the progress report and the bulletin; the report holds no unit's draft figures nor new
register entries awaiting confirmation; the bulletin names another unit's pending report only
as "not yet approved" to a reader who may not read it, and never shows a draft."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client

from enterprises.models import Enterprise
from plans.models import Plan, ResponsibleUnit
from reports import rules
from reports.bulletin import NOT_APPROVED, build_bulletin, find_period
from reports.models import Export
from targets.models import Measurement, Target
from tests.reports.bulletin_world import K1

PLAN = "zj-ai-2019-2022"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_role_exports_and_only_the_audit_logs_readers_compare(people):
    for role in ("staff", "reviewer", "admin", "auditor"):
        assert rules.may_export(people[role]), role
    assert [rules.may_compare_editions(people[r]) for r in ("staff", "reviewer")] == [False] * 2
    assert [rules.may_read_history(people[r]) for r in ("admin", "auditor")] == [True] * 2


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_export_no_other_units_drafts_or_unconfirmed_entries(
    world, make_user, role, django_capture_on_commit_callbacks
):
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    other = make_user("sci-writer", "staff", sci)
    robots = Target.objects.get(code="robots-in-service")
    at = dt.datetime(2021, 6, 1, 10, tzinfo=dt.UTC)
    # Another unit's draft and submitted figures, and its new enterprise awaiting confirmation.
    for state, value in (("draft", "777001"), ("submitted", "777002")):
        Measurement.objects.create(
            target=robots,
            unit=sci,
            value=Decimal(value),
            observed_on=dt.date(2021, 5, 31),
            state=state,
            note=f"note-{state}-of-another-unit",
            created_by=other,
            created_at=at,
            submitted_by=other if state == "submitted" else None,
            submitted_at=at if state == "submitted" else None,
        )
    Enterprise.objects.create(
        name_zh="待确认的他单位企业",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 1, 5),
        owner_unit=sci,
        confirmed=False,
    )
    client = client_for(world[role])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"format": "csv", "as_of": "2021-06-30"})
    item = Export.objects.get()
    assert response.status_code == 302 and item.requested_by == world[role]
    status = client.get(f"/reports/exports/{item.pk}/status/").json()
    assert status["state"] == "done", status
    download = client.get(status["download"])
    assert download.status_code == 200
    tables = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    figures = tables.read("measurements.csv").decode("utf-8-sig")
    enterprises = tables.read("enterprises.csv").decode("utf-8-sig")
    assert "95000" in figures  # an approved figure of the world
    assert "777001" not in figures and "777002" not in figures
    assert "another-unit" not in figures
    assert "企业leading" in enterprises  # a confirmed one
    assert "待确认的他单位企业" not in enterprises


def _bulletin(reader, known_at=K1):
    plan = Plan.objects.get(code=PLAN)
    return build_bulletin(
        plan, find_period(plan, dt.date(2021, 5, 15)), known_at=known_at, reader=reader
    )


def _states(bulletin, key):
    entry = next(e for e in bulletin.items if e.item.key == key)
    return {u.unit.code: (u.state, u.report) for u in entry.units}


def test_the_bulletin_names_a_pending_report_only_to_those_who_may_read_it(
    bulletin_world, make_user
):
    talent = ResponsibleUnit.objects.get(code="talent-office")
    outsider = make_user("talent-clerk", "staff", talent)
    # At K1 both units' reports on II.1.2 await review (tests/reports/bulletin_world.py).
    full = {"sci-tech": ("submitted", None), "econ-it": ("submitted", None)}
    assert _states(_bulletin(None), "II.1.2") == full  # the command line
    assert _states(_bulletin(bulletin_world["auditor"]), "II.1.2") == full
    assert _states(_bulletin(bulletin_world["admin"]), "II.1.2") == full
    # A unit neither reporting nor leading: sci-tech's report, still awaiting review, is "not
    # yet approved"; econ-it's, approved since (after K1), is everyone's to read, with its
    # state at K1.
    masked = _states(_bulletin(outsider), "II.1.2")
    assert masked == {"sci-tech": (NOT_APPROVED, None), "econ-it": ("submitted", None)}
    # Its own unit's report keeps its state for the sci-tech writer.
    assert _states(_bulletin(bulletin_world["staff"]), "II.1.2")["sci-tech"] == full["sci-tech"]
    # Approved reports and their content show to everyone; a draft never shows.
    first = _states(_bulletin(outsider), "II.1.1")
    assert first["sci-tech"][0] == "approved"
    assert first["sci-tech"][1].work_done == "【测试】完成基础理论研究甲"
    assert _states(_bulletin(outsider), "II.1.3")["sci-tech"] == ("missing", None)


def test_a_staff_members_bulletin_says_not_yet_approved_in_its_file(
    bulletin_world, make_user, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    outsider = make_user("talent-clerk", "staff", ResponsibleUnit.objects.get(code="talent-office"))
    client = client_for(outsider)
    client.get("/reports/bulletin/?plan=zj-ai-2019-2022")
    form = {
        "period": "2021-04-01",
        "unit": "",
        "known_on": "2021-08-01",
        "format": "xlsx",
        "language": "en",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/bulletin/", form)
    assert response.status_code == 302
    status = client.get(f"/reports/exports/{Export.objects.get().pk}/status/").json()
    assert status["state"] == "done", status
    body = b"".join(client.get(status["download"]).streaming_content)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    cells = {
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    }  # fmt: skip
    assert "not yet approved" in cells
    assert "【测试】等待审核的内容" not in cells and "【测试】草稿不可见" not in cells
    assert "【测试】完成基础理论研究甲" in cells
