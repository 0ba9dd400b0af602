"""Benchmark: requests per second of the REST API under gunicorn, next to a bare Django view.

    .venv/bin/python bench/api_bench.py    # DATABASE_URL defaults to …/zjai_bench

Uses the database bench/recompute_bench.py prepares (seed_demo --scale 100: 100,000
enterprises, 100,000 projects, 1,000,000 figures), preparing it the same way if it is missing
(once, several minutes). Then it starts gunicorn on 127.0.0.1 (loopback only) with the bench-
only bare view mounted (ZJAI_BENCH_VIEWS=1: /api/bench/constant/ returns a constant JSON body
through the same middleware), and for each URL runs a bounded loop: BENCH_REQUESTS requests
spread over BENCH_CLIENTS client processes, each opening a connection per request as gunicorn's
sync workers expect, after a warm-up. The best of BENCH_ROUNDS rounds is printed per URL with
its median and 99th-percentile latency and its share of the bare view's rate.

Goal: a page of GET /api/v1/enterprises/ at 25 % or more of the bare view (issue 5). The
targets list's goal of 50 % is retired (issue 11: correctness and plain code first, e.g. the
token looked up through the ORM); its share is still printed. The API requests carry a real
token (looked up, logged, throttled: the rates are raised so the bench measures work, not
refusals).
Not a test: the figures depend on the machine; the server, clients and PostgreSQL share it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
os.environ.pop("CELERY_BROKER_URL", None)

SCALE = int(os.environ.get("BENCH_SCALE", "100"))
HOST = "127.0.0.1"  # loopback only: nothing here may leave the machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT", "0")) or free_port()
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP = 200
TIME_LIMIT = 120.0  # seconds per round at most, whatever the counts say
BARE = "/api/bench/constant/"
TARGETS = "/api/v1/targets/"
ENTERPRISES = "/api/v1/enterprises/?limit=50"
ENTERPRISES_DEEP = "/api/v1/enterprises/?limit=50&offset=50000"
# Every request a page not read before (offsets spread over the register): no cached page.
ENTERPRISES_COLD = "/api/v1/enterprises/?limit=50&offset={offset}"
# Pages of 50 over 100,000 enterprises: 2,000 distinct pages in all, so fewer cold requests.
COLD_REQUESTS = 500
LOG = ROOT / "test-artifacts" / "api-bench-gunicorn.log"
SERVER_ENV = {
    "DEBUG": "0",  # as in production: no query log
    "SECRET_KEY": "api-benchmark-only-" + "k" * 48,
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "ALLOWED_HOSTS": HOST,
    "CONN_MAX_AGE": "60",  # persistent database connections, as production should run
    "ZJAI_BENCH_VIEWS": "1",
    "ZJAI_API_RATE": "100000000/minute",
    "ZJAI_API_WRITE_RATE": "100000000/minute",
    "LOG_LEVEL": "INFO",  # the token-use log line is part of what an API request costs
}


def prepare() -> tuple[str, int]:
    """The bench database, its progress, and a token for a staff user of econ-it."""
    from recompute_bench import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from accounts.services import create_api_token, ensure_role_groups
    from plans.models import ResponsibleUnit
    from targets.models import Measurement, Progress
    from targets.services import recompute_progress

    call_command("migrate", verbosity=0)
    call_command("load_action_plan", verbosity=0)
    if Measurement.objects.filter(is_demo=True).count() < 10_000 * SCALE:
        print(f"seeding scale {SCALE} (once) …", flush=True)
        call_command("seed_demo", scale=SCALE)
        with connection.cursor() as cur:
            # VACUUM too: the visibility map lets list pages and counts use index-only scans,
            # as autovacuum would have allowed by the time a real register got this big.
            cur.execute("VACUUM ANALYZE")
    if not Progress.objects.exists():
        recompute_progress()
    ensure_role_groups()
    user, _ = User.objects.get_or_create(
        username="bench-api", defaults={"unit": ResponsibleUnit.objects.get(code="econ-it")}
    )
    user.groups.add(Group.objects.get(name="staff"))
    token, key = create_api_token(owner=user, name="api bench", acting_user=user)
    return key, token.pk


def revoke(token_id: int) -> None:
    from accounts.models import ApiToken
    from accounts.services import revoke_api_token

    token = ApiToken.objects.select_related("user").get(pk=token_id)
    revoke_api_token(token, acting_user=token.user)


def start_server() -> subprocess.Popen:
    LOG.parent.mkdir(exist_ok=True)
    env = {**os.environ, **SERVER_ENV}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "zjai.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
        ],
        cwd=ROOT,
        env=env,
        stdout=LOG.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{LOG.read_text()[-3000:]}")
        try:
            if request(BARE, "")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer in 60 s:\n{LOG.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def request(path: str, key: str) -> tuple[int, bytes]:
    """One GET over a fresh connection (HTTP/1.1, Connection: close), the whole body read."""
    auth = f"Authorization: Token {key}\r\n" if key else ""
    head = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n"
        f"{auth}Connection: close\r\n\r\n"
    )
    with socket.create_connection((HOST, PORT), timeout=30) as conn:
        conn.sendall(head.encode())
        chunks = []
        while data := conn.recv(65536):
            chunks.append(data)
    raw = b"".join(chunks)
    return int(raw[9:12]), raw.partition(b"\r\n\r\n")[2]


def client(
    path: str, key: str, count: int, start: float, first: int, out: multiprocessing.Queue
) -> None:
    """One client process: `count` requests one after another, from `start` on. A path with
    {offset} asks for page `first`, then the next ones (every request a different page)."""
    while time.time() < start:
        time.sleep(0.0005)
    latencies, failures = [], 0
    for index in range(count):
        url = path.format(offset=((first + index) * 50) % 100_000) if "{" in path else path
        began = time.perf_counter()
        status, _body = request(url, key)
        latencies.append(time.perf_counter() - began)
        failures += status != 200
        if time.time() - start > TIME_LIMIT:
            break
    out.put((latencies, failures))


def run(path: str, key: str, total: int, first_page: int = 0) -> dict[str, float]:
    """`total` requests from CLIENTS processes at once; rate over the whole wall time."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start = time.time() + 0.5
    share = total // CLIENTS
    procs = [
        ctx.Process(target=client, args=(path, key, share, start, first_page + i * share, out))
        for i in range(CLIENTS)
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    elapsed = time.time() - start
    for proc in procs:
        proc.join()
    latencies = sorted(lat for lats, _ in results for lat in lats)
    failures = sum(f for _, f in results)
    if failures:
        raise RuntimeError(f"{failures} of {len(latencies)} requests to {path} were not 200")
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "n": len(latencies),
    }


