"""The XLSX template of a register's import, made from the importer's own columns.

Sheet one (the one the import reads) has the header the importer expects, then one example
row, marked 示例 (example) in its id column, in grey italics: the import skips that row as
long as it is unchanged and refuses it once changed (registers.imports.EXAMPLE_MARKS), so an
example is never imported as data. Sheet two, "codes", lists the values of every coded column
(code and label); each coded column of sheet one offers them as a drop-down (a list data
validation referring to the codes sheet). Date columns are formatted as dates, the id, credit
code and other text columns as text (an 18-digit credit code would otherwise turn into a
number in scientific notation). Nothing here is a formula: the import refuses formulas.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .import_messages import allowed_values, is_coded

if TYPE_CHECKING:
    from .imports import RegisterImport

DATE_CELL_FORMAT = "yyyy-mm-dd"
TEXT_CELL_FORMAT = "@"
NUMBER_CELL_FORMAT = "0.00"
EXAMPLE_FONT_COLOUR = "FF6B7280"
COLUMN_WIDTH = 22


def template_xlsx(importer: RegisterImport) -> bytes:
    """The template of `importer`'s register in the current language, as an XLSX file."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    form = importer.header_form()
    names = importer.template_columns()
    example = importer.example_cells()
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = pgettext("import template", "entries")
    codes = book.create_sheet(pgettext("import template", "codes"))
    codes_ref = quote_sheetname(codes.title)
    last_row = settings.ZJAI_IMPORT_MAX_ROWS + 1  # the header and the most rows a file has
    sheet.append(importer.template_headers())
    sheet.append([_typed(example.get(name)) for name in names])
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color=EXAMPLE_FONT_COLOUR)
    sheet["A2"].comment = Comment(
        _(
            "This row is an example: the import skips it as long as it is unchanged. Write "
            "your rows below it (or delete it)."
        ),
        "zjai",
    )
    codes_column = 1
    for index, name in enumerate(names, start=1):
        letter = get_column_letter(index)
        field_obj = form.fields.get(name)
        sheet.column_dimensions[letter].width = COLUMN_WIDTH
        cell_format = _cell_format(name, field_obj)
        if cell_format:
            sheet.column_dimensions[letter].number_format = cell_format
            sheet.cell(2, index).number_format = cell_format
        if field_obj is None or not is_coded(field_obj):
            continue
        values = allowed_values(field_obj)
        code_letter = get_column_letter(codes_column)
        label_letter = get_column_letter(codes_column + 1)
        codes.cell(1, codes_column, force_str(field_obj.label)).font = Font(bold=True)
        codes.cell(2, codes_column, pgettext("import template", "code")).font = Font(bold=True)
        codes.cell(2, codes_column + 1, pgettext("import template", "label")).font = Font(bold=True)
        for row, (code, label) in enumerate(values, start=3):
            codes.cell(row, codes_column, code)
            codes.cell(row, codes_column + 1, label)
        codes.column_dimensions[code_letter].width = COLUMN_WIDTH
        codes.column_dimensions[label_letter].width = COLUMN_WIDTH
        # The drop-down offers the labels; the import takes a code as well, so typing one
        # warns rather than stops.
        validation = DataValidation(
            type="list",
            formula1=f"{codes_ref}!${label_letter}$3:${label_letter}${len(values) + 2}",
            allow_blank=True,
            errorStyle="warning",
            showErrorMessage=True,
            error=_("Choose a value from the list (the codes sheet); its code is accepted too."),
            errorTitle=force_str(field_obj.label),
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
        codes_column += 3  # an empty column between two fields' codes
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _typed(value: object) -> object:
    """A cell's value: dates and amounts as such (a Decimal as a number), the rest as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | str) or value is None:
        return value
    return force_str(value)


def _cell_format(name: str, field_obj: forms.Field | None) -> str:
    if isinstance(field_obj, forms.DateField):
        return DATE_CELL_FORMAT
    if isinstance(field_obj, forms.DecimalField):
        return NUMBER_CELL_FORMAT
    if name == "id" or (
        isinstance(field_obj, forms.CharField | forms.ModelChoiceField) and not is_coded(field_obj)
    ):
        return TEXT_CELL_FORMAT
    return ""
