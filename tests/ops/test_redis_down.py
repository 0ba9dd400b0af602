"""Redis down, for real: the cache's Redis (CACHE_URL) or the broker's (CELERY_BROKER_URL) is a
server of the test's own, stopped while gunicorn serves requests with production settings.
Nothing a request needs lives in Redis, so pages, sign-ins, API reads and writes and imports
all answer, and nothing is lost (docs/operations.md, "What works when a part is down").

The shared Redis on 6379 is never touched: each test starts its own (tests.workers.PrivateRedis).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import redis
import requests
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

from accounts.services import create_api_token
from audit.models import AuditEvent
from enterprises.models import Enterprise
from plans.models import ResponsibleUnit
from reports.models import Export
from targets.models import Measurement, Target
from tests.ops.processes import Process, csrf, production_env, sign_in, web
from tests.web import credit_code
from tests.workers import PrivateRedis, wait_for

pytestmark = [pytest.mark.slow]

PASSWORD = "Ops-faults-pass-2022!"
FIGURE_TARGET = "robots-in-service"  # reported, led by econ-it


@pytest.fixture
def people(plan, make_user, settings) -> dict[str, Any]:
    """Staff, a reviewer and an auditor of econ-it, with production password hashes (gunicorn
    checks them with the production hashers, not the suite's fast one) and API tokens."""
    econ = ResponsibleUnit.objects.get(code="econ-it")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    people: dict[str, Any] = {}
    for name, role in (("staff", "staff"), ("reviewer", "reviewer"), ("auditor", "auditor")):
        user = make_user(name, role, econ)
        user.password = make_password(PASSWORD)
        user.save(update_fields=["password"])
        people[name] = user
        people[f"{name}_key"] = create_api_token(owner=user, name="ops", acting_user=user)[1]
    return people


class Api:
    """API requests to one server with one user's token (and a timeout, always)."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {key}", "Accept-Language": "en"})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=15, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.base}{path}", json=body, timeout=15, **kwargs)


def report_figure(client: Api, value: str) -> requests.Response:
    body = {"target": FIGURE_TARGET, "value": value, "observed_on": "2022-03-31"}
    return client.post("/api/v1/measurements/", body)


def import_enterprises(session: requests.Session, base: str, rows: str) -> requests.Response:
    page = session.get(f"{base}/enterprises/import/", timeout=10)
    assert page.status_code == 200
    header = "名称（中文）,统一社会信用代码,城市,领域,等级,认定日期,状态\n"
    return session.post(
        f"{base}/enterprises/import/",
        data={"csrfmiddlewaretoken": csrf(page.text)},
        files={"file": ("import.csv", ("\ufeff" + header + rows).encode(), "text/csv")},
        headers={"Referer": f"{base}/enterprises/import/"},
        timeout=30,
        allow_redirects=False,
    )


def assert_pages_answer(session: requests.Session, base: str) -> None:
    for path in (
        "/",
        "/plan/",
        "/targets/",
        f"/plans/zj-ai-2019-2022/targets/{FIGURE_TARGET}/",
        "/enterprises/",
    ):
        response = session.get(f"{base}{path}", timeout=15)
        assert response.status_code == 200, (path, response.status_code)


def log_lines(process: Process, text: str) -> list[str]:
    return [line for line in process.output().splitlines() if text in line]


# --- the cache's Redis ---------------------------------------------------------------------------


@pytest.fixture
def cache_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def env_cache(server: PrivateRedis) -> dict[str, Any]:
    """The cache settings CACHE_URL=server.url gives (zjai/settings.py)."""
    return {"BACKEND": "zjai.cache.FailSoftRedisCache", "LOCATION": server.url}


def cached_pages(server: PrivateRedis) -> list[bytes]:
    """The API list pages held in the cache (Django prefixes keys with ":1:")."""
    return redis.Redis.from_url(server.url).keys("*api-list:*")


def test_with_the_cache_redis_stopped_pages_sign_in_api_and_imports_still_answer(
    people, cache_redis, transactional_db, tmp_path, settings
):
    """Finding 4 of issue 12: every API request was a 500 while the cache's Redis was down.
    Now reads are computed without the cache, writes are stored, each process holds users to
    the rate on its own, the outage is logged once, and the cache is used again once back."""
    env = production_env(
        tmp_path / "static",
        CACHE_URL=cache_redis.url,
        ZJAI_API_RATE="1000000/minute",
        ZJAI_API_WRITE_RATE="6/day",
    )
    base, gunicorn = web(env)
    try:
        staff = Api(base, people["staff_key"])
        before = staff.get("/api/v1/targets/")
        assert before.status_code == 200
        assert cached_pages(cache_redis), "the list page was not cached while Redis was up"
        first = report_figure(staff, "100")
        assert first.status_code == 201

        cache_redis.stop()

        # API reads: the same answers, computed without the cache.
        during = staff.get("/api/v1/targets/")
        assert during.status_code == 200
        assert during.json() == before.json()
        assert staff.get("/api/v1/enterprises/").status_code == 200
        # API writes: stored. The write rate (6 a day) is now counted in this process alone,
        # and still holds: the seventh is refused, with a time to wait.
        created = [report_figure(staff, str(101 + i)) for i in range(6)]
        assert [r.status_code for r in created] == [201] * 6
        refused = report_figure(staff, "999")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        listed = staff.get("/api/v1/measurements/", params={"limit": 100})
        assert listed.status_code == 200
        ids = {first.json()["id"], *(r.json()["id"] for r in created)}
        assert ids <= {row["id"] for row in listed.json()["results"]}

        # Pages, sign-in and an import.
        browser = sign_in(base, "staff", PASSWORD)
        assert_pages_answer(browser, base)
        imported = import_enterprises(
            browser, base, f"缓存停机公司,{credit_code(71)},杭州,,,,有效\n"
        )
        assert imported.status_code == 302, imported.text.split("<main")[-1][:4000]

        # Recomputes use no cache: one here, with this process's cache the stopped Redis.
        settings.CACHES = {"default": {**env_cache(cache_redis), "OPTIONS": {}}}
        out = StringIO()
        call_command("recompute_progress", "--as-of", "2022-06-30", "--sync", stdout=out)
        assert "Recomputed 15 targets as of 2022-06-30" in out.getvalue()

        # One warning for the outage, however many requests met it.
        warnings = log_lines(gunicorn, "cache unavailable")
        assert len(warnings) == 1, warnings
        assert "WARNING zjai.cache" in warnings[0]
        assert " 500 " not in gunicorn.output()

        # Back: once the process tries again (after 5 s), pages are cached again.
        cache_redis.start()

        def cached_again() -> bool:
            assert staff.get("/api/v1/targets/").status_code == 200
            return bool(cached_pages(cache_redis))

        wait_for(cached_again, timeout=20, what="the API to use the cache again")
        assert log_lines(gunicorn, "cache available again")
        assert report_figure(staff, "200").status_code == 201
    finally:
        gunicorn.stop()

    # Nothing lost: every figure answered 201 is stored, with its audit event.
    figures = Measurement.objects.filter(created_by=people["staff"])
    assert figures.count() == 8
    values = ["100", *(str(101 + i) for i in range(6)), "200"]
    assert sorted(figures.values_list("value", flat=True)) == [Decimal(v) for v in values]
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="targets.measurement", actor=people["staff"]
        ).count()
        == 8
    )
    assert Enterprise.objects.filter(name_zh="缓存停机公司").exists()


# --- the broker's Redis --------------------------------------------------------------------------


@pytest.mark.worker
def test_with_the_broker_stopped_pages_sign_in_api_and_imports_still_answer(
    people, private_broker, transactional_db, tmp_path
):
    """Writes mark the targets they move dirty in their own transaction and only then try to
    queue the recompute: with the broker down they succeed, and the sweep recomputes the dirty
    targets once it is back (tests/targets/test_services.py,
    test_with_redis_down_approval_succeeds_and_the_sweep_catches_up)."""
    env = production_env(tmp_path / "static", CELERY_BROKER_URL=private_broker.url)
    base, gunicorn = web(env)
    try:
        private_broker.stop()
        staff = Api(base, people["staff_key"])
        reviewer = Api(base, people["reviewer_key"])

        health = requests.get(f"{base}/healthz", timeout=15)
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["broker"] != "ok"

        assert staff.get("/api/v1/targets/").status_code == 200
        created = report_figure(staff, "120000")
        assert created.status_code == 201
        url = f"/api/v1/measurements/{created.json()['id']}/"
        submitted = staff.post(f"{url}submit/", {}, headers={"If-Match": created.headers["ETag"]})
        assert submitted.status_code == 200, submitted.text
        approved = reviewer.post(
            f"{url}approve/",
            {"comment": "核对无误"},
            headers={"If-Match": submitted.headers["ETag"]},
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["state"] == "approved"

        browser = sign_in(base, "staff", PASSWORD)
        assert_pages_answer(browser, base)
        imported = import_enterprises(
            browser,
            base,
            f"代理停机公司,{credit_code(72)},杭州,智能机器人,领军企业,2021-05-01,有效\n",
        )
        assert imported.status_code == 302, imported.text.split("<main")[-1][:4000]

        # An export cannot be queued: the export's page says so instead of waiting forever.
        auditor = sign_in(base, "auditor", PASSWORD)
        form = auditor.get(f"{base}/reports/", timeout=15)
        requested = auditor.post(
            f"{base}/reports/",
            data={"format": "csv", "as_of": "2021-06-30", "csrfmiddlewaretoken": csrf(form.text)},
            headers={"Referer": f"{base}/reports/"},
            timeout=15,
        )
        assert requested.status_code == 200  # the export's page, after the redirect
        assert "导出任务未能排队，请稍后重试。" in requested.text  # could not be queued, try later
        assert " 500 " not in gunicorn.output()
    finally:
        gunicorn.stop()
        private_broker.start()

    figure = Measurement.objects.get(pk=created.json()["id"])
    assert figure.state == "approved"
    # The recompute could not be queued: the target waits for the sweep, marked dirty.
    assert Target.objects.get(code=FIGURE_TARGET).dirty_since is not None
    assert Enterprise.objects.filter(name_zh="代理停机公司").exists()
    export = Export.objects.get()
    assert export.state == Export.State.FAILED
