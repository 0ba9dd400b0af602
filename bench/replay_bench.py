"""Benchmark: `verify_audit_log --replay` at scale.

    DATABASE_URL=postgres://…/zjai_bench .venv/bin/python bench/replay_bench.py

Builds (once) in the database named by DATABASE_URL (created if missing): the plan, the demo
data at `BENCH_SCALE` (default 100: 1,000,000 figures, 100,000 enterprises and 118,000 projects,
written in bulk with one summary event) and `BENCH_ROWS` (default 20,000) rows written one by one
through the services, each with its events: half enterprises (one create event each), half
figures created and submitted (two events each). Then prints, best of `BENCH_RUNS` runs, the time
of the replay alone and of the whole command (chain and replay), the queries the replay issued
(a number that does not grow with the data) and the memory it took.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BENCH_PREFIX = "bench-replay-"


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


def write_through_services(rows: int) -> None:
    """Rows with their events, as the browser, the API and the imports write them."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.models import User
    from accounts.services import ensure_role_groups, save_account
    from enterprises.services import create_enterprise
    from plans.models import ResponsibleUnit
    from targets import services
    from targets.models import Target

    ensure_role_groups()
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = User.objects.filter(username=f"{BENCH_PREFIX}staff").first()
    if staff is None:
        staff = User(username=f"{BENCH_PREFIX}staff", unit=econ)
        staff.set_unusable_password()
        save_account(staff, acting_user=None, groups=[Group.objects.get(name="staff")])
    robots = Target.objects.get(code="robots-in-service")
    day = dt.date(2021, 6, 30)
    for start in range(0, rows, 1000):
        with transaction.atomic():
            for n in range(start, min(start + 1000, rows)):
                if n % 2:
                    figure = services.create_measurement(
                        target=robots, value=100_000 + n, observed_on=day, acting_user=staff
                    )
                    services.submit_measurement(figure, acting_user=staff)
                else:
                    # No tier: an entry that counts nowhere, so no recompute is queued.
                    create_enterprise(
                        acting_user=staff, name_zh=f"{BENCH_PREFIX}{n}", city="hangzhou"
                    )
        print(f"  {min(start + 1000, rows):,} rows", flush=True)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from audit.models import AuditEvent
    from audit.replay import replay
    from enterprises.models import Enterprise
    from targets.models import Measurement

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        call_command("seed_demo", scale=SCALE, stdout=io.StringIO())
    have = Enterprise.objects.filter(name_zh__startswith=BENCH_PREFIX).count() * 2
    if have < ROWS:
        print(f"writing {ROWS - have:,} rows through the services (once) …", flush=True)
        write_through_services(ROWS - have)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")

    events = AuditEvent.objects.count()
    timings, queries, result = [], 0, None
    for _ in range(RUNS):
        reset_queries()  # the writes above filled the query log
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = replay()
            timings.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    # Python's own allocations during one more run (slower under tracemalloc: not timed).
    tracemalloc.start()
    replay()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert result is not None
    rows = sum(t.rows for t in result.tables.values())
    compared = sum(t.compared for t in result.tables.values())
    print(
        f"data: {events:,} events; {rows:,} rows in {len(result.tables)} tables, "
        f"{compared:,} of them with events"
    )
    print(
        f"replay: best {min(timings):.2f} s, median {statistics.median(timings):.2f} s over "
        f"{RUNS} runs; {queries} queries; Python's traced peak {peak:.0f} MB; "
        f"{'no differences' if result.ok else f'{result.differences} DIFFERENCES'}"
    )
    started = time.perf_counter()
    call_command("verify_audit_log", "--replay", stdout=io.StringIO())
    print(f"verify_audit_log --replay (chain and replay): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
