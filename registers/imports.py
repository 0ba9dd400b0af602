"""Bulk import of register entries from CSV or XLSX: validate every row, then save all or none.

Each row is checked by the same form as the browser's "add" page (so the same messages, the
model's validators and its database constraints), plus duplicates within the file. If any row
has an error, nothing is saved and every error is reported by row and column. Otherwise all
rows are created through the register's service function in one transaction (each audited).
The rows that count (every project, an enterprise with a tier) form one import batch that a
second person confirms or rejects as one (registers.services.confirm_import_batch); until then
they count nowhere.

A row whose `id` column names an existing entry (of a unit the importer may edit) changes that
entry instead: the columns it fills are written through the register's update service, a
change of counted fields dated as the row's `effective_from` and `edit_kind` columns say (as the
edit form's fields), and joins the same batch. An empty cell of such a row leaves the field as
it is.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zjai.exceptions import ConflictError
from zjai.uploads import extension, sniff

from .choices import EditKind
from .forms import DATING_FIELDS, EntryForm, EntryFormClass
from .import_messages import allowed_values, explain, is_coded
from .models import ImportBatch
from .rules import can_edit_entry
from .selectors import attach_pending
from .services import new_import_batch


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    # The id of the batch of the rows that count, awaiting confirmation (None: no row counts).
    batch_id: int | None = None
    # Of the rows imported (`created`), those that changed an existing entry.
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong kind, no header, too big)."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(str(value)), "f")
    return force_str(value).strip()


# Formula cells named in the error when a workbook has them (the rest are counted).
FORMULA_CELLS_SHOWN = 10
# The most rows a worksheet can have (Excel's limit): a sheet whose rows are numbered beyond
# it was not made by a spreadsheet, and its empty rows are not walked further.
XLSX_MAX_ROWS = 1_048_576
# Parts of an XLSX package (a workbook has a dozen or so; pictures add some).
XLSX_MAX_PARTS = 1000


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Too many rows: at most %(limit)d per file.") % {"limit": settings.ZJAI_IMPORT_MAX_ROWS}
    )


def _cell_too_long(row: int, column: int | None = None) -> ImportFileError:
    limit = settings.ZJAI_IMPORT_MAX_CELL_CHARS
    if column is None:
        message = _(
            "A cell in row %(row)d is too long: a cell may hold at most %(limit)d characters."
        )
    else:
        message = _(
            "The cell in row %(row)d, column %(column)d is too long: a cell may hold at most "
            "%(limit)d characters."
        )
    return ImportFileError(message % {"row": row, "column": column, "limit": limit})


class _Rows:
    """The rows of a file as text, read one at a time and stopped at the first limit passed.

    `raw` yields each row of the file in order (the first is row 1) as a sequence of cells,
    which `text` turns into a string. Nothing is read for a cell beyond the header's last
    named column (its content is not imported). Rows are numbered as the file numbers them;
    the header and ZJAI_IMPORT_MAX_ROWS rows may hold data, blank rows beyond are skipped
    (a sheet formatted further down) and a row with data beyond is refused at once. Blank
    rows share one empty list."""

    def __init__(self, raw: Iterator[Sequence[Any]], text: Callable[[Any], str]):
        self.raw, self.text = raw, text

    def header(self, cells: Sequence[Any]) -> list[str]:
        limit = settings.ZJAI_IMPORT_MAX_COLUMNS
        # Blank cells at the end are no columns (a formatted sheet), so read from the right;
        # the header is one row, read once, however wide it is.
        width = len(cells)
        while width and not self.text(cells[width - 1]):
            width -= 1
        if width > limit:
            raise ImportFileError(
                _(
                    "Too many columns: the first row has %(count)d, at most %(limit)d are read. "
                    "Delete the columns that are not to be imported."
                )
                % {"count": width, "limit": limit}
            )
        return self.row(1, cells[:width])

    def row(self, number: int, cells: Sequence[Any]) -> list[str]:
        texts = [self.text(cell) for cell in cells]
        limit = settings.ZJAI_IMPORT_MAX_CELL_CHARS
        for index, text in enumerate(texts, start=1):
            if len(text) > limit:
                raise _cell_too_long(number, index)
        return texts

    def table(self) -> list[list[str]]:
        first = next(self.raw, None)
        if first is None:
            return []
        header = self.header(first)
        width = len(header)
        last = settings.ZJAI_IMPORT_MAX_ROWS + 1  # the header's row and the rows' limit
        table = [header]
        empty: list[str] = []
        for number, cells in enumerate(self.raw, start=2):
            if not cells:  # a row the file leaves out: a spreadsheet's gap
                if number <= last:
                    table.append(empty)
                continue
            row = self.row(number, cells[:width])
            if _blank(row):
                if number <= last:
                    table.append(empty)
                continue
            if number > last:
                raise _too_many_rows()
            table.append(row)
        return table


def _unpacked_size(upload) -> int:
    """What an XLSX package unpacks to, from its directory, before anything is unpacked.

    Python's zipfile stops each part at the size its directory declares, so this is the most
    the workbook's reader can get out of the file, whatever its parts are made to hold."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("The XLSX file cannot be read: %s") % exc) from None
    limit = settings.ZJAI_IMPORT_MAX_UNPACKED_BYTES
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > XLSX_MAX_PARTS or unpacked > limit:
        raise ImportFileError(
            _(
                "The XLSX file unpacks to %(size)s in %(parts)d parts; at most %(limit)s in "
                "%(max_parts)d parts. Save the sheet alone, with values only, and upload it again."
            )
            % {
                "size": filesizeformat(unpacked),
                "parts": len(parts),
                "limit": filesizeformat(limit),
                "max_parts": XLSX_MAX_PARTS,
            }
        )
    return unpacked


