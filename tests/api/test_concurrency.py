"""Two clients change the same figure at the same time with the same If-Match.

Each client runs in its own thread with its own database connection, on committed data, and
both send their PATCH at once (a barrier releases them together). The service locks the row
and compares the version inside the lock, so exactly one wins (200) and the other gets 412
with the current ETag and changes nothing; the loser then re-reads and re-applies its change,
and both changes are there at the end: nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_clerks(plan: Any, make_user: Any) -> dict[str, Any]:
    from accounts.services import create_api_token
    from plans.models import ResponsibleUnit

    unit = ResponsibleUnit.objects.get(code="econ-it")
    clerks = {}
    for name in ("alice", "bob"):
        user = make_user(name, "staff", unit)
        clerks[name] = create_api_token(owner=user, name="race", acting_user=user)[1]
    clerks["alice_user"] = unit.users.get(username="alice")
    return clerks


def draft(owner: Any) -> int:
    from targets import services
    from targets.models import Target

    figure = services.create_measurement(
        target=Target.objects.get(code="robots-in-service"),
        value="120000",
        observed_on=dt.date(2021, 6, 30),
        acting_user=owner,
    )
    return figure.pk


def race(key_a: str, key_b: str, url: str, etag: str, bodies: list[dict]) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int, key: str) -> None:
        try:
            client = ApiClient().use_token(key)
            barrier.wait(timeout=10)
            results[index] = client.patch(url, bodies[index], format="json", HTTP_IF_MATCH=etag)
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, k)) for i, k in enumerate((key_a, key_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_of_two_simultaneous_updates_wins_and_nothing_is_lost(
    two_clerks: dict[str, Any], round_: int
) -> None:
    from audit.models import AuditEvent
    from targets.models import Measurement

    pk = draft(two_clerks["alice_user"])
    url = f"/api/v1/measurements/{pk}/"
    etag = ApiClient().use_token(two_clerks["alice"]).get(url)["ETag"]
    assert etag == '"1"'

    changes = [{"value": "125000"}, {"note": "按统计局口径"}]
    results = race(two_clerks["alice"], two_clerks["bob"], url, etag, changes)
    for result in results:
        assert not isinstance(result, Exception), result
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 412]

    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    loser = 1 - winner
    refused = results[loser]
    assert refused.json()["code"] == "precondition_failed"
    assert refused["ETag"] == '"2"'  # the current version, to re-read
    figure = Measurement.objects.get(pk=pk)
    assert figure.version == 2
    # The loser's change was not applied…
    loser_field, loser_value = next(iter(changes[loser].items()))
    assert str(getattr(figure, loser_field)) != loser_value

    # …so it re-reads and sends it again with the new ETag: now both changes are there.
    client = ApiClient().use_token((two_clerks["alice"], two_clerks["bob"])[loser])
    fresh = client.get(url)
    retry = client.patch(url, changes[loser], format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert retry.status_code == 200
    figure.refresh_from_db()
    assert figure.version == 3
    assert str(figure.value) == "125000.0000"
    assert figure.note == "按统计局口径"
    updates = AuditEvent.objects.filter(
        object_type="targets.measurement", object_id=str(pk), action="update"
    )
    assert updates.count() == 2
