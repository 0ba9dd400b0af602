"""Load on the public portal (issue 17): 200 anonymous visitors for 60 s against gunicorn on the
benchmark data. Goal: zero errors, p95 under 100 ms.

    .venv/bin/python bench/public_bench.py [--visitors N] [--seconds S] [--url BASE]
    # DATABASE_URL defaults to …/zjai_bench

Without --url it builds the benchmark data once (as bench/recompute_bench.py does: the
database `zjai_bench`, created if missing, the 2019–2022 plan, `seed_demo --scale 100`),
publishes an edition of the 2019–2022 plan as an administrator (publishing.services.publish) if
none is live, as of the newest date of its approved figures, and starts gunicorn on 127.0.0.1
with production settings (DEBUG=0, deploy/gunicorn.conf.py and its number of workers, the
cache in Redis so the throttle counts across workers). With --url it uses that server as it is.

It then crawls the public site from /public/ and /public/en/ (every page of both languages and
every data file it links to) and lets the visitors loose: each one, with a session of its own,
picks an address (pages 85 %, data files 15 %), GETs it and pauses, as a person reading does; a
share of the requests (--revalidate, 30 %) asks again for an address this visitor has seen,
with If-None-Match of the ETag it got, as a returning browser does once max-age has passed.
Prints requests, requests/s, errors by kind (every status of 400 or more and every refused or
dropped connection), latency p50/p95/p99/max overall, for 200 and for 304, and for pages and
files; exits 1 when the goal is not met.
"""

from __future__ import annotations