def _xlsx_cells(sheet) -> Iterator[Sequence[Any]]:
    """The sheet's rows as openpyxl reads them in read-only mode, ignoring the dimension the
    file declares: a 5 KB file can declare A1:XFD1048576, and openpyxl would then make every
    row 16,384 cells wide and walk to row 1,048,576. Without it, a row is as wide as its last
    cell and a row the file leaves out is an empty tuple; none is read beyond XLSX_MAX_ROWS."""
    sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > XLSX_MAX_ROWS:
            raise _too_many_rows()
        yield row


def _xlsx_rows(upload) -> list[list[str]]:
    from openpyxl import load_workbook

    _unpacked_size(upload)
    upload.seek(0)
    try:
        # Formulas as written, not their cached results: a formula is refused, not evaluated.
        book = load_workbook(upload, read_only=True, data_only=False)
    except Exception as exc:  # a damaged workbook
        raise ImportFileError(_("The XLSX file cannot be read: %s") % exc) from None
    formulas: list[str] = []

    def text(cell: Any) -> str:
        if getattr(cell, "data_type", None) == "f":
            formulas.append(cell.coordinate)
        return _cell_text(cell.value)

    try:
        table = _Rows(_xlsx_cells(book.worksheets[0]), text).table()
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet inside a readable package
        raise ImportFileError(_("The XLSX file cannot be read: %s") % exc) from None
    finally:
        book.close()
    if formulas:
        formulas = list(dict.fromkeys(formulas))  # the header's last cell is read twice
        shown = ", ".join(formulas[:FORMULA_CELLS_SHOWN])
        if len(formulas) > FORMULA_CELLS_SHOWN:
            shown += " …"
        raise ImportFileError(
            _(
                "The file contains formulas (cells %(cells)s). Only values are imported: "
                "copy the cells and paste them as values, then upload the file again."
            )
            % {"cells": shown}
        )
    return table


def _csv_text(upload) -> str:
    upload.seek(0)
    raw = upload.read()  # at most ZJAI_IMPORT_MAX_BYTES (_kind checked)
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # UTF-16 text decodes as "UTF-8" with a NUL in every other place.
    if text is None or "\x00" in text:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    return text


def _csv_rows(upload) -> list[list[str]]:
    reader = csv.reader(io.StringIO(_csv_text(upload)))
    try:
        return _Rows(reader, _cell_text).table()
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # The csv module's own limit (128 KB), far above ours: the same message.
            raise _cell_too_long(reader.line_num) from None
        raise ImportFileError(_("The CSV file cannot be read: %s") % exc) from None


