"""Import files that would stall a reader that trusts them (issue 12, finding 3) are refused
within the request, with a message that says what is wrong, and nothing is saved.

How long each takes to be refused is measured by bench/import_bombs.py (no timed tests);
here each is refused for the right reason, through the import page of both registers. A file
read in full would not be refused at all: the dimension bomb's one data row is valid.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from enterprises.models import Enterprise
from projects.models import Project
from registers.imports import read_table
from tests.registers import bombs
from tests.web import client_for

GOOD = {
    "enterprises": (["name_zh", "city"], ["好企业", "杭州"]),
    "projects": (
        ["name_zh", "kind", "level", "status", "city", "start_date"],
        ["好项目", "智能工厂", "省级", "在建", "杭州", "2021-01-01"],
    ),
}
MODELS = {"enterprises": Enterprise, "projects": Project}
REGISTERS = list(GOOD)


def post(user, register: str, name: str, content: bytes):
    return client_for(user).post(
        f"/{register}/import/", {"file": SimpleUploadedFile(name, content)}
    )


def entries(register: str) -> int:
    """Entries of the register named as the good rows are (the plan loads a few of its own)."""
    return MODELS[register].objects.filter(name_zh__startswith=GOOD[register][1][0]).count()


def refused(response) -> list:
    """The errors of a refused import, as the page lists them; nothing was imported."""
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert "未导入任何内容" in html
    return response.context["report"].errors


@pytest.mark.parametrize("register", REGISTERS)
def test_the_dimension_bomb_is_refused_for_its_row_number(people, register):
    """2 KB declaring A1:XFD1048576, one valid row in row 1,048,576: openpyxl, trusting the
    dimension, would make a million rows of 16,384 cells; gunicorn killed the worker."""
    header, row = GOOD[register]
    content = bombs.dimension_bomb(header, row)
    assert len(content) < 5000
    errors = refused(post(people["staff"], register, "bomb.xlsx", content))
    assert [(e.row, e.message) for e in errors] == [(0, "行数过多：每个文件最多 5000 行。")]
    assert entries(register) == 0


def test_a_row_numbered_beyond_any_sheet_is_refused(people):
    header, row = GOOD["enterprises"]
    content = bombs.row_beyond_the_sheet(header, row, number=10**12)
    errors = refused(post(people["staff"], "enterprises", "far.xlsx", content))
    assert [e.message for e in errors] == ["行数过多：每个文件最多 5000 行。"]


@pytest.mark.parametrize("register", REGISTERS)
def test_a_header_of_60000_columns_is_refused_once(people, register):
    """120 KB of header took 25 s: every unknown column was one error, each naming the
    expected columns anew. Now the header's width is checked before any column is."""
    content = bombs.csv_wide_header(60_000)
    errors = refused(post(people["staff"], register, "wide.csv", content))
    assert len(errors) == 1
    assert errors[0].message == (
        "列数过多：第一行有 60000 列，最多读取 50 列。请删除不需导入的列。"
    )
    assert entries(register) == 0


def test_a_header_reaching_the_last_xlsx_column_is_refused(people):
    header, _ = GOOD["enterprises"]
    content = bombs.header_to_the_last_column(header)
    errors = refused(post(people["staff"], "enterprises", "wide.xlsx", content))
    assert [e.message for e in errors] == [
        "列数过多：第一行有 16384 列，最多读取 50 列。请删除不需导入的列。"
    ]


def test_unknown_columns_are_one_error_naming_each(people):
    content = "name_zh,颜色,city,气味,<b>x</b>\n甲,红,杭州,香,y\n".encode()
    errors = refused(post(people["staff"], "enterprises", "unknown.csv", content))
    assert len(errors) == 1
    assert errors[0].row == 1
    assert errors[0].column == "颜色, 气味, <b>x</b>"
    assert errors[0].message.startswith("未知的列。应为以下之一：")


@pytest.mark.parametrize("register", REGISTERS)
def test_a_zip_bomb_is_refused_before_the_workbook_is_opened(people, register):
    header, row = GOOD[register]
    content = bombs.zip_bomb(header, row, unpacked=64 << 20)
    assert len(content) < 200_000
    errors = refused(post(people["staff"], register, "zip.xlsx", content))
    assert len(errors) == 1
    assert errors[0].message.startswith(
        "该 XLSX 文件解压后为 64.0\xa0MB，共 6 个部件；最多 50.0\xa0MB、1000 个部件。"
    )
    assert entries(register) == 0


