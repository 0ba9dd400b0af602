"""Benchmark: several plans at once (issue 14): a full recompute of every plan, and the portfolio
page's server time.

    .venv/bin/python bench/portfolio_bench.py    # DATABASE_URL defaults to …/zjai_bench

On the scale-100 registers of bench/recompute_bench.py (built once there, with five history rows
per entry), loads four more plans of the size of the 2019–2022 plan: the same file under other
codes (`bench-plan-2` …), so the same target codes appear in five plans and the register targets
count the same registers. Then prints the time of a full recompute of all plans (best of several
runs) and its queries, and the portfolio page's time in this process through Django's test
client (middleware, view, template; no network), signed in as an administrator.
Goals: recompute under 1 s, portfolio page under 100 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

PLANS = int(os.environ.get("BENCH_PLANS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
PORTFOLIO_URL = os.environ.get("BENCH_PORTFOLIO_URL", "/plans/")


def plan_copy(number: int) -> Path:
    """The 2019–2022 plan file under another code and title, written to a temporary file."""
    from django.conf import settings

    data = yaml.safe_load(Path(settings.ZJAI_DEFAULT_PLAN_FILE).read_text(encoding="utf-8"))
    plan = data["plan"]
    plan["code"] = f"bench-plan-{number}"
    plan["title_zh"] = f"{plan['title_zh']}（基准副本 {number}）"
    plan["title_en"] = f"{plan['title_en']} (benchmark copy {number})"
    # Dates as text, as the schema reads them.
    path = Path(tempfile.mkdtemp()) / f"bench-plan-{number}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    import recompute_bench

    recompute_bench.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from plans.models import Plan
    from targets.models import Measurement, Target
    from targets.services import recompute_progress
    from zjai.dates import today

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if not Measurement.objects.filter(is_demo=True).exists():
        raise SystemExit("run bench/recompute_bench.py first: it builds the scale-100 data once")
    recompute_bench.add_history()
    for number in range(2, PLANS + 1):
        if not Plan.objects.filter(code=f"bench-plan-{number}").exists():
            print(f"loading bench-plan-{number} …", flush=True)
            call_command("load_action_plan", file=plan_copy(number), verbosity=0)
    print(f"plans: {Plan.objects.count()}, targets: {Target.objects.count()}")

    as_of = today()
    recompute_progress(as_of)  # warm caches, and the rows the portfolio page reads
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            recompute_progress(as_of)
            timings.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    best = min(timings)
    print(
        f"full recompute of {Plan.objects.count()} plans: best {best * 1000:.0f} ms, "
        f"median {statistics.median(timings) * 1000:.0f} ms, {queries} queries; "
        f"goal < 1 s: {'met' if best < 1 else 'NOT met'}"
    )

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password=None
    )
    client = Client()
    client.force_login(admin)
    response = client.get(PORTFOLIO_URL)
    if response.status_code != 200:
        raise SystemExit(f"{PORTFOLIO_URL} answered {response.status_code}")
    page = []
    for _ in range(RUNS * 4):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            client.get(PORTFOLIO_URL)
            page.append(time.perf_counter() - started)
    best_page = min(page)
    print(
        f"portfolio page {PORTFOLIO_URL}: best {best_page * 1000:.1f} ms, "
        f"median {statistics.median(page) * 1000:.1f} ms, {len(ctx.captured_queries)} queries; "
        f"goal < 100 ms: {'met' if best_page < 0.1 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