def _kind(upload) -> str:
    """The kind of file, csv or xlsx, once its size, name and content agree (or ImportFileError)."""
    if upload.size > settings.ZJAI_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": settings.ZJAI_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    ext = extension(upload.name)
    kind = sniff(upload)
    if ext == "xlsx" and kind == "xlsx":
        return "xlsx"
    if ext == "csv" and kind in ("csv", None):
        # Text that is neither UTF-8 nor GB18030 (UTF-16, Latin-1, …) is not recognised as
        # CSV by its head: say what is wrong with it rather than that it is no CSV.
        return "csv"
    raise ImportFileError(_("Upload a CSV or XLSX file (its content must match its name)."))


def file_refused(exc: ImportFileError) -> ImportReport:
    """The report of a file refused as a whole: one error, of no row."""
    return ImportReport(errors=[RowError(0, "—", str(exc))])


def needs_background_job(upload) -> bool:
    """Whether the file is to be checked and imported by a job rather than within the
    request: it has more than ZJAI_IMPORT_BACKGROUND_ROWS rows (each row is checked as the
    "add" page checks one entry, with a few queries), or it is an XLSX file that unpacks to
    more than ZJAI_IMPORT_BACKGROUND_BYTES (reading the workbook alone takes a while).

    Raises ImportFileError for a file refused whatever its rows (its kind, a limit passed,
    a zip bomb), so that no job is started for it. The rows are read within their limits,
    which keeps this quick (bench/import_bombs.py)."""
    if _kind(upload) == "xlsx" and _unpacked_size(upload) > settings.ZJAI_IMPORT_BACKGROUND_BYTES:
        return True
    rows = sum(1 for row in read_table(upload)[1:] if row)  # blank rows are empty lists
    return rows > settings.ZJAI_IMPORT_BACKGROUND_ROWS


def read_table(upload) -> list[list[str]]:
    """The rows of a CSV (UTF-8, with or without BOM, or GB18030) or XLSX file, as text.

    Raises ImportFileError, with a message for the person who uploaded the file, for a file
    that is too large (in bytes, unpacked, rows, columns or one cell's characters), of another
    kind than its name says, in another encoding, with formulas, or that cannot be read at
    all. Each limit is checked before or while the file is read, so a refused file costs
    little whatever it declares."""
    if _kind(upload) == "xlsx":
        return _xlsx_rows(upload)
    return _csv_rows(upload)


def _aliases(name: str, field_obj: forms.Field) -> set[str]:
    """A column may be named by the field name or its label in either language."""
    names = {name.lower()}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(force_str(field_obj.label or "").strip().lower())
    return {n for n in names if n}


def _choice_lookup(field_obj: forms.Field) -> dict[str, str]:
    """Codes and labels (both languages) of a choice field → the code."""
    lookup = {}
    for value, label in getattr(field_obj, "choices", []):
        if value in ("", None):
            continue
        lookup[str(value).lower()] = str(value)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[force_str(label).strip().lower()] = str(value)
    return lookup


# The column naming an existing entry to change, by these headers (any case).
ID_HEADERS = ("id", "编号")
# What the XLSX template's example row holds in its id column (any case): an untouched
# example row is skipped, a changed one is an error (RegisterImport.is_untouched_example).
EXAMPLE_MARKS = ("示例", "example")
# Words a file may use for a choice besides its code and its label in either language.
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "edit_kind": {"变更": EditKind.CHANGE, "更正": EditKind.CORRECTION},
}


# Each register's import by its key (RegisterImport.register), for the background job, which
# knows the register by name only: the registers sit below the apps that define the imports.
IMPORTS: dict[str, type[RegisterImport]] = {}
# Rows checked between two reports of progress to a background job.
PROGRESS_EVERY = 100
# Names looked up in one query when looking for likely duplicates.
DUPLICATE_QUERY_CHUNK = 1000
# The import form's box that lets likely duplicates in (registers.views.ImportForm).
ALLOW_DUPLICATES_LABEL = gettext_lazy("Import likely duplicates anyway")


def import_for(register: str) -> type[RegisterImport]:
    """The import of a register by its key ("enterprises", "projects")."""
    if register not in IMPORTS:
        # Each register's import module registers its class when first imported; a worker
        # has not imported them (the pages have).
        autodiscover_modules("imports")
    return IMPORTS[register]


