"""Start zjai's real processes (gunicorn, Celery worker, Celery beat) on loopback for a test."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.workers import artifact, broker_url, worker_database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    """DEBUG off, as in production, but plain HTTP on loopback (no TLS proxy in a test)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zjai.settings",
        "DEBUG": "0",
        "SECRET_KEY": "process-test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url(),
        "STATIC_ROOT": str(static_root),
        "STATIC_COMPRESS": "0",
        **extra,
    }


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str]):
        self.name = name
        self.log = artifact(f"process-{name}.log")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not print {text!r}:\n{self.output()[-3000:]}")

    def stop(self, sig: int | None = None) -> None:
        if self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def gunicorn(env: dict[str, str], port: int, workers: int = 2) -> Process:
    return Process(
        "gunicorn",
        [
            str(BIN / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "zjai.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env,
    )


def sign_in(base: str, username: str, password: str) -> requests.Session:
    """Sign in through the login form, as a browser does (CSRF cookie, then the form)."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf(page.text)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def csrf(page: str) -> str:
    """The CSRF token of a page's form."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None, "no form with a CSRF token on the page"
    return match.group(1)


def collect_static(env: dict[str, str]) -> None:
    """collectstatic into env's STATIC_ROOT: production pages need the hashed names' manifest."""
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collected.returncode == 0, collected.stderr


def answers(url: str) -> bool:
    """Whether something answers HTTP at url (any status). A worker still booting may accept the
    connection and answer late: a timeout means "not yet", like a refused connection."""
    try:
        requests.get(url, timeout=2)
    except (requests.ConnectionError, requests.Timeout):
        return False
    return True


def web(env: dict[str, str], workers: int = 1) -> tuple[str, Process]:
    """gunicorn on a free loopback port with these settings, once it answers: (base URL, it).
    One worker by default, so that a test knows which process (and connection) answers."""
    collect_static(env)
    port = free_port()
    process = gunicorn(env, port, workers=workers)
    base = f"http://127.0.0.1:{port}"
    try:
        process.wait_for_output("Booting worker")
        deadline = time.monotonic() + 30
        while not answers(f"{base}/healthz"):
            if time.monotonic() > deadline or process.proc.poll() is not None:
                raise RuntimeError(f"gunicorn does not answer:\n{process.output()[-3000:]}")
            time.sleep(0.2)
    except BaseException:
        process.stop()
        raise
    return base, process


def celery_worker(env: dict[str, str], name: str = "process") -> Process:
    return Process(
        f"worker-{name}",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zjai",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
    )


def celery_beat(env: dict[str, str], schedule: Path) -> Process:
    return Process(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zjai",
            "beat",
            "--loglevel=INFO",
            f"--schedule={schedule}",
        ],
        env,
    )
