"""Faults, caused for real, and what users and operators see afterwards.

- **A Celery worker killed in the middle of a full recompute**: a real worker, SIGKILLed while
  its recompute is half-way through writing the progress rows; the job is not lost, and once
  it has run again every target has exactly one row for the date. Two ways to die: the whole
  worker (Redis gives the unacknowledged message to the next worker after the visibility
  timeout) and only the pool process running the task (its worker runs it again at once).
- **The PostgreSQL connection dropped during a request**: the backend serving the request is
  terminated (pg_terminate_backend, from a second connection) between two of the request's
  statements; the visitor gets a clean 503 (a page, or the API's JSON error) with Retry-After,
  and nothing the request had written is left.
- **The PostgreSQL connection lost elsewhere**: during an API read, a sign-in (not counted as
  a failed password) and an import (nothing of the file left); under a worker's recompute,
  which is retried on a new connection.
- **Two reviewers approving the same figure at once**: both reach the row lock before either
  has it; one approval, one clear refusal, one audit event.

Nothing is mocked: PostgreSQL, Redis and the worker processes are the real ones. Only our own
test database's connections and our own processes are ever killed.

How a test knows a worker is "in the middle": before queuing the recompute, the test takes the
row lock of one progress row the recompute has to replace, so the recompute blocks inside its
write transaction, after it has written the rows before that one. The test sees it waiting in
pg_stat_activity, kills the process, and only then lets go of the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone, translation

from audit.models import AuditEvent
from enterprises.models import Enterprise
from plans.models import Plan, ResponsibleUnit
from targets import services
from targets.models import Measurement, Progress, RollupProgress, Target
from tests.api.client import ApiClient
from tests.ops.processes import Process
from tests.workers import broker_url, start_worker, wait_for, worker_database_url

AS_OF = dt.date(2022, 6, 30)
RECOMPUTE_WRITE = 'INSERT INTO "targets_progress"'


# --- a second connection to the test database ----------------------------------------------


def raw_connection(*, autocommit: bool = True) -> Any:
    """A psycopg2 connection of the test's own, beside Django's (for locks and kills)."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    conn.autocommit = autocommit
    return conn


def lock_waiters(admin: Any, query_like: str) -> list[int]:
    """Backends of this test database waiting for a lock, running a statement like this."""
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE %s",
            [query_like],
        )
        return [row[0] for row in cur.fetchall()]


def backend_alive(admin: Any, pid: int) -> bool:
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cur.fetchone() is not None


def terminate_backend(admin: Any, pid: int) -> None:
    """End one backend of our test database and wait until PostgreSQL has let it go."""
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cur.fetchone()[0], f"could not terminate backend {pid}"
    wait_for(lambda: not backend_alive(admin, pid), timeout=10, what=f"backend {pid} to end")


class RowLock:
    """Holds `SELECT … FOR UPDATE` on rows from a second connection until release()."""

    def __init__(self, sql: str, params: list[Any]) -> None:
        self.conn = raw_connection(autocommit=False)
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            assert cur.fetchall(), "nothing to lock"

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def admin_connection(transactional_db) -> Iterator[Any]:
    conn = raw_connection()
    yield conn
    conn.close()


# --- 1. a worker killed in the middle of a full recompute ------------------------------------


def unique_indexes() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename IN ('targets_progress', 'targets_rollupprogress')"
        )
        return dict(cur.fetchall())


def broker() -> redis.Redis:
    return redis.Redis.from_url(broker_url())


def unacked_ages() -> list[float]:
    """Seconds since each message still held unacknowledged in Redis was delivered (kombu's
    Redis transport keeps them in the `unacked_index` sorted set, scored by delivery time)."""
    now = time.time()
    return [now - score for _, score in broker().zrange("unacked_index", 0, -1, withscores=True)]


def forget_unacked_messages() -> None:
    """Messages a killed worker of an earlier run left unacknowledged must not be run now."""
    from zjai.celery import app

    broker().delete("unacked", "unacked_index", "unacked_mutex")
    app.control.purge()