class RegisterImport:
    """Import rows into one register. Subclasses name the model, the form, the columns and the
    service."""

    model: type[models.Model]
    form_class: EntryFormClass
    columns: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()
    unique_columns: tuple[str, ...] = ()
    # Old header (lower case) → column, for files made before a field was renamed.
    renamed_columns: dict[str, str] = {}
    # The register's key, as its job records it (registers.models.ImportJob.register).
    register = ""
    # Called with (rows checked, rows in all) while check() runs: a background job's progress.
    on_progress: Callable[[int, int], None] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.register:
            IMPORTS[cls.register] = cls

    def __init__(self, user, *, allow_duplicates: bool = False) -> None:
        self.user = user
        # The importer confirmed that rows taken for likely duplicates are to be added.
        self.allow_duplicates = allow_duplicates
        self._choices: dict[str, dict[str, str]] = {}
        self._blank_form: forms.BaseForm | None = None
        self._labels: dict[str, str] = {}

    def make_form(self, data: dict[str, str], instance: models.Model | None = None) -> EntryForm:
        return self.form_class(data=data, instance=instance, user=self.user)

    def create(self, values: dict[str, Any], batch: ImportBatch, *, reason: str = ""):
        """Create one row through the register's service, in `batch` if it counts."""
        raise NotImplementedError

    def update(
        self, entry: models.Model, values: dict[str, Any], batch: ImportBatch, **dating: Any
    ):
        """Change an entry through the register's service (`dating`: reason, effective_from,
        edit_kind), its counted fields' change in `batch`."""
        raise NotImplementedError

    def header_form(self) -> EntryForm:
        """A form with every field a file may name, the dating of a change included."""
        return self.form_class(user=self.user, dated=True)

    def extra_columns(self) -> tuple[str, ...]:
        """The form's fields a row may fill besides the entry's: the dating, the reason."""
        return (*DATING_FIELDS, "reason")

    def template_headers(self) -> list[str]:
        form = self.header_form()
        names = (*self.columns, *self.extra_columns())
        return [ID_HEADERS[0], *(force_str(form.fields[name].label) for name in names)]

    def template_columns(self) -> list[str]:
        """The field of each of template_headers(), "id" first."""
        return ["id", *self.columns, *self.extra_columns()]

    # --- the template's example row ---------------------------------------------------------

    # The example row of the XLSX template, by field: a choice by its code, a date as a date,
    # an amount as a Decimal (registers.import_template writes it, in the reader's language).
    example: dict[str, Any] = {}

    def example_cells(self) -> dict[str, Any]:
        """The example row as the template writes it in the current language: the mark in the
        id column, a choice by its label, dates and numbers as such."""
        form = self.header_form()
        chinese = (translation.get_language() or "zh-hans").startswith("zh")
        mark = EXAMPLE_MARKS[0] if chinese else EXAMPLE_MARKS[1]
        cells: dict[str, Any] = {"id": mark}
        for name, value in self.example.items():
            field_obj = form.fields.get(name)
            if field_obj is None:
                continue
            if is_coded(field_obj):
                value = force_str(dict(allowed_values(field_obj)).get(value, value))
            cells[name] = value
        return cells

    def is_untouched_example(self, cells: dict[str, str]) -> bool:
        """Whether a row of a file is the template's example row as the template wrote it
        (in either language): its id column holds the mark (示例, example) and every other
        column the example's value. Such a row is skipped; a marked row that was changed is
        an error (check())."""
        if cells.get("id", "").strip().lower() not in EXAMPLE_MARKS:
            return False
        for language in ("zh-hans", "en"):
            with translation.override(language):
                example = {name: _cell_text(v) for name, v in self.example_cells().items()}
            if all(
                text.strip() == example.get(name, "")
                for name, text in cells.items()
                if name != "id"
            ):
                return True
        return False

    # --- reading and checking ---------------------------------------------------------------

    def map_header(self, header: list[str], report: ImportReport) -> dict[int, str]:
        form = self.header_form()
        known = dict.fromkeys(ID_HEADERS, "id")
        for name in (*self.columns, *self.extra_columns()):
            for alias in _aliases(name, form.fields[name]):
                known[alias] = name
        for old, name in self.renamed_columns.items():
            known.setdefault(old, name)
        mapping: dict[int, str] = {}
        unknown: list[str] = []
        for index, title in enumerate(header):
            key = title.strip().lower()
            if not key:
                continue
            column = known.get(key)
            if column is None:
                unknown.append(title)
            elif column in mapping.values():
                report.errors.append(RowError(1, title, _("This column appears twice.")))
            else:
                mapping[index] = column
        if unknown:
            # One error for them all, naming each: a row of unknown titles is one mistake.
            report.errors.append(
                RowError(
                    1,
                    ", ".join(unknown),
                    ngettext(
                        "Unknown column. Expected one of: %(names)s.",
                        "Unknown columns. Expected one of: %(names)s.",
                        len(unknown),
                    )
                    % {"names": ", ".join(self.template_headers())},
                )
            )
        # A file that changes entries by id may leave out the columns it does not change; a
        # row of it that adds an entry is told of each field it misses.
        required = () if "id" in mapping.values() else self.required_columns
        for name in required:
            if name not in mapping.values():
                report.errors.append(
                    RowError(1, force_str(form.fields[name].label), _("This column is missing."))
                )
        return mapping

    def blank_form(self) -> forms.BaseForm:
        """A form of this user's fields, made once: normalise() reads only its fields (a
        form costs queries; every row of a file would otherwise make two)."""
        if self._blank_form is None:
            self._blank_form = self.header_form()
        return self._blank_form

    def normalise(self, form: forms.BaseForm, data: dict[str, Any]) -> dict[str, Any]:
        """Accept a choice by its code or its label in either language; an empty cell or a
        missing column takes the field's default (e.g. status: active)."""
        out = dict(data)
        for name in self.columns:
            field_obj = form.fields.get(name)
            if field_obj is not None and not out.get(name) and field_obj.initial is not None:
                initial = field_obj.initial() if callable(field_obj.initial) else field_obj.initial
                out[name] = str(initial)
        for name, text in list(out.items()):
            field_obj = form.fields.get(name)
            if isinstance(field_obj, forms.ChoiceField) and text:
                # The same field's choices for every row: looked up once per import.
                if name not in self._choices:
                    words = {k.lower(): v for k, v in CHOICE_WORDS.get(name, {}).items()}
                    self._choices[name] = _choice_lookup(field_obj) | words
                out[name] = self._choices[name].get(str(text).strip().lower(), text)
        return out

    def check(self, table: list[list[str]]) -> tuple[ImportReport, list[dict[str, Any]]]:
        report = ImportReport()
        if not table or not any(table[0]):
            report.errors.append(RowError(1, "—", _("The first row must name the columns.")))
            return report, []
        mapping = self.map_header(table[0], report)
        header = {index: table[0][index] for index in mapping}
        label_of = {name: header[index] for index, name in mapping.items()}
        limit = settings.ZJAI_IMPORT_MAX_ROWS
        rows = [
            (number, row)
            for number, row in enumerate(table[1:], start=2)
            if any(cell.strip() for cell in row)
            and not self.is_untouched_example(
                {name: row[index] if index < len(row) else "" for index, name in mapping.items()}
            )
        ]
        if len(rows) > limit:
            report.errors.append(
                RowError(0, "—", _("Too many rows: at most %(limit)d per file.") % {"limit": limit})
            )
            return report, []
        report.rows = len(rows)
        if not rows:
            report.errors.append(RowError(2, "—", _("The file has no rows to import.")))
        if report.errors:
            return report, []
        cleaned_rows: list[dict[str, Any]] = []
        seen: dict[tuple[str, str], int] = {}
        changed: dict[int, int] = {}  # entry id → the row that changes it
        for checked, (number, row) in enumerate(rows):
            if self.on_progress is not None and checked % PROGRESS_EVERY == 0:
                self.on_progress(checked, len(rows))
            data = {
                name: (row[index] if index < len(row) else "") for index, name in mapping.items()
            }
            entry_id = data.pop("id", "").strip()
            if entry_id.lower() in EXAMPLE_MARKS:
                report.errors.append(
                    RowError(
                        number,
                        label_of["id"],
                        _(
                            "This row is marked as the template's example (%(mark)s in the id "
                            "column) but was changed: delete the row, or empty that cell to "
                            "import it."
                        )
                        % {"mark": entry_id},
                    )
                )
                continue
            given = {name for name, text in data.items() if text.strip()}
            entry = None
            if entry_id:
                entry = self.entry_to_change(entry_id, number, label_of["id"], report, changed)
                if entry is None:
                    continue
                # The entry's values, then the cells the row fills: an empty cell keeps a value.
                data = {**self.current_data(entry), **{k: data[k] for k in given}}
            else:
                dated = [name for name in DATING_FIELDS if name in given]
                for name in dated:
                    report.errors.append(
                        RowError(
                            number,
                            label_of[name],
                            _(
                                "Only a row that changes an existing entry (its id in the "
                                "id column) takes this column."
                            ),
                        )
                    )
                if dated:
                    continue
                for name in DATING_FIELDS:
                    data.pop(name, None)
            form = self.make_form(
                self.normalise(self.blank_form(), data),
                instance=copy.copy(entry) if entry is not None else None,
            )
            if not form.is_valid():
                for name, errors in form.errors.as_data().items():
                    column = self.column_label(name, label_of, form)
                    field_obj = form.fields.get(name)
                    report.errors.extend(
                        RowError(number, column, explain(field_obj, e, data.get(name)))
                        for e in errors
                    )
                continue
            duplicate = False
            for name in self.unique_columns:
                if entry is not None and name not in given:
                    continue
                value = (
                    (form.cleaned_data.get(name) or "").strip()
                    if isinstance(form.cleaned_data.get(name), str)
                    else form.cleaned_data.get(name)
                )
                if not value:
                    continue
                first = seen.get((name, value))
                if first:
                    duplicate = True
                    report.errors.append(
                        RowError(
                            number,
                            label_of.get(name, name),
                            _("The same value as row %(row)d.") % {"row": first},
                        )
                    )
                else:
                    seen[(name, value)] = number
            if not duplicate:
                values = self.values(form)
                if entry is not None:
                    values = {name: value for name, value in values.items() if name in given}
                cleaned_rows.append(
                    {
                        "row": number,
                        "values": values,
                        "entry": entry,
                        "reason": form.cleaned_data.get("reason") or "",
                        "dating": form.dating(),
                    }
                )
        if self.on_progress is not None:
            self.on_progress(len(rows), len(rows))
        if not self.allow_duplicates:
            cleaned_rows = self.refuse_likely_duplicates(cleaned_rows, report, label_of)
        self._labels = label_of
        return report, cleaned_rows

    # --- likely duplicates ----------------------------------------------------------------------

    def duplicate_key(self, values: dict[str, Any]) -> tuple[str, str] | None:
        """What makes a new row a likely duplicate: its Chinese name (spaces at the ends
        ignored) and its city; None for a row that cannot be one (an enterprise with a credit
        code: the code is its key, and a second use of it is refused anyway)."""
        if any(values.get(name) for name in self.unique_columns):
            return None
        name = (values.get("name_zh") or "").strip()
        city = values.get("city") or ""
        return (name, city) if name and city else None

    def refuse_likely_duplicates(
        self, rows: list[dict[str, Any]], report: ImportReport, label_of: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The rows that add an entry without a key of their own (duplicate_key) and match an
        entry of the register, or an earlier row of the file, by name and city are errors,
        unless the importer ticked "import likely duplicates anyway" (allow_duplicates): a
        file imported twice would otherwise add its entries twice. The other rows."""
        keyed = [(row, self.duplicate_key(row["values"])) for row in rows if row["entry"] is None]
        keys = {key for _row, key in keyed if key is not None}
        existing: dict[tuple[str, str], models.Model] = {}
        names = sorted({name for name, _city in keys})
        for start in range(0, len(names), DUPLICATE_QUERY_CHUNK):
            chunk = names[start : start + DUPLICATE_QUERY_CHUNK]
            for entry in self.model._default_manager.filter(name_zh__in=chunk).order_by("pk"):
                key = (entry.name_zh.strip(), entry.city)  # type: ignore[attr-defined]
                existing.setdefault(key, entry)
        column = label_of.get("name_zh", "—")
        first_row: dict[tuple[str, str], int] = {}
        refused: set[int] = set()
        for row, row_key in keyed:
            if row_key is None:
                continue
            found = existing.get(row_key)
            if found is not None:
                message = _(
                    "Likely a duplicate of “%(name)s” (%(city)s, id %(id)d), which the register "
                    "already holds. Check it; to add this row all the same, tick “%(confirm)s”."
                ) % {
                    "name": found,
                    "city": found.get_city_display(),  # type: ignore[attr-defined]
                    "id": found.pk,
                    "confirm": ALLOW_DUPLICATES_LABEL,
                }
            elif row_key in first_row:
                message = _(
                    "Likely a duplicate of row %(row)d (the same name and city). To add both, "
                    "tick “%(confirm)s”."
                ) % {"row": first_row[row_key], "confirm": ALLOW_DUPLICATES_LABEL}
            else:
                first_row[row_key] = row["row"]
                continue
            report.errors.append(RowError(row["row"], column, message))
            refused.add(row["row"])
        if refused:  # the table lists errors by row (sorted stably: a row's keep their order)
            report.errors.sort(key=lambda error: error.row)
        return [row for row in rows if row["row"] not in refused]

    def column_label(self, name: str, label_of: dict[str, str], form: forms.BaseForm) -> str:
        """The column of a field's error: its header in the file, else the field's label (a
        field the file has no column for), "—" for the row as a whole."""
        if name in label_of:
            return label_of[name]
        if name in form.fields:
            return force_str(form.fields[name].label)
        return "—"

    def entry_to_change(
        self, text: str, number: int, column: str, report: ImportReport, changed: dict[int, int]
    ) -> models.Model | None:
        """The entry a row's id names, if the importer may change it now; else None, with the
        row's error reported."""
        entry = None
        try:
            pk = int(text)
        except ValueError:
            message = _("Write the id of an existing entry, or leave the cell empty to add one.")
        else:
            if pk in changed:
                message = _("The same entry as row %(row)d.") % {"row": changed[pk]}
            elif 1 <= pk < 2**63:
                entry = self.model._default_manager.filter(pk=pk).first()
                message = _("No entry has this id.")
            else:
                message = _("No entry has this id.")
        if entry is not None:
            if not can_edit_entry(self.user, getattr(entry, "owner_unit_id", None)):
                entry, message = None, _("Only the unit that manages this entry may change it.")
            elif attach_pending([entry])[0].pending_change is not None:  # type: ignore[attr-defined]
                entry, message = (
                    None,
                    _(
                        "A change of this entry awaits confirmation: it must be confirmed or "
                        "rejected before the entry is changed again."
                    ),
                )
        if entry is None:
            report.errors.append(RowError(number, column, message))
            return None
        changed[pk] = number
        return entry

    def current_data(self, entry: models.Model) -> dict[str, Any]:
        """The entry's values as its edit form shows them: a changing row's other columns."""
        form = self.form_class(instance=entry, user=self.user)
        return {name: form[name].value() for name in self.columns if name in form.fields}

    def values(self, form: forms.ModelForm) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in form.cleaned_data if name in self.columns}

    # --- the whole run ------------------------------------------------------------------------

    def run(self, upload) -> ImportReport:
        try:
            table = read_table(upload)
        except ImportFileError as exc:
            return ImportReport(errors=[RowError(0, "—", str(exc))])
        report, rows = self.check(table)
        if not report.ok:
            return report
        return self.write(rows, report, filename=getattr(upload, "name", "") or "")

    def write(
        self, rows: list[dict[str, Any]], report: ImportReport, *, filename: str = ""
    ) -> ImportReport:
        """Save the checked rows, all or none, through the register's service. The rows that
        count join one batch (registers.models.ImportBatch) that a second person confirms or
        rejects as one; until then they count nowhere. `report.batch_id` names that batch, None
        when no row counts."""
        batch = new_import_batch(self.model, acting_user=self.user, filename=filename)
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        if row["entry"] is None:
                            self.create(row["values"], batch, reason=row["reason"])
                        else:
                            self.update(
                                row["entry"],
                                row["values"],
                                batch,
                                reason=row["reason"],
                                **row["dating"],
                            )
                            report.updated += 1
                    except ValidationError as exc:
                        for name, errors in getattr(
                            exc, "message_dict", {"—": exc.messages}
                        ).items():
                            column = self._labels.get(name, name)
                            report.errors.extend(RowError(row["row"], column, e) for e in errors)
                        raise
                    except (PermissionDenied, ConflictError) as exc:
                        report.errors.append(RowError(row["row"], "—", str(exc)))
                        raise
                    report.created += 1
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            if not report.errors:
                report.errors.append(
                    RowError(0, "—", "; ".join(getattr(exc, "messages", [str(exc)])))
                )
            report.created = report.updated = 0
            return report
        report.batch_id = batch.pk
        return report


def template_csv(headers: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(list(headers))
    return "\ufeff" + buffer.getvalue()
