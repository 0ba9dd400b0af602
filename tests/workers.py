"""A real Celery worker process for tests marked `worker`.

It runs `celery -A zjai worker` against the same Redis broker as the test process and against
the *test* database (pytest-django's test_… database), so a test that commits data and queues a
task sees the worker change the database, with nothing mocked.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def artifact(name: str) -> Path:
    """A file of test-artifacts/ for this process alone: under pytest-xdist, `name` gets the
    xdist process's id (celery-worker-test-gw0.log), so two processes never share a log."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = Path(name)
    if worker:
        path = path.with_stem(f"{path.stem}-{worker}")
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / path


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("worker tests need PostgreSQL (make test sets DATABASE_URL)")
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{connection.settings_dict['NAME']}"


def broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        pytest.skip("worker tests need a broker (make test sets CELERY_BROKER_URL)")
    return url


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_worker(name: str = "test", *, pool: str = "solo") -> Worker:
    """A worker process; `pool="prefork"` (one child) where a test needs what only that pool
    does, such as enforcing a task's time limits."""
    from zjai.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url(),
        "DJANGO_SETTINGS_MODULE": "zjai.settings",
    }
    log = artifact(f"celery-worker-{name}.log")
    # Messages left over from an earlier run would be consumed against the wrong data.
    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zjai",
            "worker",
            f"--pool={pool}",
            *(["--concurrency=1"] if pool == "prefork" else []),
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = Worker(proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{log.read_text()[-3000:]}")
        if "ready." in log.read_text():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise RuntimeError(f"celery worker did not start in 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[Worker]:
    """A running worker for the duration of one test (data must be committed: transactional_db)."""
    worker = start_worker()
    yield worker
    worker.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A Redis server of one test's own, on a free loopback port, that the test may stop and
    start again: the shared one on 6379 serves the other tests, in this process and others."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.fail("redis-server is not installed (scripts/ensure-services installs Redis)")
        args = [server, "--bind", "127.0.0.1", "--port", str(self.port)]
        args += ["--save", "", "--appendonly", "no", "--dir", str(ARTIFACTS)]  # memory only
        ARTIFACTS.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what=f"Redis on port {self.port} to start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        wait_for(lambda: not self.answers(), timeout=10, what=f"Redis on {self.port} to stop")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_broker(settings) -> Iterator[PrivateRedis]:
    """This test's Celery broker is a Redis server of its own (PrivateRedis), for the tasks it
    queues and the workers it starts."""
    from zjai.celery import app

    redis = PrivateRedis()
    redis.start()
    settings.CELERY_BROKER_URL = redis.url  # what start_worker gives the worker
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("CELERY_BROKER_URL", redis.url)
            _forget_broker_connections(app)
            yield redis
    finally:
        _forget_broker_connections(app)
        redis.stop()


def _forget_broker_connections(app) -> None:
    """The next message opens a connection to the broker configured now, as Celery does in a
    forked process (Celery._after_fork)."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    """Poll until `condition()` is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
