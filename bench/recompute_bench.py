"""Benchmark: a full progress recompute at scale, against a raw-SQL floor.

    .venv/bin/python bench/recompute_bench.py    # DATABASE_URL defaults to …/zjai_bench

Builds (once) 100,000 enterprises, 100,000 projects and 1,000,000 measurements with
`seed_demo --scale 100` in the database named by DATABASE_URL (created if missing), and gives
every register entry a valid-time history of five rows (`add_history`: three earlier periods
with other values, and two replaced accounts), then prints: the full recompute time (best of
several runs), the queries it issued, and the time of the same aggregates written by hand as
SQL, reading the same entries and history, run through psycopg2 in the same process (the
floor). Goals (issue 13): under 1 s, within 2× of the floor, and a query count that does not
grow with the data.
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

    add_history()
    sizes = (Enterprise.objects.count(), Project.objects.count(), Measurement.objects.count())
    print(f"data: {sizes[0]:,} enterprises, {sizes[1]:,} projects, {sizes[2]:,} measurements")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM enterprises_enterprisehistory),"
            " (SELECT count(*) FROM projects_projecthistory)"
        )
        e_history, p_history = cur.fetchone()
    print(
        f"history: {e_history:,} enterprise rows ({e_history / sizes[0]:.1f} per entry), "
        f"{p_history:,} project rows ({p_history / sizes[1]:.1f} per entry)"
    )

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
        f"(goal ≤ 2×); goal < 1 s: {'met' if best < 1 else 'NOT met'}"
    )


# Each entry's history, written once by SQL (the bench's data, not the application's): three
# earlier periods [none, d1), [d1, d2), [d2, d3) and the entry's own row from d3, with the
# counted values varied between periods so that a count as of a date depends on them, plus two
# replaced accounts (of [d2, open) and of [d3, open)), as a change and a correction leave them.
# d1, d2, d3 fall between 2019 and 2023, spread by the entry's id.
HISTORY_SQL = {
    "enterprises": """
        WITH e AS (
            SELECT id, city, sector, tier, recognised_on, status, revoked_on,
                   DATE '2019-01-01' + (id * 37 % 600)::int AS d1,
                   DATE '2019-01-01' + (id * 37 % 600)::int + 200 + (id % 150)::int AS d2,
                   DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int AS d3
            FROM enterprises_enterprise
        ), rows AS (
            SELECT id, NULL::date AS vf, d1 AS vt, '' AS tier, sector, city,
                   NULL::date AS rec, 'active' AS status, NULL::date AS rev,
                   TIMESTAMPTZ '2019-01-02' AS ra, NULL::timestamptz AS rp FROM e
            UNION ALL SELECT id, d1, d2, CASE WHEN tier = '' THEN '' ELSE 'specialised' END,
                   sector, city, LEAST(recognised_on, d1), 'active', NULL,
                   d1 + TIME '10:00', NULL FROM e
            UNION ALL SELECT id, d2, NULL, tier, 'other', city, recognised_on, status, revoked_on,
                   d2 + TIME '10:00', d3 + TIME '10:00' FROM e
            UNION ALL SELECT id, d2, d3, tier, 'other', city, recognised_on, status, revoked_on,
                   d3 + TIME '10:00', NULL FROM e
            UNION ALL SELECT id, d3, NULL, tier, 'software', city, recognised_on, status,
                   revoked_on, d3 + TIME '10:00', d3 + TIME '11:00' FROM e
        )
        INSERT INTO enterprises_enterprisehistory (entry_id, valid_from, valid_to, tier, sector,
            city, recognised_on, status, revoked_on, recorded_at, replaced_at, edit_kind)
        SELECT id, vf, vt, tier, sector, city, rec, status, rev, ra, rp, 'change' FROM rows;
        UPDATE enterprises_enterprise
           SET valid_from = DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int,
               recorded_at = DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int
                             + TIME '11:00';
    """,
    "projects": """
        WITH p AS (
            SELECT id, kind, level, status, city, sector, planned_investment,
                   completed_investment, start_date, accepted_on,
                   DATE '2019-01-01' + (id * 37 % 600)::int AS d1,
                   DATE '2019-01-01' + (id * 37 % 600)::int + 200 + (id % 150)::int AS d2,
                   DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int AS d3
            FROM projects_project
        ), rows AS (
            SELECT id, NULL::date AS vf, d1 AS vt, kind, 'city' AS level, 'planned' AS status,
                   city, sector, planned_investment * 0.5 AS pi, NULL::numeric AS ci,
                   start_date, NULL::date AS acc,
                   TIMESTAMPTZ '2019-01-02' AS ra, NULL::timestamptz AS rp FROM p
            UNION ALL SELECT id, d1, d2, kind, level, 'under_construction', city, sector,
                   planned_investment * 0.8, completed_investment * 0.3, start_date, NULL,
                   d1 + TIME '10:00', NULL FROM p
            UNION ALL SELECT id, d2, NULL, kind, level, status, city, sector, planned_investment,
                   completed_investment * 0.6, start_date, accepted_on,
                   d2 + TIME '10:00', d3 + TIME '10:00' FROM p
            UNION ALL SELECT id, d2, d3, kind, level, status, city, sector, planned_investment,
                   completed_investment * 0.7, start_date, accepted_on,
                   d3 + TIME '10:00', NULL FROM p
            UNION ALL SELECT id, d3, NULL, kind, level, status, city, sector,
                   planned_investment * 1.1, completed_investment, start_date, accepted_on,
                   d3 + TIME '10:00', d3 + TIME '11:00' FROM p
        )
        INSERT INTO projects_projecthistory (entry_id, valid_from, valid_to, kind, level, status,
            city, sector, planned_investment, completed_investment, start_date, accepted_on,
            recorded_at, replaced_at, edit_kind)
        SELECT id, vf, vt, kind, level, status, city, sector, ROUND(pi, 2), ROUND(ci, 2),
               start_date, acc, ra, rp, 'change' FROM rows;
        UPDATE projects_project
           SET valid_from = DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int,
               recorded_at = DATE '2019-01-01' + (id * 37 % 600)::int + 400 + (id % 350)::int
                             + TIME '11:00';
    """,
}


def add_history() -> None:
    """Five history rows per register entry, once (see HISTORY_SQL)."""
    from django.db import connection, transaction

    for register, table in (
        ("enterprises", "enterprises_enterprisehistory"),
        ("projects", "projects_projecthistory"),
    ):
        with connection.cursor() as cur:
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cur.fetchone()[0]:
                continue
        print(f"adding the {register}' history (once) …", flush=True)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL TIME ZONE 'Asia/Shanghai'")
            cur.execute(HISTORY_SQL[register])
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {table}")
            cur.execute(f"VACUUM ANALYZE {table.removesuffix('history')}")


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
    # An entry's own row holds from its valid_from; a history row over its period, if its
    # account is current (replaced_at IS NULL): as known now, as the recompute reads them.
    own = f"(valid_from IS NULL OR valid_from <= {date_sql})"
    past = f"{own} AND (valid_to IS NULL OR valid_to > {date_sql}) AND replaced_at IS NULL"

    def aggregates(targets, held: str) -> str:
        return ", ".join(
            (
                f"SUM({t.source_field}) FILTER (WHERE {held} AND {condition(t, date_sql)})"
                if t.source_kind == "sum"
                else f"COUNT(*) FILTER (WHERE {held} AND {condition(t, date_sql)})"
            )
            for t in targets
        )

    enterprise_sql = [
        f"SELECT {aggregates(enterprise, own)} FROM enterprises_enterprise WHERE confirmed",
        f"SELECT {aggregates(enterprise, past)} FROM enterprises_enterprisehistory",
    ]
    project_sql = [
        f"SELECT {aggregates(project, own)} FROM projects_project WHERE confirmed",
        f"SELECT {aggregates(project, past)} FROM projects_projecthistory",
    ]
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
        for query in (*enterprise_sql, *project_sql):
            cur.execute(query)
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