import argparse
import collections
import io
import multiprocessing
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/8")
SCALE = int(os.environ.get("BENCH_SCALE", "100"))
PLAN = "zj-ai-2019-2022"
GOAL_P95_MS = 100.0
# A rate no run reaches (start_gunicorn says why).
BENCH_RATE = "100000000/minute"
PAGE_SHARE = 0.85  # the rest of the fresh requests are data files


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200, help="concurrent visitors (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they visit (60)")
    parser.add_argument("--url", help="an existing server's base address (no gunicorn started)")
    # Each visitor reads between requests. Without a pause, N visitors on a closed loop
    # measure only the queue (latency = N / throughput), not the site (see load_bench.py).
    parser.add_argument("--think-min", type=float, default=0.5, help="pause from (0.5 s)")
    parser.add_argument("--think-max", type=float, default=2.0, help="pause up to (2.0 s)")
    parser.add_argument(
        "--revalidate", type=float, default=0.3, help="share of requests with If-None-Match (0.3)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then time one address of each kind in this process (Django's test client)",
    )
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_data() -> None:
    """The benchmark data, built once, and a live edition of the 2019–2022 plan."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT / "bench"))
    from recompute_bench import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Q
    from django.utils import timezone

    from accounts.models import User
    from plans.models import Plan
    from publishing.models import Publication
    from publishing.services import publish
    from targets.models import Measurement
    from zjai.roles import Role

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0, stdout=io.StringIO())
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=SCALE, stdout=io.StringIO())
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    plan = Plan.objects.get(code=PLAN)
    live = Publication.objects.live().filter(plan=plan).order_by("-number").first()
    if live is None:
        newest = Measurement.objects.filter(
            target__plan=plan, state="approved", observed_on__lte=timezone.localdate()
        ).aggregate(day=Max("observed_on"))["day"]
        as_of = newest or timezone.localdate()
        admin = (
            User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True)
            .order_by("pk")
            .first()
        )
        if admin is None:
            raise SystemExit("no administrator to publish with: run seed_demo with its users")
        started = time.perf_counter()
        live = publish(plan=plan, as_of=as_of, acting_user=admin)
        print(
            f"published {PLAN} edition {live.number} as of {as_of} as {admin.username} "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    print(
        f"data: {Measurement.objects.count():,} figures; public edition {live.number} of {PLAN} "
        f"as of {live.as_of}",
        flush=True,
    )


def gunicorn_workers() -> str:
    """The number deploy/gunicorn.conf.py uses (GUNICORN_WORKERS, else 2 × cores + 1)."""
    return os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1))


def start_gunicorn(port: int) -> subprocess.Popen:
    static_root = Path(tempfile.mkdtemp(prefix="zjai-public-static-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "public-bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": str(static_root),
        "STATIC_COMPRESS": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
        # The throttle's counters in Redis, shared by the workers, as in production.
        "CACHE_URL": CACHE_URL,
        # Every visitor comes from 127.0.0.1, so the per-address throttle sees one client
        # making all the requests (some hundred a second); the production rate (600 a minute
        # per address) would answer nearly all of them 429. A rate no run reaches keeps the
        # throttle's work (a Redis count per request) in every request without tripping it.
        "ZJAI_PUBLIC_RATE": BENCH_RATE,
        "GUNICORN_WORKERS": gunicorn_workers(),
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "zjai.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_until_up(base: str) -> None:
    import requests

    # Up to a minute for the workers to start (they import Django on a busy machine).
    ready_by = time.monotonic() + 60
    while time.monotonic() < ready_by:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer /healthz within 60 s")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def crawl(base: str) -> tuple[list[str], list[str], list[str]]:
    """Every public page and data file reachable from /public/ and /public/en/: (pages, files,
    broken links with their status)."""
    import requests

    session = requests.Session()
    host = urlsplit(base).netloc
    queue = collections.deque([f"{base}/public/", f"{base}/public/en/"])
    seen = set(queue)
    pages, files, broken = [], [], []
    while queue:
        url = queue.popleft()
        response = session.get(url, timeout=30)
        if response.status_code != 200:
            broken.append(f"{url} {response.status_code}")
            continue
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            files.append(url)
            continue
        pages.append(url)
        parser = _Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            if parts.netloc != host or not parts.path.startswith("/public/"):
                continue  # the licence, the static files
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages, files, broken


def visitor(
    pages: list[str],
    files: list[str],
    options: argparse.Namespace,
    deadline: float,
    results: list,
    lock: threading.Lock,
    seed: int,
) -> None:
    import requests

    rng = random.Random(seed)
    session = requests.Session()
    etags: dict[str, str] = {}  # what this visitor's browser has kept
    kinds: dict[str, str] = {}
    local = []
    while time.monotonic() < deadline:
        headers = {}
        if etags and rng.random() < options.revalidate:
            url = rng.choice(list(etags))
            headers["If-None-Match"] = etags[url]
            kind = kinds[url]
        elif not files or rng.random() < PAGE_SHARE:
            url, kind = rng.choice(pages), "page"
        else:
            url, kind = rng.choice(files), "file"
        started = time.perf_counter()
        try:
            response = session.get(url, headers=headers, timeout=30)
            status: int | str = response.status_code
            if "ETag" in response.headers:
                etags[url] = response.headers["ETag"]
                kinds[url] = kind
        except requests.RequestException as error:  # refused, dropped, timed out: errors too
            status = type(error).__name__
        local.append((kind, time.perf_counter() - started, status))
        time.sleep(rng.uniform(options.think_min, options.think_max))
    with lock:
        results.extend(local)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of sorted `values`, in ms."""
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def summary(durations: list[float]) -> str:
    if not durations:
        return "none"
    ordered = sorted(durations)
    return (
        f"{len(ordered):,} requests: p50 {percentile(ordered, 50):.0f} ms, "
        f"p95 {percentile(ordered, 95):.0f} ms, p99 {percentile(ordered, 99):.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms"
    )


def kind_of(path: str) -> str:
    """The kind of public address: the page's name in publishing.urls, or a data file."""
    path = re.sub(r"^/public/(en/)?", "", path)
    path = re.sub(r"^[^/]+/editions/\d+/", "PLAN/edition/", path)
    if "/data/" in path and not path.endswith("/data/"):
        return "data file"
    for part, kind in (
        ("/tasks/", "task"),
        ("/targets/", "target"),
        ("/units/", "unit"),
        ("/data/", "data page"),
        ("/editions/", "editions"),
    ):
        if part in path:
            return kind
    return "plan" if path else "portfolio"


