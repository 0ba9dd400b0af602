"""Import bombs: how long each is to be refused, and whether the site answers meanwhile.

    .venv/bin/python bench/import_bombs.py       # DATABASE_URL defaults to …/zjai_bench_imports

Issue 12 (finding 3): a 5 KB XLSX declaring the dimension A1:XFD1048576 with one cell in row
1,048,576 ran until gunicorn killed the worker (500), and three at once made /healthz take
32 s; a 120 KB CSV with 60,000 unknown header columns took 25 s.

1. In this process, without a database: each bomb of tests/registers/bombs.py through what
   the import page does first with an upload (registers.imports.needs_background_job: the
   file's kind, size and unpacked size, then its rows read within their limits), timed, with
   the message the uploader sees.
2. Over HTTP: gunicorn with production settings (DEBUG=0, 2 workers, its 30 s timeout) on
   PostgreSQL; a staff user posts each bomb three times at once to the enterprise import
   page while another client asks /healthz every 0.1 s. Prints each answer's status and
   time, and /healthz's slowest answer during the bombs.

Goal: every bomb refused (400) in well under a second, /healthz never slower than 1 s.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zjai_bench_imports"
)
PASSWORD = "Bomb-bench-password-2026!"
AT_ONCE = 3
ENTERPRISE = (["name_zh", "city"], ["好企业", "杭州"])


def billion_laughs() -> bytes:
    """Entities nested ten deep in the sheet's XML (Python's expat stops the expansion)."""
    from tests.registers import bombs

    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>'
    sheet = bombs.sheet_xml(bombs.row_xml(1, ENTERPRISE[0]) + row)
    return bombs.xlsx(sheet.replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet"))


def bomb_files() -> dict[str, tuple[str, bytes]]:
    from tests.registers import bombs

    header, row = ENTERPRISE
    return {
        "XLSX A1:XFD1048576, row 1,048,576": ("bomb.xlsx", bombs.dimension_bomb(header, row)),
        "XLSX row 10^12": ("far.xlsx", bombs.row_beyond_the_sheet(header, row)),
        "XLSX header to column XFD": ("wide.xlsx", bombs.header_to_the_last_column(header)),
        "XLSX 1 GB zip part": ("zip.xlsx", bombs.zip_bomb(header, row, unpacked=1 << 30)),
        "XLSX billion laughs": ("laughs.xlsx", billion_laughs()),
        "CSV 60,000 header columns": ("wide.csv", bombs.csv_wide_header(60_000)),
        "CSV 1 MB cell": ("cell.csv", bombs.csv_long_cell("name_zh,city", 1_000_000)),
        "CSV 2 million blank lines, a bad row": (
            "blank.csv",
            bombs.csv_blank_lines("name_zh,city", "好企业,巴黎", 2_000_000),
        ),
    }


def in_process(files: dict[str, tuple[str, bytes]]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registers.imports import ImportFileError, needs_background_job

    print("1. Refused in-process (registers.imports.needs_background_job), best of 3:")
    for label, (name, content) in files.items():
        timings, outcome = [], ""
        for _ in range(3):
            started = time.perf_counter()
            try:
                background = needs_background_job(SimpleUploadedFile(name, content))
                outcome = "read: rows to check in a job" if background else "read: rows to check"
            except ImportFileError as exc:
                outcome = str(exc)
            timings.append(time.perf_counter() - started)
        print(f"   {label:36} {len(content):>9,} B  {min(timings) * 1000:7.1f} ms  {outcome[:70]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> str:
    """Create and migrate the bench database, load the plan (its units) and a staff user."""
    import psycopg2
    from psycopg2 import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "1"}
    env.pop("CELERY_BROKER_URL", None)
    for command in (["migrate", "--no-input", "-v", "0"], ["load_action_plan"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import ensure_role_groups
    from plans.models import ResponsibleUnit

    ensure_role_groups()
    user, created = User.objects.get_or_create(
        username="bomb-bench", defaults={"unit": ResponsibleUnit.objects.get(code="econ-it")}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name="staff"))
    return user.username


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


def upload(session, base: str, name: str, content: bytes) -> tuple[int, float]:
    page = session.get(f"{base}/enterprises/import/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.perf_counter()
    response = session.post(
        f"{base}/enterprises/import/",
        data={"csrfmiddlewaretoken": token},
        files={"file": (name, content)},
        headers={"Referer": f"{base}/enterprises/import/"},
        timeout=120,
        allow_redirects=False,
    )
    return response.status_code, time.perf_counter() - started


def over_http(files: dict[str, tuple[str, bytes]], username: str) -> None:
    import requests

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static_root = Path(tempfile.mkdtemp(prefix="zjai-bombs-static-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bomb-bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": str(static_root),
        "STATIC_COMPRESS": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = static_root / "gunicorn.log"  # each refusal logs a warning: kept out of the figures
    server = subprocess.Popen(
        [
            *(str(gunicorn), "-c", "deploy/gunicorn.conf.py", "zjai.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "/dev/null"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        ready_by = time.monotonic() + 60
        while time.monotonic() < ready_by:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not answer /healthz within 60 s (see {log})")
        sessions = []
        for _ in range(AT_ONCE):
            session = requests.Session()
            sign_in(session, base, username)
            sessions.append(session)
        print(f"\n2. Over HTTP: gunicorn, 2 workers; each bomb posted {AT_ONCE} times at once:")
        for label, (name, content) in files.items():
            posts = [partial(upload, session, base, name, content) for session in sessions]
            answers = at_once(posts, base)
            statuses = ",".join(str(status) for status, _ in answers["posts"])
            slowest = max(seconds for _, seconds in answers["posts"])
            health = answers["health"]
            print(
                f"   {label:36} [{statuses}] slowest {slowest * 1000:7.0f} ms;"
                f" /healthz {len(health)} answers, all 200: "
                f"{all(status == 200 for status, _ in health)}, median "
                f"{statistics.median(t for _, t in health) * 1000:5.0f} ms, slowest "
                f"{max(t for _, t in health) * 1000:5.0f} ms"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def at_once(posts: list[Callable[[], tuple[int, float]]], base: str) -> dict[str, list]:
    """Run the posts in threads while /healthz is asked every 0.1 s until they are done."""
    import requests

    results: dict[str, list] = {"posts": [], "health": []}
    lock = threading.Lock()

    def post(call: Callable[[], tuple[int, float]]) -> None:
        answer = call()
        with lock:
            results["posts"].append(answer)

    threads = [threading.Thread(target=post, args=(call,)) for call in posts]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads) or not results["health"]:
        started = time.perf_counter()
        try:
            status = requests.get(f"{base}/healthz", timeout=60).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        results["health"].append((status, time.perf_counter() - started))
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    files = bomb_files()
    in_process(files)
    over_http(files, prepare_database())


if __name__ == "__main__":
    main()
