"""The progress bulletin (季度进展通报): what it says as known at an instant, for the whole plan
or one unit, in both formats and languages; the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from plans.models import Plan, ResponsibleUnit
from reports.bulletin import build_bulletin, find_period
from tests.reports.bulletin_world import K1, K2

PLAN = "zj-ai-2019-2022"


def bulletin(known_at, unit=None, language="zh-hans"):
    plan = Plan.objects.get(code=PLAN)
    return build_bulletin(
        plan,
        find_period(plan, dt.date(2021, 5, 15)),
        known_at=known_at,
        unit=ResponsibleUnit.objects.get(code=unit) if unit else None,
        language=language,
    )


def entry(b, key):
    return next(e for e in b.items if e.item.key == key)


def units_of(e):
    return {u.unit.code: u for u in e.units}


def stats_of(b):
    return {s.unit.code: s for s in b.stats}


def export(*args) -> str:
    out = io.StringIO()
    call_command("export_bulletin", *args, stdout=out)
    return out.getvalue()


def pdf_text(path: Path) -> str:
    """The PDF's text without white space: table cells wrap their text over lines."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_statuses_reports_and_milestones_as_known_at_k(bulletin_world):
    b = bulletin(K1)
    assert (b.period.start, b.period.end, b.period.due) == (
        dt.date(2021, 4, 1),
        dt.date(2021, 6, 30),
        dt.date(2021, 7, 15),
    )
    first = entry(b, "II.1.1")
    # The lead unit's consolidated report states the status (its units say behind).
    assert first.status == "in_progress" and first.consolidated is not None
    sci, econ = units_of(first)["sci-tech"], units_of(first)["econ-it"]
    assert (sci.state, sci.on_time, sci.report.work_done) == (
        "approved",
        True,
        "【测试】完成基础理论研究甲",
    )
    assert (econ.state, econ.late, econ.report.status) == ("approved", True, "behind")
    assert [m.description for m in first.overdue] == ["【测试】逾期节点"]
    second = entry(b, "II.1.2")
    # Approved only on 2021-09-01: at K1 it is awaiting review, and shows nothing of its text.
    assert {c: (u.state, u.report) for c, u in units_of(second).items()} == {
        "sci-tech": ("submitted", None),
        "econ-it": ("submitted", None),
    }
    assert second.status == "no_report"
    # Done after the period's end: overdue at its end; the one due later is not listed.
    assert [m.description for m in second.overdue] == ["【测试】迟完成节点"]
    # A draft never shows: the unit has not reported.
    assert units_of(entry(b, "II.1.3"))["sci-tech"].state == "missing"


def test_completeness_and_timeliness_per_unit(bulletin_world):
    early, late = stats_of(bulletin(K1)), stats_of(bulletin(K2))
    expected = early["econ-it"].expected
    assert expected >= 3
    assert (early["econ-it"].reported, early["econ-it"].on_time) == (1, 0)
    assert (late["econ-it"].reported, late["econ-it"].on_time) == (2, 1)
    assert late["econ-it"].completeness == round(100 * 2 / expected, 1)
    assert late["econ-it"].timeliness == round(100 * 1 / expected, 1)
    assert (early["sci-tech"].reported, early["sci-tech"].on_time) == (1, 1)
    assert entry(bulletin(K2), "II.1.2").status == "completed"


def test_one_unit(bulletin_world):
    b = bulletin(K2, unit="econ-it")
    econ = ResponsibleUnit.objects.get(code="econ-it")
    assert {e.item.pk for e in b.items} == set(econ.item_links.filter(
        item__kind__in=["task", "path_item", "measure", "column_entry"], item__plan__code=PLAN
    ).values_list("item_id", flat=True))  # fmt: skip
    assert all([u.unit.code for u in e.units] == ["econ-it"] for e in b.items)
    assert [s.unit.code for s in b.stats] == ["econ-it"]
    # The item's status still comes from all its units.
    assert entry(b, "II.1.1").status == "in_progress"
    assert entry(b, "II.1.1").overdue == []  # the overdue milestone is sci-tech's


def test_the_digest_is_the_content_not_the_language(bulletin_world):
    assert bulletin(K1).digest == bulletin(K1, language="en").digest
    assert bulletin(K1).digest != bulletin(K2).digest


def test_pdf_in_chinese(bulletin_world, tmp_path):
    path = tmp_path / "b.pdf"
    out = export("--plan", PLAN, "--period", "2021-05-15", "--as-of", "2021-08-01",
                 "--format", "pdf", "--output", str(path))  # fmt: skip
    assert "2021Q2" in out and f"digest {bulletin(K1).digest}" in out
    text = pdf_text(path)
    for needle in [
        "季度进展通报 · 2021Q2",
        "浙江省促进新一代人工智能发展行动计划",
        "报告期: 2021-04-01 — 2021-06-30 · 报送截止日: 2021-07-15",
        "全部责任单位",
        "数据截至: 2021-08-01T23:59:59.999999+08:00",
        bulletin(K1).digest,
        "报送率",
        "及时率",
        "加强人工智能基础理论研究",
        "推进中",
        "滞后",
        "逾期报送",
        "待审核",
        "未报送",
        "【测试】完成基础理论研究甲",
        "【测试】下一步推进乙",
        "【测试】经费不足丙",
        "【测试】牵头单位汇总",
        "【测试】逾期节点",
        "省科学技术厅",
    ]:
        assert squeezed(needle) in text, needle
    for absent in ["【测试】草稿不可见", "【测试】九月才审核通过", "【测试】等待审核的内容",
                   "【测试】按时节点"]:  # fmt: skip
        assert absent not in text, absent


