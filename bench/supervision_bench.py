"""Benchmark: the supervision page (督办) at scale (issue 15): under 100 ms of server time.

    .venv/bin/python bench/supervision_bench.py [--plan CODE] [--url PATH] [--runs N]
                                                [--build-only]
    # DATABASE_URL defaults to …/zjai_bench

Builds the data once in the database named by DATABASE_URL (created if missing): every plan
file of plans/data/, the four copies of the 2019–2022 plan that bench/portfolio_bench.py loads
(`bench-plan-2` …; BENCH_PLANS, default 5 in all), and `seed_demo --scale 100`, whose task
reports number about 50,000 across the plans (demo/task_reports.py: every closed period's
reports of every plan, topped up with filler). A database seeded before task reports existed,
or before the copies were loaded, is seeded again.
Then prints the counts, and the supervision page's server time in this process through Django's
test client (middleware, view, template; no network), signed in as the demo coordinator (an
administrator of the coordinating office): the median and 95th percentile of N requests and
the queries of one, with this process's CPU time and the load average (the machine may be
busy). Goal: under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
DEFAULT_PLAN = "zj-ai-2019-2022"
URL_PATTERN = "/plans/{plan}/supervision/"
GOAL_SECONDS = 0.1
# Below this many demo task reports the data was built before them (or at a smaller scale).
EXPECTED_REPORTS = 45_000
PLANS = int(os.environ.get("BENCH_PLANS", "5"))


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", default=DEFAULT_PLAN, help=f"plan code (default {DEFAULT_PLAN})")
    parser.add_argument(
        "--url", help=f"the page to time (default {URL_PATTERN.format(plan='<plan>')})"
    )
    parser.add_argument("--runs", type=int, default=50, help="requests timed (default 50)")
    parser.add_argument(
        "--build-only", action="store_true", help="build and count the data, time no page"
    )
    return parser.parse_args(argv)


def build() -> None:
    """Load every plan file and seed scale 100 once; print the data's size."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from portfolio_bench import plan_copy

    from plans.models import ItemUnit, Plan
    from taskreports.models import ReviewRound, TaskReport

    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_action_plan", all=True, verbosity=0, stdout=quiet)
    # The portfolio's plans (bench/portfolio_bench.py): the 2019–2022 plan under other codes.
    for number in range(2, PLANS + 1):
        if not Plan.objects.filter(code=f"bench-plan-{number}").exists():
            print(f"loading bench-plan-{number} …", flush=True)
            call_command("load_action_plan", file=plan_copy(number), verbosity=0, stdout=quiet)
    reported = TaskReport.objects.filter(is_demo=True)
    without = Plan.objects.filter(period_start__lt=dt.date(2020, 1, 1)).exclude(
        pk__in=reported.values("item__plan_id")
    )
    if reported.count() < EXPECTED_REPORTS or without.exists():
        print(f"seeding scale {SCALE} (once) …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=SCALE, stdout=quiet)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    responsible = ItemUnit.objects.filter(item_id=OuterRef("item_id"), unit_id=OuterRef("unit_id"))
    by_units = TaskReport.objects.filter(Exists(responsible)).count()
    print(
        f"data: {Plan.objects.count()} plans, {TaskReport.objects.count():,} task reports "
        f"({by_units:,} by the tasks' units, the rest filler; "
        f"{TaskReport.objects.filter(state='approved').count():,} approved), "
        f"{ReviewRound.objects.count():,} review rounds",
        flush=True,
    )


def time_page(url: str, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = (
        User.objects.filter(username="coordinator").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if user is None:
        raise SystemExit("no coordinator or administrator: run seed_demo with its users")
    client = Client()
    client.force_login(user)
    response = client.get(url)  # warm: templates, caches
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    # This process's CPU time (Python: middleware, view, template), apart from waiting on the
    # database or on other processes: on a busy machine it moves less than the wall time.
    cpu = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(
        f"{url} as {user.get_username()}: median {median * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, best {timings[0] * 1000:.1f} ms over {runs} requests, "
        f"{len(ctx.captured_queries)} queries; goal < 100 ms: "
        f"{'met' if median < GOAL_SECONDS else 'NOT met'}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"  of which this process's CPU: median {statistics.median(cpu) * 1000:.1f} ms; "
        f"load average {load} ({os.cpu_count()} cores)"
    )


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    import recompute_bench

    recompute_bench.ensure_database()
    import django

    django.setup()
    build()
    if not options.build_only:
        time_page(options.url or URL_PATTERN.format(plan=options.plan), options.runs)


if __name__ == "__main__":
    main()