def profile(urls: list[str], runs: int = 20) -> None:
    """Server time of one address of each kind, in this process through Django's test client
    (middleware, view, rendering; no network, no gunicorn): median and best of `runs`, and the
    queries of one request; then the same address answered 304."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    # The bench's own rate (start_gunicorn): this process asks more than 600 a minute.
    override_settings(PUBLIC_RATE=BENCH_RATE).enable()
    client = Client()
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # every query the request runs
        queries.append(sql)
        return execute(sql, params, many, context)

    chosen: dict[str, str] = {}
    for url in urls:
        path = urlsplit(url).path
        chosen.setdefault(kind_of(path) + (" (en)" if "/public/en/" in path else ""), path)
    print(f"server time in this process, {runs} requests each (DEBUG=1 settings):")
    for kind, path in sorted(chosen.items()):
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        queries.clear()
        with connection.execute_wrapper(count):
            response = client.get(path)
        etag = response.headers.get("ETag", "")
        revalidated = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(path, headers={"If-None-Match": etag})
            revalidated.append(time.perf_counter() - started)
        print(
            f"  {kind:18s} {response.status_code} {len(response.content):>9,} bytes, "
            f"median {statistics.median(timings) * 1000:6.1f} ms, best {min(timings) * 1000:6.1f} "
            f"ms, {len(queries)} queries; 304 median "
            f"{statistics.median(revalidated) * 1000:.1f} ms   {path}"
        )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    server = None
    if options.url:
        base = options.url.rstrip("/")
        where = f"the server at {base}"
    else:
        prepare_data()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        where = f"gunicorn ({gunicorn_workers()} workers, production settings) on {DATABASE_URL}"
        server = start_gunicorn(port)
    try:
        wait_until_up(base)
        started = time.perf_counter()
        pages, files, broken = crawl(base)
        print(
            f"crawled {len(pages)} pages and {len(files)} data files in "
            f"{time.perf_counter() - started:.1f} s"
            + (f"; broken links: {len(broken)}" if broken else ""),
            flush=True,
        )
        for line in broken[:10]:
            print("  broken:", line)
        if not pages:
            raise SystemExit("no public page found: is an edition published?")
        print(f"load average before: {load_average()}", flush=True)
        results: list = []
        lock = threading.Lock()
        deadline = time.monotonic() + options.seconds
        began = time.monotonic()
        threads = [
            threading.Thread(
                target=visitor,
                args=(pages, files, options, deadline, results, lock, i),
                daemon=True,
            )
            for i in range(options.visitors)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=options.seconds + 120)
        elapsed = time.monotonic() - began
        after = load_average()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    failed = collections.Counter(
        str(status) for _, _, status in results if not (isinstance(status, int) and status < 400)
    )
    errors = sum(failed.values()) + len(broken)
    overall = sorted(duration for _, duration, _ in results)
    p95 = percentile(overall, 95) if overall else float("inf")
    print(
        f"{options.visitors} anonymous visitors for {options.seconds:.0f} s, pausing "
        f"{options.think_min:g}–{options.think_max:g} s between requests, "
        f"{options.revalidate:.0%} of them with If-None-Match, against {where}"
    )
    print(f"load average after: {after}")
    print(
        f"requests: {len(results):,} in {elapsed:.1f} s = {len(results) / elapsed:.1f} req/s; "
        f"errors: {errors}"
        + (
            " (" + ", ".join(f"{kind} × {count}" for kind, count in failed.most_common()) + ")"
            if failed
            else ""
        )
        + (f" and {len(broken)} broken links" if broken else "")
    )
    print(f"latency, all: {summary(overall)}")
    for label, chosen in (
        ("200", lambda kind, status: status == 200),
        ("304", lambda kind, status: status == 304),
        ("pages", lambda kind, status: kind == "page"),
        ("data files", lambda kind, status: kind == "file"),
    ):
        print(f"  {label:10s} {summary([d for k, d, s in results if chosen(k, s)])}")
    if options.profile:
        if options.url:
            prepare_data()  # Django in this process, on DATABASE_URL
        profile(pages + files)
    met = errors == 0 and p95 < GOAL_P95_MS
    print(f"goal: zero errors and p95 < {GOAL_P95_MS:.0f} ms:", "met" if met else "NOT met")
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
