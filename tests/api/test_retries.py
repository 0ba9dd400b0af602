"""Retries that never duplicate, and a 503 that says "nothing was changed" only when it is so.

Finding 5 of issue 12: while database connections were being killed, answers "503, nothing was
changed" had in fact been stored, and a client that retried made a duplicate. Here the
connection of a real API write is lost at chosen points, on committed data (no test
transaction around it):

- during the write, before the COMMIT (pg_terminate_backend from a second connection, at a
  chosen statement, as tests/ops/test_faults.py does): 503 `service_unavailable`, nothing
  stored, and a retry with the same Idempotency-Key makes the change once;
- during the COMMIT, through a proxy that loses it (tests/api/pgproxy.py): not forwarded → the
  true 503; forwarded and committed but the reply lost → the committed answer (201), or, when
  the database cannot be asked afterwards, 503 `change_not_confirmed`, never "nothing was
  changed"; either way a retry with the same key returns the committed result and makes no
  second figure;
- after the COMMIT, while the session is saved on the way out: the committed answer;
- and two requests with one key at once: the second is told (409) the first is still running.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.api.client import ApiClient
from tests.api.pgproxy import PostgresProxy
from tests.ops.test_faults import (
    Drop,
    RowLock,
    connection_dropped,
    lock_waiters,
    raw_connection,
    terminate_backend,
)
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FIGURE = {
    "target": "robots-in-service",
    "value": "121000",
    "observed_on": "2022-03-31",
    "note": "省统计局一季度快报",
}
KEY_INSERT = 'INSERT INTO "accounts_idempotencykey"'


@pytest.fixture
def staff(plan: Any, make_user: Any) -> dict[str, Any]:
    from accounts.services import create_api_token
    from plans.models import ResponsibleUnit

    unit = ResponsibleUnit.objects.get(code="econ-it")
    user = make_user("staff", "staff", unit)
    reviewer = make_user("reviewer", "reviewer", unit)
    return {
        "user": user,
        "key": create_api_token(owner=user, name="retries", acting_user=user)[1],
        "reviewer": reviewer,
        "reviewer_key": create_api_token(owner=reviewer, name="retries", acting_user=reviewer)[1],
    }


def figures() -> int:
    from targets.models import Measurement

    return Measurement.objects.count()


def kept_keys() -> int:
    from accounts.models import IdempotencyKey

    return IdempotencyKey.objects.count()


def post_figure(token: str, key: str) -> Any:
    return (
        ApiClient(HTTP_ACCEPT_LANGUAGE="en")
        .use_token(token)
        .post("/api/v1/measurements/", FIGURE, format="json", HTTP_IDEMPOTENCY_KEY=key)
    )


def assert_503(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["code"] == code
    return body


@contextmanager
def through_proxy() -> Iterator[PostgresProxy]:
    """Django's connection goes through a PostgresProxy for the duration."""
    db = connection.settings_dict
    saved = (db["HOST"], db["PORT"])
    proxy = PostgresProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    connection.close()
    db["HOST"], db["PORT"] = "127.0.0.1", proxy.port
    try:
        yield proxy
    finally:
        connection.close()
        db["HOST"], db["PORT"] = saved
        proxy.close()


