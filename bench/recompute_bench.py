"""Benchmark: a full progress recompute at scale, against a raw-SQL floor.

    .venv/bin/python bench/recompute_bench.py    # DATABASE_URL defaults to …/zjai_bench

Builds (once) 100,000 enterprises, 100,000 projects and 1,000,000 measurements with
`seed_demo --scale 100` in the database named by DATABASE_URL (created if missing), then prints:
the full recompute time (best of several runs), the queries it issued, and the time of the same
aggregates written by hand as SQL and run through psycopg2 in the same process (the floor).
Goals: under 2 s, within 3× of the floor, and a query count that does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
AS_OF = dt.date(2022, 6, 30)


def ensure_database() -> None:
    import psycopg2
    from psycopg2 import sql

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enterprises.models import Enterprise
    from projects.models import Project
    from targets.models import Measurement, Target
    from targets.services import recompute_progress

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=SCALE, no_users=False)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cur:
            # VACUUM too: the visibility map lets list pages and counts use index-only scans,
            # as autovacuum would have allowed by the time a real register got this big.
            cur.execute("VACUUM ANALYZE")

    sizes = (Enterprise.objects.count(), Project.objects.count(), Measurement.objects.count())
    print(f"data: {sizes[0]:,} enterprises, {sizes[1]:,} projects, {sizes[2]:,} measurements")

    recompute_progress(AS_OF)  # warm caches
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            recompute_progress(AS_OF)
            timings.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)

    targets = list(Target.objects.all())
    floor = [raw_sql_floor(targets, AS_OF) for _ in range(RUNS)]

    best, best_floor = min(timings), min(floor)
    print(
        f"full recompute: best {best * 1000:.0f} ms, "
        f"median {statistics.median(timings) * 1000:.0f} ms "
        f"over {RUNS} runs, {queries} queries"
    )
    print(f"raw SQL floor (same aggregates through psycopg2): best {best_floor * 1000:.0f} ms")
    print(
        f"ratio: {best / best_floor:.2f}× the floor "
        f"(goal ≤ 3×); goal < 2 s: {'met' if best < 2 else 'NOT met'}"
    )


def raw_sql_floor(targets, as_of: dt.date) -> float:
    """The same aggregates as targets.values, by hand, on a fresh psycopg2 connection."""
    import psycopg2

    from zjai.dates import end_of_day

    def condition(target, date_sql: str) -> str:
        parts = []
        for name, wanted in (target.source_filter or {}).items():
            values = wanted if isinstance(wanted, list) else [wanted]
            parts.append(f"{name} IN ({', '.join(repr(v) for v in values)})")
        if target.source_register == "enterprises":
            parts += [
                "tier <> ''",
                f"recognised_on <= {date_sql}",
                f"(revoked_on IS NULL OR revoked_on > {date_sql})",
            ]
        elif (target.source_filter or {}).get("status") in ("accepted", ["accepted"]):
            parts.append(f"accepted_on <= {date_sql}")
        else:
            parts.append(f"start_date <= {date_sql}")
        return " AND ".join(parts)

    date_sql = f"DATE '{as_of.isoformat()}'"
    enterprise = [t for t in targets if t.source_register == "enterprises"]
    project = [t for t in targets if t.source_register == "projects"]
    reported = [t.pk for t in targets if t.source_kind == "reported"]
    enterprise_sql = (
        "SELECT "
        + ", ".join(f"COUNT(*) FILTER (WHERE {condition(t, date_sql)})" for t in enterprise)
        + " FROM enterprises_enterprise"
    )
    project_sql = (
        "SELECT "
        + ", ".join(
            (
                f"SUM({t.source_field}) FILTER (WHERE {condition(t, date_sql)})"
                if t.source_kind == "sum"
                else f"COUNT(*) FILTER (WHERE {condition(t, date_sql)})"
            )
            for t in project
        )
        + " FROM projects_project"
    )
    # The newest counting figure per target: one index probe per target (LATERAL … LIMIT 1).
    reported_sql = (
        "SELECT t.id, m.value, m.observed_on FROM unnest(%s) AS t(id) LEFT JOIN LATERAL ("
        " SELECT value, observed_on FROM targets_measurement"
        " WHERE target_id = t.id AND state IN ('approved', 'withdrawn', 'superseded')"
        " AND observed_on <= %s AND reviewed_at <= %s"
        " AND (withdrawn_at IS NULL OR withdrawn_at > %s)"
        " AND (superseded_at IS NULL OR superseded_at > %s)"
        " ORDER BY observed_on DESC, reviewed_at DESC, id DESC LIMIT 1) m ON true"
    )
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(enterprise_sql)
        cur.fetchall()
        cur.execute(project_sql)
        cur.fetchall()
        cur.execute(
            reported_sql, [reported, as_of, end_of_day(as_of), end_of_day(as_of), end_of_day(as_of)]
        )
        cur.fetchall()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


if __name__ == "__main__":
    main()
