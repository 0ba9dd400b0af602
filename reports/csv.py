"""CSV exports: one file per table, UTF-8 with a BOM (so Excel reads the Chinese right),
streamed row by row so a million figures keep memory flat.

`--output` names a directory (one `<table>.csv` per table, and `edition.csv` naming the edition:
plan, as of, as known at, digest, audit chain head, when it was made) or a `.zip` file holding
the same files, each stamped with K's time, so two exports of one edition differ only in
edition.csv's `generated_at`. The table files concatenated in order hash to the digest
(reports.editions). Values are written as they are: dates as YYYY-MM-DD, times in Asia/Shanghai as
YYYY-MM-DD HH:MM:SS, decimals with four places, booleans as True/False, nothing as empty.
Text that a spreadsheet would run as a formula gets a leading ' (zjai.csvsafe).

On PostgreSQL a table that offers a `copy_query` (the figures) is written by `COPY … TO STDOUT`
from the same rows formatted by the database, several times faster than fetching them into
Python; the output is the same byte for byte (tests/reports/test_export.py checks it).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import QuerySet

from zjai.csvsafe import defuse, runs_as_formula

from .builders import AsOfReport, Column, Table

if TYPE_CHECKING:
    from .editions import Edition

BOM = "\ufeff"
CHUNK_ROWS = 2000
Progress = Callable[[int, Table], None]


def _text_columns(table: Table) -> list[int]:
    return [i for i, c in enumerate(table.columns) if c.kind == "text"]


def _defused(row: tuple, text_columns: list[int]) -> tuple:
    for i in text_columns:
        value = row[i]
        if runs_as_formula(value):
            row = (*row[:i], defuse(value), *row[i + 1 :])
    return row


def iter_csv(table: Table, progress: Progress | None = None) -> Iterator[str]:
    """The table as CSV text, in chunks of CHUNK_ROWS rows, starting with the BOM and the
    header row (中文 / English)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(BOM)
    writer.writerow([c.header for c in table.columns])
    text_columns = _text_columns(table)
    n = 0
    for row in table.rows():
        writer.writerow(_defused(row, text_columns))
        n += 1
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(n, table)
    yield buffer.getvalue()
    if progress:
        progress(n, table)


def write_table(
    table: Table, stream, progress: Progress | None = None, *, fast: bool = True
) -> None:
    """Write one table to a text stream: by COPY where the database can, else row by row."""
    if fast and table.copy_query is not None and connection.vendor == "postgresql":
        _copy_table(table, table.copy_query, stream, progress)
        return
    for chunk in iter_csv(table, progress):
        stream.write(chunk)


class _CountingBytes:
    """Passes COPY's chunks on to a binary buffer — UTF-8 bytes straight to the file, not
    decoded and encoded again — counting lines for the progress callback."""

    newline: bytes | str = b"\n"

    def __init__(self, stream, table: Table, progress: Progress | None):
        self.stream, self.table, self.progress = stream, table, progress
        self.lines = self.reported = 0

    def write(self, chunk):
        self.stream.write(chunk)
        self.lines += chunk.count(self.newline)
        if self.progress and self.lines - self.reported >= 50_000:
            self.reported = self.lines
            self.progress(self.lines, self.table)
        return len(chunk)


class _CountingStream(_CountingBytes, io.TextIOBase):
    """The same for a text stream without a binary buffer (psycopg2 decodes for a
    TextIOBase)."""

    newline = "\n"

    def writable(self) -> bool:
        return True


def _copy_table(
    table: Table, copy_query: Callable[[], QuerySet], stream, progress: Progress | None
) -> None:
    stream.write(BOM)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([c.header for c in table.columns])
    stream.write(header.getvalue())
    sql, params = copy_query().query.sql_with_params()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and (getattr(stream, "encoding", "") or "").lower() in ("utf-8", "utf8"):
        stream.flush()  # the BOM and the header first
        counter = _CountingBytes(buffer, table, progress)
    else:
        counter = _CountingStream(stream, table, progress)
    with transaction.atomic(), connection.cursor() as cursor:
        # Dates and times as the Python writer writes them: 2021-06-30, 2021-07-05 10:00:00;
        # and the bytes in UTF-8, as the file is.
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        cursor.execute("SET LOCAL client_encoding = 'UTF8'")
        query = cursor.mogrify(sql, params)
        query = query.decode() if isinstance(query, bytes) else query
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", counter)
    if progress:
        progress(counter.lines, table)


def edition_table(report: AsOfReport, edition: Edition) -> Table:
    return Table(
        "edition",
        "版本",
        "Edition",
        [
            Column("key", "键", "key"),
            Column("label_zh", "项目", "item (Chinese)"),
            Column("label_en", "项目（英文）", "item"),
            Column("value", "值", "value"),
        ],
        lambda: edition.rows(report.generated_at),
    )


def zip_time(known_at: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """The time stamped on every member of a zip: K's wall-clock time in Asia/Shanghai (the
    zip format's earliest is 1980), so the same edition gives the same bytes."""
    from django.utils import timezone

    local = timezone.localtime(known_at).replace(tzinfo=None)
    if local.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


class _Hashing(io.RawIOBase):
    """Passes bytes on to a file, hashing them: the digest of the tables as they are written
    (reports.editions.digest computes the same from a pass of its own)."""

    def __init__(self, target, sha) -> None:
        self.target, self.sha = target, sha

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.sha.update(data)
        self.target.write(data)
        return len(data)


def _write_member(table: Table, raw, sha, progress: Progress | None) -> None:
    hashing = _Hashing(raw, sha) if sha is not None else raw
    with io.TextIOWrapper(
        io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", newline=""
    ) as stream:
        write_table(table, stream, progress)


def write_csv(
    report: AsOfReport, output: Path, progress: Progress | None = None
) -> tuple[list[str], Edition]:
    """Write every table of the report, then edition.csv, to a directory or a .zip; returns the
    file names and the edition, its digest taken from the bytes written."""
    from .editions import Edition

    output = Path(output)
    names = []
    sha = hashlib.sha256()
    stamp = zip_time(report.known_at)

    def edition() -> Edition:
        return Edition(
            report.plan.code, report.as_of, report.known_at, sha.hexdigest(), report.head
        )

    if output.suffix.lower() == ".zip":
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for table in [*report.tables(), None]:
                last = table is None
                table = table or edition_table(report, edition())
                name = f"{table.name}.csv"
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with bundle.open(info, "w", force_zip64=True) as raw:
                    _write_member(table, raw, None if last else sha, progress)
                names.append(name)
        return names, edition()
    output.mkdir(parents=True, exist_ok=True)
    for table in [*report.tables(), None]:
        last = table is None
        table = table or edition_table(report, edition())
        name = f"{table.name}.csv"
        with (output / name).open("wb") as raw:
            _write_member(table, raw, None if last else sha, progress)
        names.append(name)
    return names, edition()