@dataclass
class HalfWritten:
    """A full recompute of AS_OF blocked half-way through writing its progress rows."""

    task_id: str
    lock: RowLock
    locked_target: Target
    started: dt.datetime
    admin: Any

    def waiting_backend(self) -> int:
        pids: list[int] = []

        def blocked() -> bool:
            pids[:] = lock_waiters(self.admin, RECOMPUTE_WRITE + "%")
            return len(pids) == 1

        wait_for(blocked, timeout=60, what="the worker's recompute to block writing its rows")
        return pids[0]


@pytest.fixture
def recompute_world(plan, admin_connection) -> dict[str, Any]:
    """Progress rows of an earlier recompute of AS_OF, but only for some targets (as if it had
    been interrupted), and a register that has changed since: the recompute to come must
    replace some rows, add the others and write new values."""
    from targets.services import recompute_progress

    forget_unacked_messages()
    recompute_progress(AS_OF)
    targets = list(Target.objects.order_by("pk"))
    kept = {targets[0].pk, targets[-1].pk}
    Progress.objects.filter(as_of=AS_OF).exclude(target__in=kept).delete()
    assert Progress.objects.filter(as_of=AS_OF).count() == 2
    Enterprise.objects.bulk_create(
        Enterprise(name_zh=f"故障测试企业{i}", city="hangzhou", tier="leading", recognised_on=on)
        for i, on in enumerate([dt.date(2020, 5, 1)] * 7)
    )
    return {"targets": targets, "last": targets[-1]}


def start_half_written_recompute(world: dict[str, Any], admin: Any) -> HalfWritten:
    """Lock the progress row of the last target (the recompute writes in target order, so the
    rows before it are written by then), then queue the full recompute."""
    from targets.tasks import recompute_all

    last = world["last"]
    lock = RowLock(
        "SELECT id FROM targets_progress WHERE target_id = %s AND as_of = %s FOR UPDATE",
        [last.pk, AS_OF],
    )
    started = timezone.now()
    result = recompute_all.delay(AS_OF.isoformat())
    return HalfWritten(result.id, lock, last, started, admin)


def assert_recompute_complete(run: HalfWritten) -> None:
    """What an operator checks after the crash: every target has its row for the date, exactly
    once, written by the run that completed; the roll-ups likewise; one recompute event."""
    indexes = unique_indexes()
    for name in (
        "progress_once_per_target_and_date",
        "rollup_once_per_plan_and_date",
        "rollup_once_per_item_and_date",
        "rollup_once_per_unit_and_date",
    ):
        assert name in indexes and "UNIQUE" in indexes[name], f"missing unique index {name}"

    rows = Progress.objects.filter(as_of=AS_OF)
    assert rows.count() == Target.objects.count() == 15
    assert set(rows.values_list("target_id", flat=True)) == set(
        Target.objects.values_list("pk", flat=True)
    )
    assert not rows.values("target_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not rows.filter(computed_at__lt=run.started).exists(), "rows left from before"
    assert rows.get(target__code="ent-leading").current_value == 7

    rollups = RollupProgress.objects.filter(as_of=AS_OF)
    assert rollups.filter(scope="plan").count() == 1
    assert not rollups.filter(computed_at__lt=run.started).exists()
    for scope, key in (("item", "item_id"), ("unit", "unit_id")):
        of_scope = rollups.filter(scope=scope)
        assert of_scope.exists()
        assert of_scope.count() == of_scope.values(key).distinct().count(), scope

    # The killed run wrote nothing (its transaction was rolled back): one recompute event.
    events = AuditEvent.objects.filter(action="recompute", occurred_at__gte=run.started)
    assert events.count() == Plan.objects.count() == 1
    assert events.get().after["scope"] == "all"
    assert events.get().after["targets"] == 15


@pytest.mark.worker
@pytest.mark.slow
def test_a_killed_worker_s_recompute_runs_again_on_the_next_worker_and_completes(
    recompute_world, admin_connection, monkeypatch
):
    # A short visibility timeout (production: 900 s, settings.CELERY_BROKER_TRANSPORT_OPTIONS),
    # so that the next worker takes the message over within the test.
    visibility = 2
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(visibility))
    first = start_worker("doomed")
    second = None
    run = start_half_written_recompute(recompute_world, admin_connection)
    try:
        orphan = run.waiting_backend()
        assert f"recompute_all[{run.task_id}] received" in first.log.read_text()

        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        assert first.proc.returncode == -signal.SIGKILL
        # The task was never acknowledged: Redis still holds its message.
        assert len(unacked_ages()) == 1
        # Nothing of the half-done recompute is visible: only the two rows from before.
        assert Progress.objects.filter(as_of=AS_OF).count() == 2

        # The killed worker's database session still waits for the lock; once the lock is
        # free, it finds its client gone and PostgreSQL rolls its transaction back.
        run.lock.release()
        wait_for(
            lambda: not backend_alive(admin_connection, orphan),
            timeout=15,
            what="PostgreSQL to end the killed worker's session",
        )
        assert Progress.objects.filter(as_of=AS_OF).count() == 2

        # A worker (re)starting takes over messages unacknowledged for longer than the
        # visibility timeout; wait until this one is, so that the restart finds it.
        wait_for(
            lambda: min(unacked_ages(), default=0) > visibility + 0.5,
            timeout=visibility + 10,
            what="the unacknowledged message to pass the visibility timeout",
        )
        second = start_worker("successor")
        wait_for(
            lambda: f"recompute_all[{run.task_id}] succeeded" in second.log.read_text(),
            timeout=60,
            what="the next worker to run the killed worker's recompute",
        )
    finally:
        run.lock.release()
        first.stop()
        if second is not None:
            second.stop()

    assert_recompute_complete(run)
    assert unacked_ages() == []  # acknowledged at last


