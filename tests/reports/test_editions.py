"""Editions: the report as of D as known at K (docs/audit.md, "Editions").

The same D and K give the same files byte for byte apart from the time they were made, however
much is approved, changed or registered after K; a later K sees it; compare_reports lists what
changed and the audit events behind it; the PDF prints the digest and the chain head at K and
a QR code of both that decodes to what it prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from reports.builders import AsOfReport, chain_head
from reports.editions import compare, digest, edition_of, parse_known_on
from targets import services
from targets.models import Target
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db
TABLE_FILES = [
    "summary.csv",
    "targets.csv",
    "measurements.csv",
    "enterprises.csv",
    "projects.csv",
    "rollup_units.csv",
    "rollup_items.csv",
]
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils is not installed (make poppler)"
)


def export(fmt: str, output: Path, known_on: str | None, as_of: dt.date = AS_OF) -> str:
    out = io.StringIO()
    args = ["--format", fmt, "--as-of", as_of.isoformat(), "--output", str(output)]
    if known_on:
        args += ["--as-known-on", known_on]
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


def later_changes(world) -> None:
    """After K: a figure for the as-of date approved, a target's value and units changed, and
    (once the registers know K) enterprises recognised before the as-of date registered."""
    staff, reviewer, admin = world["staff"], world["reviewer"], world["admin"]
    robots = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=robots, value="120000", observed_on=AS_OF, acting_user=staff
    )
    figure = services.submit_measurement(figure, acting_user=staff)
    services.approve_measurement(figure, acting_user=reviewer, comment="late")
    density = Target.objects.get(code="robot-density")
    services.update_target(density, acting_user=admin, reason="restated", target_value="150")
    talent = ResponsibleUnit.objects.get(code="talent-office")
    services.set_target_units(density, links=[(talent, True)], acting_user=admin, reason="moved")
    # The reviewer who approved the world's figures is renamed.
    from accounts.services import save_account

    reviewer.username = "checker-renamed"
    save_account(reviewer, acting_user=admin, reason="new name")
    # An enterprise recognised before the as-of date, registered and confirmed after K: the
    # registers are read as known at K (targets.values), so K's edition does not count it.
    from enterprises.services import confirm_enterprise_change, create_enterprise

    added = create_enterprise(
        acting_user=staff,
        name_zh="后补登记的领军企业",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 3, 1),
        status="active",
    )
    confirm_enterprise_change(added, acting_user=admin)


def edition_rows(path: Path) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    return {row[0]: row[3] for row in rows[1:]}


# --- byte identity ----------------------------------------------------------------------------


def test_the_same_edition_is_the_same_bytes_apart_from_its_creation_time(world, tmp_path):
    known_on = timezone.localtime().isoformat()
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir(), second.mkdir()
    outputs = {}
    for folder in (first, second):
        for name in ("report.zip", "report.xlsx", "report.pdf"):
            fmt = name.rsplit(".", 1)[1].replace("zip", "csv")
            outputs[folder, fmt] = export(fmt, folder / name, known_on)
        if folder is first:
            later_changes(world)
    # The command names the same edition both times.
    for fmt in ("csv", "xlsx", "pdf"):
        assert _edition_line(outputs[first, fmt]) == _edition_line(outputs[second, fmt])

    # CSV: every member the same bytes with the same time stamp, but edition.csv's
    # generated_at row.
    with zipfile.ZipFile(first / "report.zip") as a, zipfile.ZipFile(second / "report.zip") as b:
        assert [(i.filename, i.date_time) for i in a.infolist()] == [
            (i.filename, i.date_time) for i in b.infolist()
        ]
        for name in a.namelist():
            if name == "edition.csv":
                continue
            assert a.read(name) == b.read(name), name
        # The figures name their approver as at K, not as renamed since.
        assert b",checker," in b.read("measurements.csv")
        assert b"checker-renamed" not in b.read("measurements.csv")
        strip = re.compile(rb"\ngenerated_at,[^\n]*\n")
        assert strip.sub(b"\n", a.read("edition.csv")) == strip.sub(b"\n", b.read("edition.csv"))
        assert a.read("edition.csv") != b.read("edition.csv")  # made at two times

    # XLSX: the same parts, core.xml's times pinned to K; the summary sheet differs only in the
    # generated_at cell.
    with (
        zipfile.ZipFile(first / "report.xlsx") as a,
        zipfile.ZipFile(second / "report.xlsx") as b,
    ):
        assert [(i.filename, i.date_time) for i in a.infolist()] == [
            (i.filename, i.date_time) for i in b.infolist()
        ]
        differing = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert differing == ["xl/worksheets/sheet1.xml"]
    summaries = [
        {
            row[0].value: row[3].value
            for row in load_workbook(folder / "report.xlsx")["summary"].iter_rows(min_row=3)
        }
        for folder in (first, second)
    ]
    assert summaries[0].pop("generated_at") != summaries[1].pop("generated_at")
    assert summaries[0] == summaries[1]

    # PDF: the same bytes (its /CreationDate is K; no clock time is printed or recorded).
    assert (first / "report.pdf").read_bytes() == (second / "report.pdf").read_bytes()
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", "-isodates", str(first / "report.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        created = re.search(r"CreationDate:\s+(\S+)", info)
        assert created, info
        k = dt.datetime.fromisoformat(known_on).replace(microsecond=0)
        assert dt.datetime.fromisoformat(created.group(1)) == k


def _edition_line(output: str) -> str:
    """The command's output from "as known at", without the file's name and parts."""
    known = re.search(r"as known at (\S+)", output)
    tail = re.search(r"digest (\w+); audit chain head (\S+)", output)
    assert known and tail, output
    return f"{known.group(1)} {tail.group(1)} {tail.group(2)}"


def test_the_digest_is_the_sha256_of_the_csv_tables_in_order(world, tmp_path):
    out = export("csv", tmp_path / "out", AS_OF.isoformat())
    sha = hashlib.sha256()
    for name in TABLE_FILES:
        sha.update((tmp_path / "out" / name).read_bytes())
    edition = edition_rows(tmp_path / "out" / "edition.csv")
    assert edition["digest"] == sha.hexdigest()
    # …the digest taken while writing is the one computed apart (for XLSX, PDF and the API).
    plan = Target.objects.first().plan
    assert digest(AsOfReport(plan, AS_OF, known_at=parse_known_on("2021-06-30"))) == sha.hexdigest()
    assert f"digest {sha.hexdigest()}" in out
    assert edition["known_at"] == "2021-06-30T23:59:59.999999+08:00"


# --- K decides --------------------------------------------------------------------------------


def test_a_figure_approved_after_k_is_in_a_later_edition_only(world):
    plan = Target.objects.get(code="robots-in-service").plan
    density_value = Target.objects.get(code="robot-density").target_value
    k = timezone.now()
    before = AsOfReport(plan, AS_OF, known_at=k)
    old = edition_of(before)
    later_changes(world)
    again = AsOfReport(plan, AS_OF, known_at=k)
    assert edition_of(again) == old
    rows = {r.target.code: r for r in again.target_rows}
    assert rows["robots-in-service"].result.current_value == 95000
    # The target's value and lead unit as they were at K.
    assert rows["robot-density"].target.target_value == density_value != 150
    assert rows["robot-density"].lead.code == "econ-it"
    now = AsOfReport(plan, AS_OF)
    rows = {r.target.code: r for r in now.target_rows}
    assert rows["robots-in-service"].result.current_value == 120000
    assert rows["robot-density"].target.target_value == 150
    assert rows["robot-density"].lead.code == "talent-office"
    assert digest(now) != old.digest
    # The chain head at K is the last event at or before K, not today's.
    assert AuditEvent.objects.filter(occurred_at__gt=k).exists()
    assert old.head == chain_head(k) != chain_head()


@pytest.mark.parametrize(
    ("known_on", "message"),
    [
        ("2999-01-01", "in the future"),
        ("2021-06-29", "before the day it describes"),
        ("2021-06-30T12:00:00", "needs its offset"),
        ("yesterday", "a date YYYY-MM-DD or a datetime"),
    ],
)
def test_a_k_that_names_no_edition_is_a_one_line_error(world, tmp_path, known_on, message):
    with pytest.raises(CommandError, match=message) as exc:
        export("pdf", tmp_path / "x.pdf", known_on)
    assert "\n" not in str(exc.value)


def test_a_date_means_the_end_of_that_day_in_shanghai():
    assert parse_known_on("2021-07-01").isoformat() == "2021-07-01T23:59:59.999999+08:00"
    instant = parse_known_on("2021-07-01T12:00:00+00:00")
    assert instant == dt.datetime(2021, 7, 1, 12, tzinfo=dt.UTC)


# --- comparing --------------------------------------------------------------------------------


def compare_command(*args: str) -> str:
    out = io.StringIO()
    call_command("compare_reports", *args, stdout=out)
    return out.getvalue()


def test_compare_reports_lists_the_changed_figures_and_the_events_behind_them(world):
    k1 = timezone.localtime().isoformat()
    unrelated = AuditEvent.objects.count()
    later_changes(world)
    k2 = timezone.localtime().isoformat()
    out = compare_command("--as-of", str(AS_OF), "--as-known-on", k1, "--against-known-on", k2)
    lines = out.splitlines()
    differences = [line.split("\t") for line in lines if line.startswith("  ") and "#" not in line]
    changed = {(row[0].strip(), row[1]) for row in differences}
    # Exactly the targets changed after K1: the figure approved for robots-in-service, the
    # value and lead unit of robot-density, the enterprise registered for ent-leading.
    assert {target for target, _field in changed} == {
        "robots-in-service",
        "robot-density",
        "ent-leading",
    }
    assert ("ent-leading", "current_value") in changed
    assert ("robots-in-service", "current_value") in changed
    assert ("robots-in-service", "current_date") in changed
    assert ("robot-density", "target_value") in changed
    assert ("robot-density", "lead_unit") in changed
    assert ("robots-in-service", "target_value") not in changed
    value = next(
        r for r in differences if r[0].strip() == "robots-in-service" and r[1] == "current_value"
    )
    assert value[2:] == ["95000.0000", "→ 120000.0000"]
    # The events: the figure's creation, submission and approval, and the target's two changes.
    events = [line.split("\t") for line in lines if line.startswith("  #")]
    assert [(e[3], e[4].split(":")[0]) for e in events] == [
        ("create", "targets.measurement"),
        ("submit", "targets.measurement"),
        ("approve", "targets.measurement"),
        ("update", "targets.target"),
        ("set_units", "targets.target"),
        # The enterprise's registration and its confirmation by a second person.
        ("create", "enterprises.enterprise"),
        ("update", "enterprises.enterprise"),
    ]
    seqs = [int(e[0].strip(" #")) for e in events]
    assert seqs == sorted(seqs) and min(seqs) > unrelated
    assert events[2][2] == "checker"


def test_compare_reports_says_no_differences(world):
    k = timezone.localtime().isoformat()
    out = compare_command("--as-of", str(AS_OF), "--as-known-on", k, "--against-known-on", k)
    assert out.splitlines()[-1] == "no differences"
    old, new = (re.search(r"digest (\w+)", line).group(1) for line in out.splitlines()[:2])
    assert old == new


def test_compare_without_events_when_only_the_date_differs(world):
    k = timezone.localtime().isoformat()
    plan = Target.objects.first().plan
    result = compare(
        AsOfReport(plan, dt.date(2020, 12, 31), known_at=parse_known_on(k)),
        AsOfReport(plan, AS_OF, known_at=parse_known_on(k)),
    )
    assert "robots-in-service" in result.targets
    assert result.events == []


def test_compare_reports_bad_arguments(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        compare_command("--as-of", "June")
    with pytest.raises(CommandError, match="in the future"):
        compare_command("--as-of", str(AS_OF), "--against-known-on", "2999-01-01")


# --- the PDF's QR code ------------------------------------------------------------------------


@needs_poppler
def test_the_pdf_prints_the_digest_and_head_and_its_qr_code_decodes_to_them(world, tmp_path):
    import zxingcpp
    from PIL import Image

    path = tmp_path / "report.pdf"
    out = export("pdf", path, "2021-07-01")
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "200", "-png", str(path), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png")))
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    fields = dict(part.split("=", 1) for part in codes[0].text.split(";")[1:])
    assert codes[0].text.startswith("zjai-edition:v1;")
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert fields["digest"] in flat  # the digest printed on the cover
    seq, head_hash = fields["head"].split(":")
    assert f"#{seq}" in flat and head_hash in flat
    assert fields["plan"] == "zj-ai-2019-2022"
    assert fields["as_of"] == "2021-06-30"
    assert fields["known_at"] == "2021-07-01T23:59:59.999999+08:00"
    # …and they are the system's: the command's digest and head for the same edition.
    assert f"digest {fields['digest']}" in out
    assert out.rstrip().endswith(f"audit chain head {fields['head']}")
