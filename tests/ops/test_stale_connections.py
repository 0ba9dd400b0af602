"""A kept database connection that PostgreSQL has dropped is replaced, not failed on (finding 7
of issue 12).

With CONN_MAX_AGE > 0 (docs/operations.md recommends 60) each gunicorn worker keeps its
connection between requests. When the database drops idle connections (a restart, a failover,
an idle timeout, an operator's pg_terminate_backend) the next request on each worker used to
meet the dead connection and answer 503 although the database was fine. CONN_HEALTH_CHECKS
tests a kept connection before a request reuses it.

This needs a real server: Django's test client does not close or check connections between
requests, and pytest-django's live server closes every connection after each request. So it is
gunicorn, with production settings and one worker, against the test database; its connection
is found by the application name its DATABASE_URL gives it.
"""

from __future__ import annotations

import pytest
import requests

from accounts.services import create_api_token
from plans.models import ResponsibleUnit
from tests.ops.processes import production_env, web
from tests.ops.test_faults import raw_connection, terminate_backend
from tests.workers import worker_database_url

pytestmark = [pytest.mark.slow]

APPLICATION = "zjai-stale-connection-test"


def web_backends(admin) -> list[int]:
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s ORDER BY pid",
            [APPLICATION],
        )
        return [row[0] for row in cur.fetchall()]


def test_the_first_request_after_idle_connections_were_killed_answers_200(
    plan, make_user, transactional_db, tmp_path
):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    user = make_user("reader", "staff", econ)
    key = create_api_token(owner=user, name="stale", acting_user=user)[1]
    env = production_env(
        tmp_path / "static",
        DATABASE_URL=f"{worker_database_url()}?application_name={APPLICATION}",
        CONN_MAX_AGE="60",
    )
    admin = raw_connection()
    base, gunicorn = web(env)
    try:
        api = requests.Session()
        api.headers["Authorization"] = f"Token {key}"

        def read() -> int:
            return api.get(f"{base}/api/v1/targets/", timeout=15).status_code

        assert read() == 200
        (kept,) = web_backends(admin)
        assert read() == 200
        assert web_backends(admin) == [kept], "the worker did not keep its connection"

        terminate_backend(admin, kept)  # the connection is idle, between two requests
        assert web_backends(admin) == []

        assert read() == 200
        (fresh,) = web_backends(admin)
        assert fresh != kept
        assert "database unavailable" not in gunicorn.output()
    finally:
        gunicorn.stop()
        admin.close()