def pool_children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a prefork worker's pool processes)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …; comm may contain spaces, so split after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


@pytest.mark.worker
@pytest.mark.slow
def test_a_killed_pool_process_s_recompute_is_run_again_by_its_worker(
    recompute_world, admin_connection
):
    from targets.tasks import RETRY_DELAY

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zjai.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url(),
    }
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)  # the production default: this is not the path
    worker = Process(
        "worker-prefork",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zjai",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--hostname=prefork@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
    )
    run = None
    try:
        worker.wait_for_output("ready.")
        run = start_half_written_recompute(recompute_world, admin_connection)
        orphan = run.waiting_backend()
        (child,) = pool_children(worker.proc.pid)
        os.kill(child, signal.SIGKILL)
        wait_for(
            lambda: "WorkerLostError" in worker.output(),
            timeout=20,
            what="the worker to notice its pool process died",
        )
        run.lock.release()
        wait_for(
            lambda: not backend_alive(admin_connection, orphan),
            timeout=15,
            what="PostgreSQL to end the killed process's session",
        )
        # Same worker, same task id, run again after RETRY_DELAY seconds (not after the
        # 15-minute visibility timeout).
        wait_for(
            lambda: f"recompute_all[{run.task_id}] succeeded" in worker.output(),
            timeout=RETRY_DELAY + 30,
            what="the worker to run the recompute again",
        )
        assert f"recompute_all[{run.task_id}] retry" in worker.output()
        assert worker.proc.poll() is None  # the worker itself lived on
    finally:
        if run is not None:
            run.lock.release()
        worker.stop()

    assert_recompute_complete(run)
    assert unacked_ages() == []


@pytest.mark.worker
@pytest.mark.slow
def test_a_recompute_that_loses_its_database_connection_is_retried_and_completes(
    recompute_world, admin_connection
):
    """PostgreSQL drops the worker's connection half-way through the recompute (a restart, a
    failover): the task fails with OperationalError, is retried after a short backoff on a
    new connection (`autoretry_for=DatabaseError`), and completes; the worker lives on."""
    worker = start_worker("db-loss")
    run = start_half_written_recompute(recompute_world, admin_connection)
    try:
        terminate_backend(admin_connection, run.waiting_backend())
        run.lock.release()
        wait_for(
            lambda: f"recompute_all[{run.task_id}] succeeded" in worker.log.read_text(),
            timeout=60,
            what="the worker to run the recompute again",
        )
        log = worker.log.read_text()
        assert f"recompute_all[{run.task_id}] retry" in log
        assert "OperationalError" in log
        assert worker.proc.poll() is None
    finally:
        run.lock.release()
        worker.stop()
    assert_recompute_complete(run)


# --- 2. the PostgreSQL connection dropped during a request -----------------------------------


@dataclass
class Drop:
    """Where to drop the request's connection: just before the first statement starting with
    `before`, once a statement starting with `after` (if given) has run."""

    before: str
    after: str | None = None
    seen_after: bool = False
    fired: bool = False
    statements: list[str] = field(default_factory=list)


