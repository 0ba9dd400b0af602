"""The deployment as real processes: gunicorn, a Celery worker and Celery beat on loopback,
against PostgreSQL and Redis. A reviewer signs in over HTTP, approves a figure through the API,
and the progress changes; then everything is stopped."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import requests
from django.contrib.auth.hashers import make_password

from plans.models import ResponsibleUnit
from targets import services
from targets.models import Progress, Target
from tests.ops.processes import ROOT, celery_beat, celery_worker, free_port, gunicorn, sign_in
from tests.ops.processes import production_env as make_env
from tests.workers import wait_for
from zjai.dates import today

pytestmark = [pytest.mark.worker, pytest.mark.slow]


@pytest.fixture
def deployment(transactional_db, tmp_path):
    static_root = tmp_path / "static"
    env = make_env(static_root)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collected.returncode == 0, collected.stderr
    from zjai.celery import app

    app.control.purge()
    port = free_port()
    processes = [
        gunicorn(env, port),
        celery_worker(env),
        celery_beat(env, tmp_path / "celerybeat-schedule"),
    ]
    try:
        processes[0].wait_for_output("Booting worker")
        processes[1].wait_for_output("ready.")
        processes[2].wait_for_output("beat: Starting")
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{base}/healthz"), timeout=30, what="gunicorn to answer")
        yield base, processes
    finally:
        for process in processes:
            process.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_sign_in_approve_through_the_api_and_see_progress_change(
    plan, make_user, deployment, settings
):
    base, processes = deployment
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff", "staff", econ)
    reviewer = make_user("reviewer", "reviewer", econ)
    # The processes use the production password hashers, not the test suite's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    reviewer.password = make_password("Reviewer-pass-2022!")
    reviewer.save(update_fields=["password"])
    robots = Target.objects.get(code="robots-in-service")
    figure = services.submit_measurement(
        services.create_measurement(
            target=robots, value="152000", observed_on=dt.date(2022, 12, 31), acting_user=staff
        ),
        acting_user=staff,
    )
    assert not Progress.objects.filter(target=robots).exists()

    session = sign_in(base, "reviewer", "Reviewer-pass-2022!")
    assert session.get(f"{base}/", timeout=10).status_code == 200
    detail = session.get(f"{base}/api/v1/measurements/{figure.pk}/", timeout=10)
    assert detail.status_code == 200
    approve = session.post(
        f"{base}/api/v1/measurements/{figure.pk}/approve/",
        json={"comment": "核对无误"},
        headers={
            "If-Match": detail.headers["ETag"],
            "X-CSRFToken": session.cookies["csrftoken"],
            "Referer": f"{base}/",
        },
        timeout=10,
    )
    assert approve.status_code == 200, approve.text
    assert approve.json()["state"] == "approved"

    wait_for(
        lambda: Progress.objects.filter(target=robots, as_of=today()).exists(),
        timeout=60,
        what="the worker to recompute after the approval",
    )
    assert Progress.objects.get(target=robots, as_of=today()).status == "achieved"
    status = session.get(f"{base}/api/v1/targets/robots-in-service/", timeout=10).json()
    assert status["progress"]["status"] == "achieved"
    assert "targets.tasks.recompute_targets" in processes[1].output()
    assert processes[2].proc.poll() is None  # beat is running its schedule