@contextmanager
def terminated_after(statement: str) -> Iterator[None]:
    """Terminate the request's backend right after a statement starting with `statement` has
    run: the transaction is then idle, waiting for its COMMIT, when the connection goes."""
    admin = raw_connection()
    fired = []

    def wrapper(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        result = execute(sql, params, many, context)
        if not fired and sql.lstrip().startswith(statement):
            fired.append(sql)
            terminate_backend(admin, context["connection"].connection.get_backend_pid())
        return result

    try:
        with connection.execute_wrapper(wrapper):
            yield
    finally:
        admin.close()
        connection.close()
    assert fired, f"no statement starting with {statement}"


# --- before the COMMIT ------------------------------------------------------------------------


def test_connection_lost_before_the_commit_stores_nothing_and_the_retry_creates_one_figure(
    staff: dict[str, Any], caplog: Any
) -> None:
    key = str(uuid.uuid4())
    with (
        caplog.at_level(logging.ERROR, logger="zjai.faults"),
        connection_dropped(Drop(before=KEY_INSERT)),
    ):
        response = post_figure(staff["key"], key)
    body = assert_503(response, "service_unavailable")
    assert "cannot reach its database" in body["detail"]
    assert figures() == 0 and kept_keys() == 0

    retry = post_figure(staff["key"], key)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert figures() == 1 and kept_keys() == 1
    again = post_figure(staff["key"], key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == retry.json()
    assert figures() == 1


def test_connection_killed_while_the_commit_is_awaited_is_a_true_503(
    staff: dict[str, Any], caplog: Any
) -> None:
    """Every statement has run, the key is written, the backend is killed before COMMIT: the
    COMMIT fails, the database says the transaction aborted, and the 503 says so."""
    key = str(uuid.uuid4())
    with (
        caplog.at_level(logging.ERROR, logger="zjai.faults"),
        terminated_after("SELECT pg_current_xact_id_if_assigned()"),
    ):
        response = post_figure(staff["key"], key)
    assert_503(response, "service_unavailable")
    assert "did not commit" in caplog.text
    assert figures() == 0 and kept_keys() == 0
    assert post_figure(staff["key"], key).status_code == 201
    assert figures() == 1


# --- during the COMMIT ------------------------------------------------------------------------


def test_a_commit_that_never_reached_the_database_is_a_true_503(staff: dict[str, Any]) -> None:
    key = str(uuid.uuid4())
    with through_proxy() as proxy:
        proxy.lose_commit()
        response = post_figure(staff["key"], key)
        assert proxy.fired.is_set()
    assert_503(response, "service_unavailable")
    assert figures() == 0 and kept_keys() == 0


def test_a_commit_whose_reply_was_lost_answers_with_the_committed_figure(
    staff: dict[str, Any], caplog: Any
) -> None:
    key = str(uuid.uuid4())
    with caplog.at_level(logging.ERROR, logger="zjai.faults"), through_proxy() as proxy:
        proxy.lose_commit_reply()
        response = post_figure(staff["key"], key)
        assert proxy.fired.is_set()
    assert response.status_code == 201, response.content
    assert "committed: answered with its result" in caplog.text
    assert figures() == 1
    assert response.json()["value"] == "121000.0000"

    retry = post_figure(staff["key"], key)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == response.json()
    assert figures() == 1


def test_a_commit_whose_outcome_cannot_be_learnt_is_not_called_nothing_changed(
    staff: dict[str, Any],
) -> None:
    """The reply to the COMMIT is lost and the database cannot be reached to ask: the answer
    says the change may have been saved, and the retry with the same key returns it."""
    key = str(uuid.uuid4())
    with through_proxy() as proxy:
        proxy.lose_commit_reply(then_refuse=True)
        response = post_figure(staff["key"], key)
        assert proxy.fired.is_set()
        proxy.refuse_new_connections = False
    body = assert_503(response, "change_not_confirmed")
    assert "may have been saved" in body["detail"]
    assert "Idempotency-Key" in body["detail"]
    assert figures() == 1  # it was saved, as the answer allowed

    retry = post_figure(staff["key"], key)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert figures() == 1


def test_an_approval_whose_commit_reply_was_lost_is_approved_once(
    staff: dict[str, Any],
) -> None:
    from audit.models import AuditEvent
    from targets import services
    from targets.models import Measurement, Target

    figure = services.create_measurement(
        target=Target.objects.get(code="robots-in-service"),
        value="130000",
        observed_on=FIGURE["observed_on"],
        acting_user=staff["user"],
    )
    figure = services.submit_measurement(figure, acting_user=staff["user"])
    api = ApiClient().use_token(staff["reviewer_key"])
    url = f"/api/v1/measurements/{figure.pk}/approve/"
    etag = f'"{figure.version}"'
    key = str(uuid.uuid4())
    with through_proxy() as proxy:
        proxy.lose_commit_reply(then_refuse=True)
        response = api.post(
            url, {"comment": "ok"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=key
        )
        proxy.refuse_new_connections = False
    assert_503(response, "change_not_confirmed")
    retry = api.post(
        url, {"comment": "ok"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=key
    )
    assert retry.status_code == 200 and retry.json()["state"] == "approved"
    assert Measurement.objects.get(pk=figure.pk).state == "approved"
    approvals = AuditEvent.objects.filter(action="approve", object_id=str(figure.pk))
    assert approvals.count() == 1


# --- after the COMMIT -------------------------------------------------------------------------


def test_connection_lost_after_the_commit_answers_with_the_committed_result(
    staff: dict[str, Any],
) -> None:
    """A browser session using the API: the figure is committed, then the session is saved on
    the way out and the connection drops. The client gets its 201, not "nothing changed"."""
    client = Client(raise_request_exception=False)
    client.force_login(staff["user"])
    with connection_dropped(Drop(before='UPDATE "django_session"')):
        response = client.post(
            "/api/v1/measurements/",
            FIGURE,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="session-1",
        )
    assert response.status_code == 201, response.content
    assert figures() == 1 and kept_keys() == 1


# --- one key, two requests at once -------------------------------------------------------------


def test_the_same_key_while_the_first_request_runs_is_409(staff: dict[str, Any]) -> None:
    from audit.models import AuditEvent
    from targets import services
    from targets.models import Target

    figure = services.create_measurement(
        target=Target.objects.get(code="robots-in-service"),
        value="130000",
        observed_on=FIGURE["observed_on"],
        acting_user=staff["user"],
    )
    figure = services.submit_measurement(figure, acting_user=staff["user"])
    url = f"/api/v1/measurements/{figure.pk}/approve/"
    headers = {"HTTP_IF_MATCH": f'"{figure.version}"', "HTTP_IDEMPOTENCY_KEY": "approve-1"}
    admin = raw_connection()
    # The first approval waits for the figure's row, held by a second connection.
    lock = RowLock("SELECT id FROM targets_measurement WHERE id = %s FOR UPDATE", [figure.pk])
    results: list[Any] = []

    def first() -> None:
        try:
            api = ApiClient().use_token(staff["reviewer_key"])
            results.append(api.post(url, {"comment": "ok"}, format="json", **headers))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        wait_for(
            lambda: bool(lock_waiters(admin, "%targets_measurement%")),
            timeout=10,
            what="the first approval to wait for the row",
        )
        api = ApiClient().use_token(staff["reviewer_key"])
        second = api.post(url, {"comment": "ok"}, format="json", **headers)
        assert second.status_code == 409
        assert second.json()["code"] == "idempotency_key_in_use"
        assert second["Retry-After"] == "1"
    finally:
        lock.release()
        thread.join(timeout=30)
        admin.close()
    assert results and not isinstance(results[0], Exception), results
    assert results[0].status_code == 200

    third = api.post(url, {"comment": "ok"}, format="json", **headers)
    assert third.status_code == 200 and third["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action="approve", object_id=str(figure.pk)).count() == 1
