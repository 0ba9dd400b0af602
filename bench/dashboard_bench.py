"""Benchmark: the dashboard's server time at the benchmark scale.

    .venv/bin/python bench/dashboard_bench.py    # DATABASE_URL defaults to …/zjai_bench

Uses the database bench/recompute_bench.py prepares (seed_demo --scale 100: 100,000
enterprises, 100,000 projects, 1,000,000 figures); prepares it the same way if it is missing
(once, several minutes). Progress is computed beforehand (not timed) as of half-year ends and
today, so the dashboard has its trend lines. Then, for each demo role, GET / goes through the
whole Django stack in this process — middleware, session, view, queries, templates — and the
best and median times of RUNS requests are printed with the query count. Goal: < 100 ms.
Not a test: the figure depends on the machine.
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
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log, cached templates
os.environ.setdefault("SECRET_KEY", "dashboard-benchmark-only-" + "k" * 40)
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
HISTORY = [dt.date(y, m, d) for y in (2019, 2020, 2021, 2022) for m, d in ((6, 30), (12, 31))]
GOAL_MS = 100


def prepare() -> None:
    from recompute_bench import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from targets.models import Measurement, RollupProgress
    from targets.services import recompute_progress
    from zjai.dates import today

    # Templates use {% static %}; no collectstatic here, so no manifest storage.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        call_command("seed_demo", scale=SCALE)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    computed = set(
        RollupProgress.objects.filter(scope="plan").values_list("as_of", flat=True).distinct()
    )
    for day in [*HISTORY, today()]:
        if day not in computed:
            print(f"computing progress as of {day} (setup, not timed) …", flush=True)
            recompute_progress(day)


def main() -> None:
    prepare()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from enterprises.models import Enterprise
    from targets.models import Measurement

    print(
        f"data: {Enterprise.objects.count():,} enterprises, {Measurement.objects.count():,} figures"
    )
    worst = 0.0
    for username in ("staff", "reviewer", "auditor", "admin"):
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"{username}: no such demo user (seed_demo creates them)")
            continue
        client = Client()
        client.force_login(user)
        for _ in range(3):  # warm up: connections, template loading, translations
            assert client.get("/", secure=True).status_code == 200
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get("/", secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get("/", secure=True)
        best, median = min(timings), statistics.median(timings)
        worst = max(worst, median)
        print(
            f"dashboard as {username:<9} best {best:6.1f} ms, median {median:6.1f} ms "
            f"over {RUNS} requests, {len(ctx.captured_queries)} queries"
        )
    verdict = "met" if worst < GOAL_MS else "NOT met"
    print(f"goal: median < {GOAL_MS} ms for every role: {verdict} (slowest median {worst:.1f} ms)")


if __name__ == "__main__":
    main()
