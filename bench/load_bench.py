"""Load: 50 concurrent users for 60 s against gunicorn on PostgreSQL at the benchmark scale.

    .venv/bin/python bench/load_bench.py            # DATABASE_URL defaults to …/zjai_bench

Uses the database prepared by bench/recompute_bench.py (100,000 enterprises, 100,000 projects,
1,000,000 measurements). Starts gunicorn on 127.0.0.1 (loopback only) with production settings
(DEBUG=0), signs in users over HTTP, then runs a bounded mix — dashboard, target pages, API reads,
figure submissions — and prints requests/s, p50/p95/p99 latency and the error count.
Goal: zero errors, p95 under 300 ms on a 2-core machine.
"""

from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench")
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = os.environ.get("LOAD_GUNICORN_WORKERS", "5")
# Each user pauses between requests, as a person reading a page (or a department's sync job
# pacing itself) does: uniformly from THINK_MIN to THINK_MAX seconds. Without pauses, 50 users
# on a closed loop measure only the queue (latency = users / throughput), not the site.
THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", "0.5"))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", "2.0"))
PASSWORD = "Load-test-password-2026!"
TARGET_CODES: list[str] = []  # filled from the database before the users start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_users() -> tuple[list[str], list[str]]:
    """Load-test accounts (staff of econ-it, who report robot figures) and API tokens."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    os.environ.setdefault("DEBUG", "1")  # the development settings (DEBUG is off unless set)
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import create_api_token, ensure_role_groups
    from plans.models import ResponsibleUnit

    ensure_role_groups()
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = Group.objects.get(name="staff")
    names, keys = [], []
    for i in range(USERS):
        user, created = User.objects.get_or_create(
            username=f"load{i:02d}", defaults={"unit": econ, "is_demo": True}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(staff)
        names.append(user.username)
        keys.append(create_api_token(owner=user, name="load bench", acting_user=user)[1])
    from targets.models import Target

    TARGET_CODES.extend(Target.objects.order_by("code").values_list("code", flat=True))
    return names, keys


def sign_in(session, base: str, username: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {username} failed: {response.status_code}")


def signed_in_sessions(base: str, names: list[str], keys: list[str]) -> list[tuple]:
    """A browser session (signed in over HTTP) and an API session per user, made before the
    clock starts: 50 sign-ins hash 50 passwords, which is not what the mix measures."""
    import requests

    sessions = []
    for username, key in zip(names, keys, strict=True):
        browser = requests.Session()
        sign_in(browser, base, username)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {key}"
        sessions.append((browser, api))
    return sessions


def user_loop(base, browser, api, deadline, results, lock, seed):
    rng = random.Random(seed)
    actions = [
        ("dashboard", 30, lambda: browser.get(f"{base}/", timeout=30)),
        # Any of the plan's targets, as readers move between them (four carry 240,000 figures).
        (
            "target page",
            20,
            lambda: browser.get(
                f"{base}/plans/zj-ai-2019-2022/targets/{rng.choice(TARGET_CODES)}/", timeout=30
            ),
        ),
        ("api targets", 20, lambda: api.get(f"{base}/api/v1/targets/", timeout=30)),
        (
            "api enterprises",
            15,
            lambda: api.get(
                f"{base}/api/v1/enterprises/?limit=50&offset={rng.randrange(0, 99_000)}",
                timeout=30,
            ),
        ),
        (
            "report figure",
            15,
            lambda: api.post(
                f"{base}/api/v1/measurements/",
                json={
                    "target": "robots-in-service",
                    "value": str(rng.randrange(90_000, 150_000)),
                    "observed_on": "2022-06-30",
                    "note": "load test",
                },
                timeout=30,
            ),
        ),
    ]
    weights = [weight for _, weight, _ in actions]
    local = []
    while time.monotonic() < deadline:
        name, _, call = rng.choices(actions, weights)[0]
        started = time.perf_counter()
        try:
            status = call().status_code
        except Exception as error:  # a refused or dropped connection is an error too
            status = type(error).__name__
        local.append((name, time.perf_counter() - started, status))
        time.sleep(rng.uniform(THINK_MIN, THINK_MAX))
    with lock:
        results.extend(local)


def main() -> None:
    names, keys = prepare_users()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static_root = Path(tempfile.mkdtemp(prefix="zjai-load-static-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "load-bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": str(static_root),
        "STATIC_COMPRESS": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # The production rates (1,200 a minute per user, writes fewer) stay as they are: the
        # mix keeps each user well below them, and a 429 would count as an error.
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "zjai.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            WORKERS,
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import requests

        # Up to a minute for the workers to start (they import Django on a busy machine).
        ready_by = time.monotonic() + 60
        while time.monotonic() < ready_by:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not answer /healthz within 60 s")
        sessions = signed_in_sessions(base, names, keys)
        results, lock = [], threading.Lock()
        deadline = time.monotonic() + SECONDS
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=user_loop,
                args=(base, browser, api, deadline, results, lock, i),
                daemon=True,
            )
            for i, (browser, api) in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = sorted(duration for _, duration, _ in results)
    failed = [status for _, _, status in results if not (isinstance(status, int) and status < 400)]
    errors = len(failed)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    print(
        f"{USERS} users for {SECONDS:.0f} s, pausing {THINK_MIN:g}–{THINK_MAX:g} s between "
        f"requests, against gunicorn ({WORKERS} workers) on PostgreSQL"
    )
    print(
        f"requests: {len(results):,} in {elapsed:.1f} s = {len(results) / elapsed:.1f} req/s; "
        f"errors: {errors}"
        + (f" ({', '.join(sorted({str(s) for s in failed}))})" if failed else "")
    )
    print(
        f"latency: p50 {pct(50):.0f} ms, p95 {pct(95):.0f} ms, p99 {pct(99):.0f} ms "
        f"(mean {statistics.mean(latencies) * 1000:.0f} ms)"
    )
    for name in sorted({n for n, _, _ in results}):
        own = sorted(d for n, d, _ in results if n == name)
        print(
            f"  {name:16s} {len(own):6d} requests, p95 "
            f"{own[min(len(own) - 1, int(0.95 * len(own)))] * 1000:.0f} ms"
        )
    print(
        "goal: zero errors and p95 < 300 ms:", "met" if errors == 0 and pct(95) < 300 else "NOT met"
    )


if __name__ == "__main__":
    main()