def test_the_unpacked_limit_is_a_setting(people, settings):
    settings.ZJAI_IMPORT_MAX_UNPACKED_BYTES = 100_000
    header, row = GOOD["enterprises"]
    errors = refused(
        post(people["staff"], "enterprises", "z.xlsx", bombs.zip_bomb(header, row, 1 << 20))
    )
    assert "最多 97.7\xa0KB" in errors[0].message


def test_a_long_cell_is_refused_naming_its_row_and_column(people):
    book = Workbook()
    book.active.append(["name_zh", "city", "name_en"])
    book.active.append(["甲", "杭州", "a"])
    book.active.append(["乙", "杭州", "b" * 1001])
    buffer = io.BytesIO()
    book.save(buffer)
    errors = refused(post(people["staff"], "enterprises", "long.xlsx", buffer.getvalue()))
    assert [e.message for e in errors] == [
        "第 3 行第 3 列的单元格过长：每个单元格最多 1000 个字符。"
    ]


@pytest.mark.parametrize("chars", [1001, 1_000_000])
def test_a_long_csv_cell_is_refused_naming_its_row(people, chars):
    """Up to the csv module's own limit (128 KB) the cell is read and measured; beyond it,
    the module stops and the message is the same."""
    content = bombs.csv_long_cell("name_zh,city", chars)
    errors = refused(post(people["staff"], "enterprises", "long.csv", content))
    assert len(errors) == 1
    assert "第 2 行" in errors[0].message and "最多 1000 个字符" in errors[0].message


def test_the_limits_are_settings(people, settings):
    staff = people["staff"]
    settings.ZJAI_IMPORT_MAX_ROWS = 2
    rows = "name_zh,city\n好1,杭州\n好2,杭州\n好3,杭州\n".encode()
    assert refused(post(staff, "enterprises", "r.csv", rows))[0].message == (
        "行数过多：每个文件最多 2 行。"
    )
    settings.ZJAI_IMPORT_MAX_COLUMNS = 3
    columns = "name_zh,city,sector,tier\n好,杭州,,\n".encode()
    assert "最多读取 3 列" in refused(post(staff, "enterprises", "c.csv", columns))[0].message
    settings.ZJAI_IMPORT_MAX_CELL_CHARS = 6
    cell = "名称（中文）,城市\n甲乙丙丁戊己庚,杭州\n".encode()
    assert refused(post(staff, "enterprises", "x.csv", cell))[0].message == (
        "第 2 行第 1 列的单元格过长：每个单元格最多 6 个字符。"
    )
    assert entries("enterprises") == 0


def test_blank_rows_beyond_the_limit_are_skipped_and_gaps_count(people, settings):
    """Rows are numbered as the file numbers them: blank rows in between count towards the
    limit, blank rows after the last row do not (a sheet formatted further down)."""
    settings.ZJAI_IMPORT_MAX_ROWS = 3
    header, row = GOOD["enterprises"]
    trailing = bombs.xlsx(
        bombs.sheet_xml(
            bombs.row_xml(1, header)
            + bombs.row_xml(2, row)
            + "".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(3, 2000))
        )
    )
    assert read_table(SimpleUploadedFile("t.xlsx", trailing)) == [header, row, [], []]
    gap = bombs.xlsx(bombs.sheet_xml(bombs.row_xml(1, header) + bombs.row_xml(5, row)))
    errors = refused(post(people["staff"], "enterprises", "gap.xlsx", gap))
    assert errors[0].message == "行数过多：每个文件最多 3 行。"
    blank_lines = bombs.csv_blank_lines("name_zh,city", "好企业,杭州", lines=100_000)
    response = post(people["staff"], "enterprises", "blank.csv", blank_lines)
    assert response.status_code == 302
    assert entries("enterprises") == 1


@pytest.mark.parametrize("register", REGISTERS)
def test_good_rows_with_a_stray_cell_in_the_last_column_import(people, register):
    """A cell far right of the header is not read (as before: only named columns are)."""
    header, row = GOOD[register]
    rows = [[f"{row[0]}{i}", *row[1:]] for i in range(20)]
    response = post(people["staff"], register, "stray.xlsx", bombs.wide_rows(header, rows))
    assert response.status_code == 302, response.context and response.context["report"]
    assert entries(register) == 20


def test_the_import_page_states_the_limits(people):
    html = client_for(people["staff"]).get("/enterprises/import/").content.decode()
    assert "每个文件最多 5,000 行、50 列、5.0\xa0MB。超过 200 行的文件在后台检查" in html