@contextmanager
def connection_dropped(drop: Drop) -> Iterator[Drop]:
    """Terminate the backend of Django's connection at one point of the request, from a second
    connection, as a PostgreSQL restart or failover would. Runs the request in this thread
    (the test client), so the connection is Django's `connection` here."""
    admin = raw_connection()

    def wrapper(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        text = sql.lstrip()
        drop.statements.append(text[:80])
        if (
            not drop.fired
            and text.startswith(drop.before)
            and (drop.after is None or drop.seen_after)
        ):
            drop.fired = True
            terminate_backend(admin, context["connection"].connection.get_backend_pid())
        if drop.after is not None and text.startswith(drop.after):
            drop.seen_after = True
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield drop
    finally:
        admin.close()
        # The test's own connection was the one dropped: let Django open a new one.
        connection.close()
    assert drop.fired, f"the connection was never dropped; statements: {drop.statements}"


def assert_clean_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Request-ID"]


@pytest.fixture
def people(plan, make_user) -> dict[str, Any]:
    econ = ResponsibleUnit.objects.get(code="econ-it")
    return {
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "reviewer2": make_user("reviewer2", "reviewer", econ),
    }


def submitted_figure(staff: Any, value: str = "130000") -> Measurement:
    robots = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=robots, value=value, observed_on=dt.date(2022, 6, 30), acting_user=staff
    )
    return services.submit_measurement(figure, acting_user=staff)


