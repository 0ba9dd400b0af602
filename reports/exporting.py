"""One entry point for every export (the command, the Celery task, the benchmark)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from plans.models import Plan

from .builders import AsOfReport, default_plan
from .editions import Edition, edition_of

FORMATS = ("csv", "xlsx", "pdf")


@dataclass
class ExportResult:
    format: str
    as_of: dt.date
    output: Path
    parts: list[str]  # CSV files, XLSX sheets, or "N pages"
    edition: Edition  # (plan, D, K), the digest of its tables, the chain head at K

    @property
    def head(self) -> str:
        """The audit chain's head at K: SEQ:HASH."""
        return self.edition.head.anchor


def export(
    fmt: str,
    output: Path,
    *,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    plan: Plan | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ExportResult:
    """Write the edition (plan, `as_of`, `known_at`; default: known now) in `fmt` to `output`
    (for CSV a directory or a .zip). The caller checks the dates (editions.check_edition)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    report = AsOfReport(plan or default_plan(), as_of, known_at=known_at)
    output = Path(output)
    tracker = _Tracker(report, progress) if progress and fmt != "pdf" else None
    if fmt == "csv":
        from .csv import write_csv

        # The digest of the bytes as they are written; edition.csv comes last.
        parts, edition = write_csv(report, output, tracker)
    else:
        # The digest first (a pass over the tables as CSV): the summary sheet and the cover
        # print it before the tables it sums up.
        if progress:
            progress(0.0, "digest")
        edition = edition_of(report)
        if fmt == "pdf":
            from .pdf import write_pdf

            pages = write_pdf(
                report, edition, output, (lambda f: progress(f, "pdf")) if progress else None
            )
            parts = [f"{pages} pages"]
        else:
            from .xlsx import write_xlsx

            parts = write_xlsx(report, edition, output, tracker)
    if progress:
        progress(1.0, "done")
    return ExportResult(fmt, as_of, output, parts, edition)


class _Tracker:
    """Turns (rows written, table) callbacks into a fraction of the whole export, counting
    each table's rows once up front (one COUNT each)."""

    def __init__(self, report: AsOfReport, progress: Callable[[float, str], None]):
        self.progress = progress
        self.sizes = {}
        for table in report.tables():
            self.sizes[table.name] = max(table.count() if table.count else 50, 1)
        self.total = sum(self.sizes.values())
        self.offsets, running = {}, 0
        for name, size in self.sizes.items():
            self.offsets[name] = running
            running += size

    def __call__(self, rows: int, table) -> None:
        done = self.offsets.get(table.name, 0) + min(rows, self.sizes.get(table.name, rows))
        self.progress(min(done / self.total, 0.99), table.name)
