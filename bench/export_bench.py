"""Benchmark: the exports of issue 6 at scale — the CSV of 1,000,000 figures and the PDF.

    .venv/bin/python bench/export_bench.py    # DATABASE_URL defaults to …/zjai_bench

Uses the database of bench/recompute_bench.py (seed_demo --scale 100: 1,000,000 figures; seeded
here too if missing) and prints:
- the measurements table as CSV, by the COPY path the exports use on PostgreSQL and by the
  row-by-row generator (the fallback, and what the XLSX writer reads): rows, seconds, rows per
  second, and the peak memory of the process while writing it (growth of the resident set, and
  Python's own peak by tracemalloc in a second pass, which tracemalloc slows down);
- the whole CSV export (every table, one .zip);
- the time to build the PDF report.
Goals: at least 100,000 rows/s, peak memory under 200 MB, the PDF under 10 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
PDF_AS_OF = dt.date(2022, 6, 30)


def rss_mb() -> float:
    """The resident set now (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from recompute_bench import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reports.builders import AsOfReport, default_plan
    from reports.csv import write_table
    from reports.exporting import export
    from targets.models import Measurement
    from zjai.dates import today

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        call_command("seed_demo", scale=SCALE)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    plan = default_plan()
    as_of = today()  # every approved figure counts
    report = AsOfReport(plan, as_of)
    total = report.measurements_queryset().count()
    print(f"data: {Measurement.objects.count():,} figures, {total:,} counting as of {as_of}")

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "measurements.csv"
        for fast, label in ((True, "COPY path"), (False, "row by row")):
            # 1. Throughput and resident memory, untraced.
            base_rss, base_peak = rss_mb(), peak_rss_mb()
            started = time.perf_counter()
            with target.open("w", encoding="utf-8", newline="") as stream:
                write_table(report.measurements_table(), stream, fast=fast)
            seconds = time.perf_counter() - started
            grew = max(peak_rss_mb() - base_peak, rss_mb() - base_rss, 0.0)
            with target.open(encoding="utf-8", newline="") as stream:
                rows = sum(1 for _ in csv.reader(stream)) - 1
            size = target.stat().st_size / 2**20
            print(
                f"measurements CSV, {label}: {rows:,} rows, {size:,.0f} MB in {seconds:.2f} s = "
                f"{rows / seconds:,.0f} rows/s (goal ≥ 100,000)"
            )
            print(
                f"  resident memory: {base_rss:.0f} MB before, peak grew by {grew:.1f} MB "
                f"(process peak {peak_rss_mb():.0f} MB; goal < 200 MB)"
            )
            # 2. Python's own peak allocation while writing, traced (slower).
            tracemalloc.start()
            with target.open("w", encoding="utf-8", newline="") as stream:
                write_table(report.measurements_table(), stream, fast=fast)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  tracemalloc peak while writing: {peak / 2**20:.1f} MB")

        started = time.perf_counter()
        result = export("csv", Path(folder) / "all.zip", as_of=as_of, plan=plan)
        print(
            f"whole CSV export (.zip of {len(result.parts)} tables): "
            f"{time.perf_counter() - started:.1f} s"
        )

        timings = []
        for _ in range(2):
            started = time.perf_counter()
            result = export("pdf", Path(folder) / "report.pdf", as_of=PDF_AS_OF, plan=plan)
            timings.append(time.perf_counter() - started)
        print(
            f"PDF report as of {PDF_AS_OF} ({result.parts[0]}): best {min(timings):.2f} s, "
            f"first {timings[0]:.2f} s (goal < 10 s)"
        )


if __name__ == "__main__":
    main()
