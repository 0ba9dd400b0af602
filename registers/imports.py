"""Bulk import of register entries from CSV or XLSX: validate every row, then save all or none.

Each row is checked by the same form as the browser's "add" page (so the same messages, the
model's validators and its database constraints), plus duplicates within the file. If any row
has an error, nothing is saved and every error is reported by row and column. Otherwise all
rows are created through the register's service function in one transaction (each audited).
The rows that count (every project, an enterprise with a tier) form one import batch that a
second person confirms or rejects as one (registers.services.confirm_import_batch); until then
they count nowhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from zjai.uploads import extension, sniff

from .forms import EntryFormClass
from .models import ImportBatch
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


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows, read no further than is needed to say that there are too many: a small file
    can hold a million rows (a workbook is compressed; a CSV of empty lines), and each row read
    costs memory. Blank rows share one empty list."""
    limit = settings.ZJAI_IMPORT_MAX_ROWS
    table: list[list[str]] = []
    filled = 0
    empty: list[str] = []
    for row in rows:
        if _blank(row):
            table.append(empty)
            continue
        table.append(row)
        filled += 1
        if filled > limit + 1:  # the header and one row too many: check() says so
            break
    return table


def _xlsx_rows(upload) -> list[list[str]]:
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        # Formulas as written, not their cached results: a formula is refused, not evaluated.
        book = load_workbook(upload, read_only=True, data_only=False)
    except Exception as exc:  # a damaged workbook
        raise ImportFileError(_("The XLSX file cannot be read: %s") % exc) from None
    formulas: list[str] = []

    def rows() -> Iterable[list[str]]:
        for row in book.worksheets[0].iter_rows():
            texts = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(cell.coordinate)
                texts.append(_cell_text(cell.value))
            yield texts

    try:
        table = _bounded(rows())
    except Exception as exc:  # a damaged sheet inside a readable package
        raise ImportFileError(_("The XLSX file cannot be read: %s") % exc) from None
    finally:
        book.close()
    if formulas:
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


def _csv_rows(upload) -> list[list[str]]:
    upload.seek(0)
    raw = upload.read()
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
    try:
        return _bounded([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a cell longer than the csv module allows (128 KB)
        raise ImportFileError(_("The CSV file cannot be read: %s") % exc) from None


def read_table(upload) -> list[list[str]]:
    """The rows of a CSV (UTF-8, with or without BOM, or GB18030) or XLSX file, as text.

    Raises ImportFileError, with a message for the person who uploaded the file, for a file
    that is too large, of another kind than its name says, in another encoding, with
    formulas, or that cannot be read at all."""
    if upload.size > settings.ZJAI_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": settings.ZJAI_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    ext = extension(upload.name)
    kind = sniff(upload)
    if ext == "xlsx" and kind == "xlsx":
        return _xlsx_rows(upload)
    if ext == "csv" and kind in ("csv", None):
        # Text that is neither UTF-8 nor GB18030 (UTF-16, Latin-1, …) is not recognised as
        # CSV by its head: say what is wrong with it rather than that it is no CSV.
        return _csv_rows(upload)
    raise ImportFileError(_("Upload a CSV or XLSX file (its content must match its name)."))


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

    def __init__(self, user):
        self.user = user

    def make_form(self, data: dict[str, str]) -> forms.ModelForm:
        return self.form_class(data=data, user=self.user)

    def create(self, values: dict[str, Any], batch: ImportBatch):
        """Create one row through the register's service, in `batch` if it counts."""
        raise NotImplementedError

    def template_headers(self) -> list[str]:
        form = self.make_form({})
        return [force_str(form.fields[name].label) for name in self.columns]

    # --- reading and checking ---------------------------------------------------------------

    def map_header(self, header: list[str], report: ImportReport) -> dict[int, str]:
        form = self.make_form({})
        known = {}
        for name in self.columns:
            for alias in _aliases(name, form.fields[name]):
                known[alias] = name
        for old, name in self.renamed_columns.items():
            known.setdefault(old, name)
        mapping: dict[int, str] = {}
        for index, title in enumerate(header):
            key = title.strip().lower()
            if not key:
                continue
            column = known.get(key)
            if column is None:
                report.errors.append(
                    RowError(
                        1,
                        title,
                        _("Unknown column. Expected one of: %(names)s.")
                        % {"names": ", ".join(self.template_headers())},
                    )
                )
            elif column in mapping.values():
                report.errors.append(RowError(1, title, _("This column appears twice.")))
            else:
                mapping[index] = column
        for name in self.required_columns:
            if name not in mapping.values():
                report.errors.append(
                    RowError(1, force_str(form.fields[name].label), _("This column is missing."))
                )
        return mapping

    def normalise(self, form: forms.ModelForm, data: dict[str, str]) -> dict[str, str]:
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
                out[name] = _choice_lookup(field_obj).get(str(text).strip().lower(), text)
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
        for number, row in rows:
            data = {
                name: (row[index] if index < len(row) else "") for index, name in mapping.items()
            }
            form = self.make_form(data)
            form = self.make_form(self.normalise(form, data))
            if not form.is_valid():
                for name, errors in form.errors.items():
                    column = label_of.get(name, "—") if name != "__all__" else "—"
                    report.errors.extend(RowError(number, column, str(e)) for e in errors)
                continue
            duplicate = False
            for name in self.unique_columns:
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
                cleaned_rows.append({"row": number, "values": self.values(form)})
        return report, cleaned_rows

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
                        self.create(row["values"], batch)
                    except ValidationError as exc:
                        for name, errors in getattr(
                            exc, "message_dict", {"—": exc.messages}
                        ).items():
                            report.errors.extend(RowError(row["row"], name, e) for e in errors)
                        raise
                    report.created += 1
        except (ValidationError, PermissionDenied) as exc:
            if not report.errors:
                report.errors.append(
                    RowError(0, "—", "; ".join(getattr(exc, "messages", [str(exc)])))
                )
            report.created = 0
            return report
        report.batch_id = batch.pk
        return report


def template_csv(headers: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(list(headers))
    return "\ufeff" + buffer.getvalue()
