"""Import files built to stall a naive reader, for the import tests and bench/import_bombs.py.

Each is small on the wire and huge to whatever trusts what the file says about itself: a
worksheet that declares the dimension A1:XFD1048576, a row numbered beyond what a spreadsheet
can hold, a zip part that unpacks a thousandfold, a CSV header of 60,000 columns. The XLSX
files are written part by part (the sheet's XML by hand), as an attacker would: openpyxl
would not write them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
XLSX_LAST_ROW = 1_048_576
XLSX_LAST_COLUMN = "XFD"  # column 16,384


def cell(row: int, column: int | str, value: str) -> str:
    letter = column if isinstance(column, str) else get_column_letter(column)
    return f'<c r="{letter}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row_xml(number: int, values: Iterable[str], first_column: int = 1) -> str:
    cells = "".join(cell(number, i, v) for i, v in enumerate(values, start=first_column) if v)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: str, dimension: str = f"A1:{XLSX_LAST_COLUMN}{XLSX_LAST_ROW}") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def xlsx(sheet: str, extra_parts: dict[str, bytes] | None = None) -> bytes:
    """A workbook of one sheet whose XML is `sheet`, plus any other parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra_parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def dimension_bomb(header: list[str], row: list[str]) -> bytes:
    """The attack of issue 12: a 2 KB workbook declaring A1:XFD1048576, its header in row 1
    and one row of data in row 1,048,576. A reader that trusts the dimension walks a million
    rows of 16,384 cells each."""
    return xlsx(sheet_xml(row_xml(1, header) + row_xml(XLSX_LAST_ROW, row)))


def row_beyond_the_sheet(header: list[str], row: list[str], number: int = 10**12) -> bytes:
    """A row numbered beyond any spreadsheet's last row: a reader filling the gap with empty
    rows would never finish."""
    return xlsx(sheet_xml(row_xml(1, header) + row_xml(number, row)))


def header_to_the_last_column(header: list[str]) -> bytes:
    """A header whose last title stands in column XFD (16,384)."""
    first = row_xml(1, header)[: -len("</row>")] + cell(1, XLSX_LAST_COLUMN, "x") + "</row>"
    return xlsx(sheet_xml(first))


def wide_rows(header: list[str], rows: list[list[str]]) -> bytes:
    """Good rows, each with a stray cell in column XFD: openpyxl makes every row 16,384 cells
    wide; the import reads no further than the header's last column."""
    body = row_xml(1, header)
    for number, values in enumerate(rows, start=2):
        stray = cell(number, XLSX_LAST_COLUMN, "·")
        body += row_xml(number, values)[: -len("</row>")] + stray + "</row>"
    return xlsx(sheet_xml(body))


def zip_bomb(header: list[str], row: list[str], unpacked: int = 64 << 20) -> bytes:
    """A good sheet beside a part of `unpacked` zero bytes, a thousandth of that on the wire
    (64 MB by default, above the 50 MB limit; bench/import_bombs.py makes a 1 GB one)."""
    buffer = io.BytesIO(xlsx(sheet_xml(row_xml(1, header) + row_xml(2, row))))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.bin", "w", force_zip64=True) as part,
    ):
        chunk = bytes(1 << 20)
        for _ in range(max(unpacked // len(chunk), 1)):
            part.write(chunk)
    return buffer.getvalue()


def csv_wide_header(columns: int = 60_000) -> bytes:
    """The other attack of issue 12: a CSV whose header names 60,000 unknown columns (120 KB)."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + "x,杭州\n").encode()


def csv_long_cell(header: str, chars: int = 1_000_000) -> bytes:
    return (header + "\n" + "x" * chars + ",杭州\n").encode()


def csv_blank_lines(header: str, row: str, lines: int = 2_000_000) -> bytes:
    """A good row followed by two million empty lines (2 MB)."""
    return (header + "\n" + row + "\n").encode() + b"\n" * lines
