"""The XLSX workbook: a summary sheet and one sheet per table, with two header rows (Chinese,
then English), frozen headers, number formats, column widths and filters.

Written with openpyxl's write-only mode, which streams rows to the file instead of keeping a
worksheet in memory. A sheet holds at most 1,048,576 rows, so a longer table continues on
`<name>_2`, `<name>_3`, … sheets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zjai.csvsafe import runs_as_formula

from .builders import AsOfReport, Column, Table

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


def _write_summary(book: Workbook, report: AsOfReport) -> None:
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
    for key, zh, en, value in report.summary_rows():
        cell = WriteOnlyCell(ws, value=value)
        if key == "as_of":
            cell.number_format = NUMBER_FORMATS["date"]
        elif key == "generated_at":
            cell.number_format = NUMBER_FORMATS["datetime"]
        elif key == "percent":
            cell.number_format = NUMBER_FORMATS["percent"]
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = NUMBER_FORMATS["int"]
        ws.append([key, zh, en, cell])


def write_xlsx(report: AsOfReport, output: Path, progress: Progress | None = None) -> list[str]:
    """Write the workbook; returns its sheet names."""
    book = Workbook(write_only=True)
    _write_summary(book, report)
    for table in report.tables()[1:]:
        _write_table(book, table, progress)
    names = book.sheetnames
    book.save(Path(output))
    return names


def column_kinds(table: Table) -> dict[str, Column]:
    return {c.key: c for c in table.columns}
