"""/healthz answers the load balancer: 503 only when the database cannot be reached; a broker or
cache that is down is named ("degraded") but keeps the host in service, since every host
shares them and the site works without them (docs/operations.md, "What works when a part is
down")."""

import pytest
from django.test import Client

from tests.ops.test_faults import Drop, connection_dropped

NOTHING_LISTENS = "redis://127.0.0.1:1/0"  # port 1: connection refused at once


@pytest.mark.django_db
def test_healthy_without_signing_in(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "eager (no broker configured)")
    assert body["cache"] == "ok"


@pytest.mark.django_db
def test_an_unreachable_broker_is_named_but_keeps_the_host_in_service(settings):
    settings.CELERY_BROKER_URL = NOTHING_LISTENS
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "OperationalError"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_an_unreachable_cache_is_named_but_keeps_the_host_in_service(settings):
    settings.CACHES = {
        "default": {"BACKEND": "zjai.cache.FailSoftRedisCache", "LOCATION": NOTHING_LISTENS}
    }
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_makes_it_unavailable():
    with connection_dropped(Drop(before="SELECT 1")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "OperationalError"


@pytest.mark.django_db
def test_only_get():
    assert Client().post("/healthz").status_code == 405