def test_pdf_in_english_for_one_unit(bulletin_world, tmp_path):
    path = tmp_path / "b.pdf"
    export("--plan", PLAN, "--period", "2021-04-01", "--unit", "sci-tech", "--as-of",
           "2021-09-30", "--format", "pdf", "--language", "en", "--output", str(path))  # fmt: skip
    text = pdf_text(path)
    for needle in ["Quarterly progress bulletin · 2021Q2", "Completeness", "Timeliness",
                   "in progress", "awaiting review", "Overdue milestones"]:  # fmt: skip
        assert squeezed(needle) in text, needle
    assert "【测试】逾期报送的进展" not in text  # econ-it's report: another unit


def test_xlsx_sheets_and_rows(bulletin_world, tmp_path):
    path = tmp_path / "b.xlsx"
    export("--plan", PLAN, "--period", "2021-06-30", "--as-of", "2021-09-30",
           "--format", "xlsx", "--language", "en", "--output", str(path))  # fmt: skip
    book = load_workbook(path)
    assert book.sheetnames == ["summary", "tasks", "reports", "units"]
    summary = {row[0]: row[2] for row in book["summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["period"] == "2021Q2" and summary["digest"] == bulletin(K2).digest
    assert summary["title"] == "Quarterly progress bulletin"
    assert summary["known_at"] == "2021-09-30T23:59:59.999999+08:00"
    assert summary["status_completed"] == 1
    reports = list(book["reports"].iter_rows(min_row=3, values_only=True))
    row = next(r for r in reports if r[0] == "1." and r[2].startswith("Provincial Department of S"))
    assert row[4:8] == ("approved", "in progress", 60, "【测试】完成基础理论研究甲")
    assert row[11] == "On time"
    assert book["reports"]["A1"].value == "编号" and book["reports"]["A2"].value == "number"
    units = {r[0]: r for r in book["units"].iter_rows(min_row=3, values_only=True)}
    assert units["econ-it"][3:5] == (2, 1)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_same_inputs_give_the_same_bytes(bulletin_world, tmp_path, fmt):
    paths = [tmp_path / f"{n}.{fmt}" for n in (1, 2)]
    for path in paths:
        export("--plan", PLAN, "--period", "2021-05-15", "--as-of", "2021-08-01T12:00:00+08:00",
               "--format", fmt, "--output", str(path))  # fmt: skip
    assert paths[0].read_bytes() == paths[1].read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "doc"], "--format must be one of pdf, xlsx, not 'doc'"),
        (["--language", "fr"], "--language must be one of zh-hans, en, not 'fr'"),
        (["--period", "2021-13-01"], "--period must be a date YYYY-MM-DD, not '2021-13-01'"),
        (["--period", "2030-01-01"],
         "--period: 2030-01-01 is outside the plan's period (2019-01-01 to 2022-12-31)"),
        (["--plan", "nope"], "--plan: no plan with the code 'nope'"),
        (["--unit", "nope"], "--unit: no unit with the code 'nope'"),
        (["--as-of", "2999-01-01"], "--as-of 2999-01-01 is in the future"),
        (["--as-of", "soon"], "--as-of: as known on must be a date YYYY-MM-DD or a datetime "
                              "with an offset, not 'soon'"),
        (["--output", "x.txt"], "--output for pdf must end in .pdf, not 'x.txt'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(bulletin_world, tmp_path, args, message):
    given = dict(zip(args[::2], args[1::2], strict=True))
    options = {"--plan": PLAN, "--period": "2021-05-15", "--format": "pdf",
               "--output": str(tmp_path / "b.pdf"), **given}  # fmt: skip
    if "--output" in given:
        options["--output"] = str(tmp_path / given["--output"])
        message = message.replace("'x.txt'", "'x.txt'")
    with pytest.raises(CommandError) as caught:
        export(*[part for pair in options.items() for part in pair])
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "b.pdf").exists()


def test_the_command_exits_non_zero_with_one_line(bulletin_world, tmp_path):
    from django.conf import settings

    result = subprocess.run(
        [
            sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "export_bulletin",
            "--plan", PLAN, "--period", "2021-05-15", "--format", "doc",
            "--output", str(tmp_path / "b.doc"),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: --format must be one of pdf, xlsx, not 'doc'"
    ]


def test_the_bulletin_pdf_is_tagged_with_its_language(bulletin_world, tmp_path):
    """PDF/UA-1 like the report: a structure tree, the bulletin's language and title."""
    from reports.bulletin import write_pdf
    from tests.reports.test_export import _pdf_objects

    path = tmp_path / "b.pdf"
    write_pdf(bulletin(K2, language="en"), path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    assert "Title:" in info.stdout
    catalog = _pdf_objects(path)
    assert b"/StructTreeRoot" in catalog and b"/Lang (en)" in catalog
