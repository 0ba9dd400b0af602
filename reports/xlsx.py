"""The XLSX workbook: a summary sheet and one sheet per table, with two header rows (Chinese,
then English), frozen headers, number formats, column widths and filters.

Written with openpyxl's write-only mode, which streams rows to the file instead of keeping a
worksheet in memory. A sheet holds at most 1,048,576 rows, so a longer table continues on
`<name>_2`, `<name>_3`, … sheets.

The summary sheet ends with the edition's rows (as known at, digest, audit chain head, when it
was made). The file's own times (docProps/core.xml's created and modified, every zip member's
time) are K's, not the clock's: two exports of one edition differ only in `generated_at`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from zjai.csvsafe import runs_as_formula

from .builders import AsOfReport, Column, Table
from .csv import zip_time

if TYPE_CHECKING:
    from .editions import Edition

ROWS_PER_SHEET = 1_000_000
HEADER_ROWS = 2
NUMBER_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.####",
    "number": "#,##0.00",
    "percent": '0.0"%"',
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
HEADER_FONT = Font(name="Noto Sans CJK SC", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
WRAP = Alignment(wrap_text=True, vertical="top")
Progress = Callable[[int, Table], None]


class _SheetWriter:
    def __init__(self, book: Workbook, table: Table, part: int):
        title = table.name if part == 1 else f"{table.name}_{part}"
        self.ws = book.create_sheet(title=title[:31])
        self.table = table
        self.rows = 0
        for index, column in enumerate(table.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        # Must be set before the first row is written in write-only mode.
        self.ws.freeze_panes = f"A{HEADER_ROWS + 1}"
        self.ws.append([self._header(c.zh) for c in table.columns])
        self.ws.append([self._header(c.en) for c in table.columns])
        self.formats = [NUMBER_FORMATS.get(c.kind) for c in table.columns]

    def _header(self, text: str) -> Cell:
        cell = WriteOnlyCell(self.ws, value=text)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        return cell

    def append(self, row: tuple) -> None:
        cells: list[object] = []  # a cell where it needs a format, else the bare value
        for value, number_format in zip(row, self.formats, strict=True):
            if value is None:
                cells.append(None)
            elif number_format is not None and not isinstance(value, str | bool):
                cell = WriteOnlyCell(self.ws, value=value)
                cell.number_format = number_format
                cells.append(cell)
            elif runs_as_formula(value):
                # Text, never a formula: kept verbatim, as a text cell.
                cell = WriteOnlyCell(self.ws, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        self.ws.append(cells)
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.table.columns))
        self.ws.auto_filter.ref = f"A{HEADER_ROWS}:{last}{HEADER_ROWS + max(self.rows, 1)}"


def _write_table(book: Workbook, table: Table, progress: Progress | None) -> None:
    part, sheet, n = 1, _SheetWriter(book, table, 1), 0
    for row in table.rows():
        if sheet.rows >= ROWS_PER_SHEET:
            sheet.close()
            part += 1
            sheet = _SheetWriter(book, table, part)
        sheet.append(row)
        n += 1
        if progress and n % 5000 == 0:
            progress(n, table)
    sheet.close()
    if progress:
        progress(n, table)


def _write_summary(book: Workbook, report: AsOfReport, edition: Edition) -> None:
    ws = book.create_sheet(title="summary")
    widths = [22, 26, 30, 70]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROWS + 1}"
    table = report.summary_table()
    for language in ("zh", "en"):
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(ws, value=getattr(column, language))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header.append(cell)
        ws.append(header)
    # The edition's rows after the figures' (its as_of and plan repeat the summary's).
    rows = report.summary_rows() + [
        (f"edition_{key}" if key in ("plan", "as_of") else key, zh, en, value)
        for key, zh, en, value in edition.rows(report.generated_at)
    ]
    for key, zh, en, value in rows:
        cell = WriteOnlyCell(ws, value=value)
        if key in ("as_of", "edition_as_of"):
            cell.number_format = NUMBER_FORMATS["date"]
        elif key == "generated_at":
            cell.number_format = NUMBER_FORMATS["datetime"]
        elif key == "percent":
            cell.number_format = NUMBER_FORMATS["percent"]
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = NUMBER_FORMATS["int"]
        ws.append([key, zh, en, cell])


class _StampedZip(zipfile.ZipFile):
    """The workbook's zip with every member stamped with one given time, not the clock's."""

    def __init__(self, path: Path, stamp: tuple[int, int, int, int, int, int]):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.stamp = stamp

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        # openpyxl's write-only sheets, streamed from their temporary files.
        with (
            open(filename, "rb") as source,
            self.open(self._info(str(arcname or filename)), "w", force_zip64=True) as target,
        ):
            shutil.copyfileobj(source, target, 1 << 20)


def write_xlsx(
    report: AsOfReport, edition: Edition, output: Path, progress: Progress | None = None
) -> list[str]:
    """Write the workbook; returns its sheet names."""
    book = Workbook(write_only=True)
    _write_summary(book, report, edition)
    for table in report.tables()[1:]:
        _write_table(book, table, progress)
    names = book.sheetnames
    save_stamped(book, Path(output), edition.known_at)
    return names


def write_table(book: Workbook, table: Table) -> None:
    """One table as a sheet (more where it is longer than a sheet holds)."""
    _write_table(book, table, None)


def save_stamped(book: Workbook, output: Path, known_at: dt.datetime) -> None:
    """Save the workbook with K as its times (core.xml, every zip member), not the clock's."""
    # core.xml keeps naive UTC times.
    known = known_at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    book.properties.created = book.properties.modified = known
    writer = ExcelWriter(book, _StampedZip(output, zip_time(known_at)))
    writer.save()


def column_kinds(table: Table) -> dict[str, Column]:
    return {c.key: c for c in table.columns}
