"""recompute_progress against a real broker (finding 8 of issue 12).

The documented setup has a broker (Redis) and no result backend. The command used to read the
queued task's state back, which without a result backend raises AttributeError
('DisabledBackend'), so it crashed after queuing the first date of --history. Now it queues
every date, prints each task id and exits 0; it waits only with --wait, which needs a result
backend. Each test has a Redis of its own (tests.workers.private_broker), so the messages it
finds there are the ones the command queued.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
from io import StringIO

import pytest
import redis
from celery.backends.base import DisabledBackend
from django.core.management import CommandError, call_command

from targets.models import Progress
from tests.ops.processes import ROOT, celery_worker, free_port, production_env
from tests.workers import PrivateRedis, start_worker, wait_for, worker_database_url
from zjai.celery import app

QUEUED = re.compile(r"^Queued recompute as of (\d{4}-\d\d-\d\d): task ([0-9a-f-]{36})$", re.M)


def queued_messages(broker: PrivateRedis) -> list[tuple[str, str, list[str]]]:
    """(task name, task id, arguments) of each message waiting in the default queue."""
    messages = []
    for raw in redis.Redis.from_url(broker.url).lrange("celery", 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        messages.append((message["headers"]["task"], message["headers"]["id"], args))
    return sorted(messages, key=lambda m: m[2])


def run(*args: str) -> str:
    out = StringIO()
    call_command("recompute_progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.worker
def test_with_a_broker_and_no_result_backend_it_queues_and_names_the_task(plan, private_broker):
    assert isinstance(app.backend, DisabledBackend)  # the documented setup
    output = run("--as-of", "2021-06-30")
    ((day, task_id),) = QUEUED.findall(output)
    assert day == "2021-06-30"
    assert queued_messages(private_broker) == [
        ("targets.tasks.recompute_all", task_id, ["2021-06-30"])
    ]
    assert not Progress.objects.exists()  # queued, not computed here


@pytest.mark.worker
@pytest.mark.slow
def test_history_queues_every_quarter_end_and_a_worker_computes_them(
    plan, private_broker, transactional_db, tmp_path
):
    output = run("--as-of", "2020-02-15", "--history")
    days = ["2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31", "2020-02-15"]
    reported = QUEUED.findall(output)
    assert [day for day, _ in reported] == days
    assert "Queued 5 recomputes." in output
    assert queued_messages(private_broker) == [
        ("targets.tasks.recompute_all", task_id, [day]) for day, task_id in reported
    ]

    # (tests.workers.start_worker would purge the queue first: this worker takes what is there)
    worker = celery_worker(production_env(tmp_path / "static"), name="history")
    try:
        worker.wait_for_output("ready.")
        wait_for(
            lambda: Progress.objects.values("as_of").distinct().count() == len(days),
            timeout=90,
            what="the worker to compute every queued date",
        )
    finally:
        worker.stop()
    assert sorted(set(Progress.objects.values_list("as_of", flat=True))) == [
        dt.date.fromisoformat(day) for day in days
    ]
    assert Progress.objects.filter(as_of=dt.date(2020, 2, 15)).count() == 15


@pytest.mark.worker
def test_wait_without_a_result_backend_is_refused_before_anything_is_queued(plan, private_broker):
    with pytest.raises(CommandError, match=r"^--wait needs a result backend"):
        run("--as-of", "2021-06-30", "--wait")
    assert queued_messages(private_broker) == []


@pytest.mark.worker
def test_with_the_broker_down_it_says_so_in_one_line_and_sync_still_works(plan, private_broker):
    private_broker.stop()
    try:
        with pytest.raises(CommandError) as refused:
            run("--as-of", "2021-06-30")
        message = str(refused.value)
        assert message.startswith(
            "Could not queue the recompute as of 2021-06-30: the broker cannot be reached ("
        )
        assert message.endswith("Run again once it is back, or compute here with --sync.")
        assert "\n" not in message
        assert "Recomputed 15 targets as of 2021-06-30" in run("--as-of", "2021-06-30", "--sync")
    finally:
        private_broker.start()


@pytest.mark.worker
@pytest.mark.slow
def test_wait_with_a_result_backend_prints_each_summary(
    plan, private_broker, transactional_db, monkeypatch
):
    """A deployment that does keep results (CELERY_RESULT_BACKEND) can wait for them: the
    command and the worker are separate processes, as in production."""
    backend = private_broker.url.removesuffix("/0") + "/1"
    monkeypatch.setenv("CELERY_RESULT_BACKEND", backend)  # for the worker, and the command
    worker = start_worker("results")
    try:
        command = ["recompute_progress", "--as-of", "2021-06-30", "--wait", "--timeout", "90"]
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "zjai.settings",
                "DATABASE_URL": worker_database_url(),
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        worker.stop()
    assert result.returncode == 0, result.stderr
    assert QUEUED.search(result.stdout)
    assert "Recomputed 15 targets as of 2021-06-30: " in result.stdout
    assert Progress.objects.filter(as_of=dt.date(2021, 6, 30)).count() == 15


def test_with_the_database_unreachable_it_says_so_in_one_line():
    """Nothing listens where DATABASE_URL points (PostgreSQL down): one line, exit 1."""
    result = subprocess.run(
        [sys.executable, "manage.py", "recompute_progress", "--sync"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zjai.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/zjai",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: The database cannot be reached: ")
