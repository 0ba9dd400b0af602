"""export_report as of a date: CSV, XLSX and PDF, reproducible after later approvals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from reports.builders import AsOfReport
from targets import services
from targets.models import Measurement, Progress, Target
from targets.services import recompute_progress
from tests.reports.conftest import AS_OF
from tests.targets.factories import approved_figure

pytestmark = pytest.mark.django_db
TABLES = [
    "summary.csv",
    "targets.csv",
    "measurements.csv",
    "enterprises.csv",
    "projects.csv",
    "rollup_units.csv",
    "rollup_items.csv",
]
# What the export writes beside the tables: the edition (digest, head, when it was made).
FILES = [*TABLES, "edition.csv"]


def export(
    fmt: str, output: Path, as_of: dt.date | str = AS_OF, known_on: str | None = None
) -> str:
    out = io.StringIO()
    args = ["--format", fmt, "--as-of", str(as_of), "--output", str(output)]
    if known_on:
        args += ["--as-known-on", known_on]
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), f"{path.name} has no BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def figures(folder: Path) -> dict[str, list[list[str]]]:
    """Every table of a CSV export (edition.csv, which says when it was made, aside)."""
    return {name: read_csv(folder / name) for name in TABLES}


# --- CSV and reproducibility --------------------------------------------------------------


def test_csv_export_has_one_bom_file_per_table_with_bilingual_headers(world, tmp_path):
    output = export("csv", tmp_path / "out")
    assert "Wrote csv report as of 2021-06-30" in output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    targets = read_csv(tmp_path / "out" / "targets.csv")
    assert targets[0][0] == "指标代码 / code"
    assert "状态 / status (Chinese)" in targets[0]
    by_code = {row[0]: dict(zip(targets[0], row, strict=True)) for row in targets[1:]}
    assert len(by_code) == 15
    robots = by_code["robots-in-service"]
    assert robots["当前值 / current value"] == "95000.0000"
    assert robots["当前值日期 / date of current value"] == "2021-03-31"
    # The baseline the results use: the plan states none, no figure is dated by its start.
    assert robots["基期值 / baseline value"] == "60000.0000"
    assert robots["基期日期 / baseline date"] == "2020-06-30"
    assert robots["基期来源 / baseline source"] == "earliest_figure"
    leading = by_code["ent-leading"]
    assert leading["当前值 / current value"] == "3.0000"  # not the 5 recognised in September
    measurements = read_csv(tmp_path / "out" / "measurements.csv")
    assert len(measurements) == 1 + 5
    assert measurements[0][:3] == ["编号 / id", "指标代码 / target", "数值 / value"]
    approved = dict(zip(measurements[0], measurements[1], strict=True))
    assert approved["审核人 / approved by"] == "checker"
    assert approved["审核时间 / approved at"].startswith("2020-07-05 10:00:00")
    summary = {row[0]: row[3] for row in read_csv(tmp_path / "out" / "summary.csv")[1:]}
    assert summary["as_of"] == "2021-06-30"
    assert summary["targets"] == "15"
    enterprises = read_csv(tmp_path / "out" / "enterprises.csv")
    assert len(enterprises) == 1 + 3 + 40  # recognised by then; not the 5 of September


def test_csv_export_to_a_zip(world, tmp_path):
    export("csv", tmp_path / "report.zip")
    with zipfile.ZipFile(tmp_path / "report.zip") as bundle:
        assert bundle.namelist() == FILES
        assert bundle.read("targets.csv").startswith("\ufeff".encode())


def test_the_same_edition_gives_the_same_figures_after_later_approvals(world, tmp_path):
    # As known at the end of the as-of day (the world's figures were all approved by then).
    known_on = AS_OF.isoformat()
    first = tmp_path / "first"
    export("csv", first, known_on=known_on)

    # Afterwards: a figure for an earlier quarter and one for the as-of date are approved now,
    # an earlier figure is withdrawn, register entries are added with later dates, and a
    # recompute stores progress rows for the very date.
    staff, reviewer, admin = world["staff"], world["reviewer"], world["admin"]
    robots = Target.objects.get(code="robots-in-service")
    for on, value in [(dt.date(2021, 6, 30), "120000"), (dt.date(2021, 3, 31), "99000")]:
        figure = services.create_measurement(
            target=robots, value=value, observed_on=on, acting_user=staff
        )
        figure = services.submit_measurement(figure, acting_user=staff)
        # Each replaces the figure approved for its date, explicitly (one per target and date).
        services.approve_measurement(
            figure, acting_user=reviewer, comment="late but right", supersede=True
        )
    earliest = Measurement.objects.filter(target=robots).order_by("observed_on").first()
    services.withdraw_measurement(earliest, acting_user=admin, reason="superseded")
    recompute_progress(AS_OF)
    assert Progress.objects.filter(as_of=AS_OF).count() == 15

    second = tmp_path / "second"
    export("csv", second, known_on=known_on)
    assert figures(second) == figures(first)

    # …while as of today the new figures do count.
    today = tmp_path / "today"
    export("csv", today, as_of=timezone.localdate())
    current = {row[0]: row for row in read_csv(today / "targets.csv")[1:]}
    assert current["robots-in-service"][15] == "120000.0000"  # the current value


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_workbook_reads_back(world, tmp_path):
    path = tmp_path / "report.xlsx"
    export("xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == [
        "summary",
        "targets",
        "measurements",
        "enterprises",
        "projects",
        "rollup_units",
        "rollup_items",
    ]
    summary = book["summary"]
    rows = {row[0].value: row[3].value for row in summary.iter_rows(min_row=3)}
    assert rows["as_of"].date() == AS_OF
    assert rows["plan"] == "zj-ai-2019-2022"
    targets = book["targets"]
    assert targets.freeze_panes == "A3"
    assert targets["A1"].value == "指标代码" and targets["A2"].value == "code"
    assert targets.auto_filter.ref == "A2:AF17"  # 32 columns, closing's five last
    header = [c.value for c in targets[2]]
    robots = next(r for r in targets.iter_rows(min_row=3) if r[0].value == "robots-in-service")
    current = robots[header.index("current value")]
    assert float(current.value) == 95000
    assert current.number_format == "#,##0.####"
    deadline = robots[header.index("deadline")]
    assert deadline.value.date() == dt.date(2022, 12, 31)
    assert deadline.number_format == "yyyy-mm-dd"
    measurements = book["measurements"]
    assert measurements.freeze_panes == "A3"
    assert measurements.max_row == 2 + 5
    assert measurements["F1"].value == "填报人" and measurements["F2"].value == "reported by"
    assert book["rollup_units"]["A3"].value  # some unit
    assert book["rollup_items"].max_row > 10


# --- PDF --------------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils is not installed (make test installs it)"
)


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_poppler
def test_pdf_report_sections_fonts_and_footer(world, tmp_path):
    path = tmp_path / "report.pdf"
    out = export("pdf", path)
    head = out.rsplit("audit chain head ", 1)[1].strip()
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    cjk = [line for line in fonts.stdout.splitlines() if "CJK" in line]
    assert cjk, fonts.stdout
    assert all(" yes " in line for line in cjk)  # embedded
    text = _text(path)
    for needle in [
        "浙江省促进新一代人工智能发展行动计划",
        "进展报告",
        "统计截至 As of 2021-06-30",
        "概览 Summary",
        "需关注的指标 Targets that need attention",
        "主要指标 Headline targets",
        "分项进展 Progress by objective and key task",
        "企业竞争力突出",  # an objective
        "推进人工智能示范应用",  # a key task group
        "在役工业机器人",  # a headline target's chart
        "审计链头",
        head.split(":")[1][:40],  # the head hash, in the footer
    ]:
        assert needle in text, needle
    # Every page carries the head in its footer.
    pages = text.split("\f")
    assert all(head.split(":")[1][:16] in page for page in pages if page.strip())


@needs_poppler
def test_pdf_chinese_glyphs_render_as_glyphs_not_boxes(world, tmp_path):
    """Crop each character of the cover's title from the rendered page: real glyphs differ from
    each other; missing-glyph boxes (tofu) would all look the same."""
    from PIL import Image, ImageChops

    path = tmp_path / "report.pdf"
    export("pdf", path)
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "144", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    bbox = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import re

    word = next(
        m
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
            bbox,
        )
        if m.group(5).startswith("浙江省促进")
    )
    x0, y0, x1, y1 = (float(word.group(i)) * 2 for i in range(1, 5))  # 144 dpi = 2 × points
    chars = word.group(5)
    width = (x1 - x0) / len(chars)
    crops = [
        image.crop((round(x0 + i * width), round(y0), round(x0 + (i + 1) * width), round(y1)))
        for i in range(min(len(chars), 12))
    ]
    for crop in crops:
        assert crop.getextrema()[0] < 128, "a character cell has no ink"
    distinct = []
    for crop in crops:
        if all(ImageChops.difference(crop, other).getbbox() for other in distinct):
            distinct.append(crop)
    # 浙江省促进新一代人工智能: twelve different characters, twelve different shapes.
    assert len(distinct) >= 10, f"only {len(distinct)} distinct glyph shapes: boxes?"


# --- the command's arguments --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx", "--output", "x.docx"], "--format must be one of"),
        (["--format", "pdf", "--as-of", "2021-13-01", "--output", "x.pdf"], "YYYY-MM-DD"),
        (["--format", "pdf", "--as-of", "2999-01-01", "--output", "x.pdf"], "in the future"),
        (["--format", "pdf", "--output", "x.xlsx"], "must end in .pdf"),
        (["--format", "csv", "--output", "x.txt"], "a directory or a .zip"),
        (["--format", "xlsx", "--output", "/no/such/folder/x.xlsx"], "does not exist"),
        (["--format", "xlsx", "--output", "x.xlsx", "--plan", "nope"], "no plan with the code"),
    ],
)
def test_bad_arguments_are_one_line_errors(world, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message) as exc:
        call_command("export_report", *args, stdout=io.StringIO())
    assert "\n" not in str(exc.value)


def test_without_a_plan_the_command_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="load_action_plan"):
        call_command("export_report", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"))


def test_the_fast_copy_path_writes_the_same_bytes_as_the_row_by_row_path(world, tmp_path):
    """On PostgreSQL the figures are written by COPY, formatted by the database: the result must
    not differ from the Python writer's, however awkward the text."""
    from django.db import connection

    from reports.csv import write_table

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    awkward = [
        '=HYPERLINK("http://x","click")',
        "-5 (a note starting with minus)",
        'quotes " and, commas',
        "two\nlines",
        "中文说明，含逗号",
    ]
    figures_ = list(Measurement.objects.order_by("pk"))
    assert len(figures_) == len(awkward)
    for i, (figure, note) in enumerate(zip(figures_, awkward, strict=True)):
        Measurement.objects.filter(pk=figure.pk).update(
            note=note, review_comment="@mention" if i % 2 else ""
        )
    # A time just before midnight UTC, with microseconds: truncated, in Asia/Shanghai, both ways.
    Measurement.objects.filter(pk=figures_[0].pk).update(
        created_at=dt.datetime(2020, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)
    )
    report = AsOfReport(Measurement.objects.first().target.plan, AS_OF)
    paths = {}
    for fast in (True, False):
        paths[fast] = tmp_path / f"fast-{fast}.csv"
        with paths[fast].open("w", encoding="utf-8", newline="") as stream:
            write_table(report.measurements_table(), stream, fast=fast)
    assert paths[True].read_bytes() == paths[False].read_bytes()
    text = io.StringIO()  # a stream without a binary buffer: COPY's text path
    write_table(report.measurements_table(), text, fast=True)
    assert text.getvalue().encode() == paths[True].read_bytes()
    rows = read_csv(paths[True])
    notes = [dict(zip(rows[0], row, strict=True))["数据说明 / evidence note"] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x","click")' in notes
    assert "'-5 (a note starting with minus)" in notes
    assert "two\nlines" in notes
    assert rows[1][6] == "2020-07-01 07:59:59"


def _pdf_objects(path: Path) -> bytes:
    """The PDF's bytes with every Flate stream inflated (the catalog sits in an object stream)."""
    import re
    import zlib

    raw = path.read_bytes()
    parts = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _needs_acceleration(reviewer) -> Target:
    """robot-density, from its figure for the plan's start to 80 % of the required pace as of
    the report's date: needs acceleration."""
    from targets.progress import years

    density = Target.objects.get(code="robot-density")
    start, on = dt.date(2018, 12, 31), dt.date(2021, 3, 31)
    approved_figure(density, 50, start, reviewer)
    share = years(start, on) / years(start, density.deadline)
    value = 50 + (float(density.target_value) - 50) * share * 0.8
    approved_figure(density, round(value, 2), on, reviewer)
    return density


@needs_poppler
def test_the_pdf_lists_each_status_under_its_own_label(world, tmp_path):
    """Targets needing acceleration are listed under "需加快 needs acceleration", with their
    count; a status none has says so under its own name; no "none" beside targets."""
    density = _needs_acceleration(world["reviewer"])
    report = AsOfReport(density.plan, AS_OF)
    listed = dict(report.listed_statuses)
    assert "robot-density" in [r.target.code for r in listed["needs_acceleration"]]
    path = tmp_path / "report.pdf"
    export("pdf", path)
    text = " ".join(_text(path).split())
    attention = text.split("需关注的指标 Targets that need attention", 1)[1]
    attention = attention.split("主要指标 Headline targets", 1)[0]
    counts = {status: len(rows) for status, rows in listed.items()}
    for status, zh, en in [
        ("needs_acceleration", "需加快", "needs acceleration"),
        ("off_track", "进度滞后", "off track"),
        ("deteriorating", "倒退", "deteriorating"),
        ("missed", "未实现", "missed"),
        ("no_data", "暂无数据", "no data"),
    ]:
        heading = f"{zh} {en}（{counts[status]}）"
        assert heading in attention, heading
        said_none = f"没有状态为“{zh}”的指标"
        assert (said_none in attention) == (counts[status] == 0), status
    # Every target needing acceleration is named in its list (before the next status's).
    needing = attention.split("需加快 needs acceleration", 1)[1].split("进度滞后 off track", 1)[0]
    for row in listed["needs_acceleration"]:
        assert row.target.title_zh[:12] in needing, row.target.code
    assert "无。" not in attention


@needs_poppler
def test_the_pdf_is_tagged_with_its_language_and_title(world, tmp_path):
    """PDF/UA-1: marked content, a structure tree, the document's language and title; and
    the report still draws its Chinese text (tests above crop the glyphs)."""
    path = tmp_path / "report.pdf"
    export("pdf", path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    assert "Title:           浙江省促进新一代人工智能发展行动计划" in info.stdout
    catalog = _pdf_objects(path)
    assert b"/MarkInfo <</Marked true>>" in catalog
    assert b"/StructTreeRoot" in catalog
    assert b"/Lang (zh-Hans)" in catalog
    assert b"pdfuaid:part" in catalog  # the XMP metadata says which standard