def events_of(figure_pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="targets.measurement", object_id=str(figure_pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_while_reporting_and_submitting_a_figure_leaves_nothing(people, caplog):
    """The browser form "save and submit" writes the figure, then submits it. The connection
    drops between the two: the visitor sees the 503 page in Chinese, and there is neither a
    figure nor a draft left behind (a retry would otherwise make a second one)."""
    client = Client()
    client.force_login(people["staff"])
    form = {"value": "130000", "observed_on": "2022-06-30", "note": "统计局季报", "submit": "1"}
    events_before = AuditEvent.objects.count()
    drop = Drop(before='UPDATE "targets_measurement"')  # the submit, after the figure's INSERT
    with caplog.at_level(logging.ERROR, logger="zjai.faults"), connection_dropped(drop):
        response = client.post("/plans/zj-ai-2019-2022/targets/robots-in-service/report/", form)

    assert_clean_503(response)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="zh-hans"' in page
    assert "暂时无法使用" in page and "数据库" in page
    assert response["X-Request-ID"] in page  # the reference to quote
    assert response["X-Frame-Options"] == "DENY"  # still through the security middleware
    assert not Measurement.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert any(
        "database unavailable: POST /plans/zj-ai-2019-2022/targets/robots-in-service/report/"
        in r.getMessage()
        for r in caplog.records
    ), caplog.text

    # The database is back (only the connection was lost): the same form now works, once.
    again = client.post("/plans/zj-ai-2019-2022/targets/robots-in-service/report/", form)
    assert again.status_code == 302
    figure = Measurement.objects.get()
    assert figure.state == "submitted"
    assert events_of(figure.pk) == ["create", "submit"]


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_while_loading_the_session_gives_the_503_page_in_english(people):
    """Before any view runs, the signed-in user's session is read: a connection lost there
    still gives the 503 page (not Django's 500), in the language the visitor chose."""
    client = Client(raise_request_exception=False)
    client.force_login(people["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with connection_dropped(Drop(before='SELECT "django_session"')):
        response = client.get("/targets/")
    assert_clean_503(response)
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "Temporarily unavailable" in page
    assert "cannot reach its database" in page
    assert "Content-Security-Policy" in response.headers
    assert client.get("/targets/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_while_saving_the_session_gives_the_503_page(people):
    """After the page is built, the session is saved on the way out (every request renews
    it): Django reports a connection lost there as an interrupted session (400); zjai.faults
    answers the 503 page instead."""
    client = Client(raise_request_exception=False)
    client.force_login(people["staff"])
    with connection_dropped(Drop(before='UPDATE "django_session"')):
        response = client.get("/targets/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "暂时无法使用" in response.content.decode() or "Temporarily" in response.content.decode()
    assert client.get("/targets/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_during_an_api_approval_answers_503_and_changes_nothing(people, caplog):
    """The approval has changed the figure's row and is writing its audit event when the
    connection drops: the API answers 503 in its error shape (as the schema documents), the
    figure is still submitted at the same version, and the same request then succeeds."""
    from accounts.services import create_api_token

    figure = submitted_figure(people["staff"])
    reviewer = people["reviewer"]
    key = create_api_token(owner=reviewer, name="faults", acting_user=reviewer)[1]
    api = ApiClient(HTTP_ACCEPT_LANGUAGE="en").use_token(key)
    url = f"/api/v1/measurements/{figure.pk}/"
    etag = api.get(url)["ETag"]

    with (
        caplog.at_level(logging.ERROR, logger="zjai.faults"),
        connection_dropped(
            Drop(before='INSERT INTO "audit_auditevent"', after='UPDATE "targets_measurement"')
        ),
    ):
        response = api.post(
            f"{url}approve/", {"comment": "核对无误"}, format="json", HTTP_IF_MATCH=etag
        )

    assert_clean_503(response)
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "service_unavailable"
    assert body["detail"] == (
        "The service cannot reach its database just now. Try again in a minute."
    )
    assert body["request_id"] == response["X-Request-ID"]
    assert "database unavailable: POST" in caplog.text
    figure.refresh_from_db()
    assert figure.state == "submitted"
    assert figure.reviewed_by is None
    assert f'"{figure.version}"' == etag
    assert events_of(figure.pk) == ["create", "submit"]
    assert Target.objects.get(code="robots-in-service").dirty_since is None

    retry = api.post(f"{url}approve/", {"comment": "核对无误"}, format="json", HTTP_IF_MATCH=etag)
    assert retry.status_code == 200
    assert retry.json()["state"] == "approved"
    assert events_of(figure.pk) == ["create", "submit", "approve"]


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_during_an_api_read_answers_503_and_the_next_read_answers(people):
    from accounts.services import create_api_token

    staff = people["staff"]
    key = create_api_token(owner=staff, name="faults", acting_user=staff)[1]
    api = ApiClient(HTTP_ACCEPT_LANGUAGE="en").use_token(key)
    with connection_dropped(Drop(before='SELECT "targets_target"')):
        response = api.get("/api/v1/targets/")
    assert_clean_503(response)
    assert response.json()["code"] == "service_unavailable"
    again = api.get("/api/v1/targets/")
    assert again.status_code == 200
    assert again.json()["count"] == Target.objects.count()


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_during_a_sign_in_gives_the_503_page_and_locks_nobody(people):
    """Signing in reads the user: with the database gone the visitor gets the 503 page, the
    attempt is not counted as a failed password, and the same form then signs in."""
    from axes.models import AccessAttempt

    client = Client(raise_request_exception=False)
    form = {"username": "staff", "password": "pw-Test-12345"}
    with connection_dropped(Drop(before='SELECT "accounts_user"')):
        response = client.post("/accounts/login/", form)
    assert_clean_503(response)
    assert "暂时无法使用" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    again = client.post("/accounts/login/", form)
    assert again.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_during_an_import_gives_the_503_page_and_imports_nothing(people):
    """The connection drops after the import's first row was written: the whole file is one
    transaction, so nothing of it is left; sent again, it is imported once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web import credit_code

    def upload() -> SimpleUploadedFile:
        rows = (
            "名称（中文）,统一社会信用代码,城市,领域,等级,认定日期,状态\n"
            f"断线甲公司,{credit_code(81)},杭州,,,,有效\n"
            f"断线乙公司,{credit_code(82)},宁波,,,,有效\n"
        )
        return SimpleUploadedFile("import.csv", ("\ufeff" + rows).encode(), "text/csv")

    client = Client(raise_request_exception=False)
    client.force_login(people["staff"])
    events_before = AuditEvent.objects.count()
    # The first INSERT is the first row's; the connection drops at the next one.
    with connection_dropped(Drop(before="INSERT INTO", after="INSERT INTO")):
        response = client.post("/enterprises/import/", {"file": upload()})
    assert_clean_503(response)
    assert not Enterprise.objects.filter(name_zh__startswith="断线").exists()
    assert AuditEvent.objects.count() == events_before

    again = client.post("/enterprises/import/", {"file": upload()})
    assert again.status_code == 302
    assert Enterprise.objects.filter(name_zh__startswith="断线").count() == 2


# --- 3. two reviewers approving the same figure at once ---------------------------------------


def race_for_the_row(figure_pk: int, attempts: list[Callable[[], Any]], admin: Any) -> list[Any]:
    """Run the attempts in threads (each with its own database connection) so that all of them
    are waiting for the figure's row lock before any can have it, then let them go."""
    lock = RowLock("SELECT id FROM targets_measurement WHERE id = %s FOR UPDATE", [figure_pk])
    results: list[Any] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            with translation.override("en"):
                results[index] = attempts[index]()
        except Exception as exc:  # the refusal, compared below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    try:
        for thread in threads:
            thread.start()
        wait_for(
            # (pg_stat_activity keeps the first 1 kB of a statement: its FROM is cut off)
            lambda: len(lock_waiters(admin, 'SELECT "targets_measurement".%')) == len(attempts),
            timeout=20,
            what="both approvals to wait for the figure's row lock",
        )
    finally:
        lock.release()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_through_the_service(people, admin_connection):
    figure = submitted_figure(people["staff"])
    reviewers = [people["reviewer"], people["reviewer2"]]

    def approve(reviewer: Any) -> Callable[[], Measurement]:
        return lambda: services.approve_measurement(
            Measurement.objects.get(pk=figure.pk), acting_user=reviewer, comment="核对无误"
        )

    results = race_for_the_row(figure.pk, [approve(r) for r in reviewers], admin_connection)

    approved = [r for r in results if isinstance(r, Measurement)]
    refused = [r for r in results if isinstance(r, services.ConflictError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert str(refused[0]) == "Only a submitted figure can be reviewed; this one is approved."
    winner = reviewers[results.index(approved[0])]
    figure.refresh_from_db()
    assert figure.state == "approved"
    assert figure.reviewed_by == winner
    assert figure.version == 3  # create 1, submit 2, one approval 3
    approvals = AuditEvent.objects.filter(
        action="approve", object_type="targets.measurement", object_id=str(figure.pk)
    )
    assert approvals.count() == 1
    assert approvals.get().actor == winner


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_through_the_api(people, admin_connection):
    from accounts.services import create_api_token

    figure = submitted_figure(people["staff"])
    reviewers = [people["reviewer"], people["reviewer2"]]
    keys = [create_api_token(owner=r, name="race", acting_user=r)[1] for r in reviewers]
    url = f"/api/v1/measurements/{figure.pk}/"
    etag = ApiClient().use_token(keys[0]).get(url)["ETag"]
    assert etag == '"2"'

    def approve(key: str) -> Callable[[], Any]:
        client = ApiClient(HTTP_ACCEPT_LANGUAGE="en").use_token(key)
        return lambda: client.post(
            f"{url}approve/", {"comment": "核对无误"}, format="json", HTTP_IF_MATCH=etag
        )

    results = race_for_the_row(figure.pk, [approve(k) for k in keys], admin_connection)

    for result in results:
        assert not isinstance(result, Exception), result
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    refusal = results[1 - winner]
    assert refusal.json()["code"] == "precondition_failed"
    assert "changed by someone else" in refusal.json()["detail"]
    assert refusal["ETag"] == '"3"'
    # Re-reading, the other reviewer finds it approved, and a second approval is refused.
    other = ApiClient(HTTP_ACCEPT_LANGUAGE="en").use_token(keys[1 - winner])
    fresh = other.get(url)
    assert fresh.json()["state"] == "approved"
    second = other.post(
        f"{url}approve/", {"comment": "核对无误"}, format="json", HTTP_IF_MATCH=fresh["ETag"]
    )
    assert second.status_code == 409
    assert second.json()["detail"] == (
        "Only a submitted figure can be reviewed; this one is approved."
    )
    figure.refresh_from_db()
    assert figure.reviewed_by == reviewers[winner]
    assert figure.value == Decimal("130000")
    approvals = AuditEvent.objects.filter(
        action="approve", object_type="targets.measurement", object_id=str(figure.pk)
    )
    assert list(approvals.values_list("actor", flat=True)) == [reviewers[winner].pk]
