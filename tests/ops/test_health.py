"""/healthz answers the load balancer: 200 when the database and broker answer, else 503."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthy_without_signing_in(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "eager (no broker configured)")


@pytest.mark.django_db
def test_an_unreachable_broker_makes_it_unavailable(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_only_get():
    assert Client().post("/healthz").status_code == 405