def main() -> None:
    key, token_id = prepare()
    from enterprises.models import Enterprise

    print(
        f"data: {Enterprise.objects.count():,} enterprises; gunicorn {WORKERS} sync workers on "
        f"{HOST}:{PORT}; {CLIENTS} client processes; {REQUESTS} requests per URL per round, "
        f"best of {ROUNDS}; {os.cpu_count()} CPUs shared by server, clients and PostgreSQL",
        flush=True,
    )
    server = start_server()
    try:
        urls = [
            (BARE, ""),
            (TARGETS, key),
            (ENTERPRISES, key),
            (ENTERPRISES_DEEP, key),
            (ENTERPRISES_COLD, key),
        ]
        for path, token in urls:
            status, body = request(path.format(offset=0), token)
            assert status == 200, (path, status, body[:300])
            if path != ENTERPRISES_COLD:
                run(path, token, WARMUP)
        best: dict[str, dict[str, float]] = {}
        pages_read = 1  # page 0 was read above; each cold request reads a page not read before
        for _ in range(ROUNDS):
            for path, token in urls:
                cold = path == ENTERPRISES_COLD
                total = min(REQUESTS, COLD_REQUESTS) if cold else REQUESTS
                result = run(path, token, total, first_page=pages_read if cold else 0)
                pages_read += total if cold else 0
                if result["rps"] > best.get(path, {"rps": 0})["rps"]:
                    best[path] = result
    finally:
        stop_server(server)
        revoke(token_id)

    bare = best[BARE]["rps"]
    goals = {ENTERPRISES: 25, ENTERPRISES_DEEP: 25, ENTERPRISES_COLD: 25}
    print(f"{'URL':62} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of bare':>8}  goal")
    for path, _token in urls:
        r = best[path]
        share = r["rps"] / bare * 100
        goal = goals.get(path)
        verdict = f"≥ {goal} %: {'met' if share >= goal else 'NOT met'}" if goal else ""
        label = f"GET {path}" + (" (bare Django view)" if path == BARE else "")
        label = label.replace("{offset}", "<new page each>")
        print(
            f"{label:48} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {share:7.0f}%  {verdict}"
        )


if __name__ == "__main__":
    main()
