"""Fixtures shared by the whole suite.

The suite runs on PostgreSQL and Redis (`make test` sets DATABASE_URL and CELERY_BROKER_URL).
Celery tasks run eagerly inside a test unless the test is marked `worker`, in which case a real
worker process consumes them from Redis (see tests/workers.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.plan_copy import PlanCopy

pytest_plugins = ["tests.workers", "tests.api.fixtures", "tests.web"]

PLAN_COPY = pytest.StashKey[PlanCopy | None]()


@functools.cache
def _plan_spec():
    from plans.planfile import parse_plan_file

    return parse_plan_file(settings.ZJAI_DEFAULT_PLAN_FILE)


def _load_plan() -> Any:
    from portfolio.services import load_plan

    return load_plan(_plan_spec()).plan


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> Iterator[None]:
    """The test database, and in it, before any test has run, the plan loaded once by the real
    loader and copied out for the `plan` fixture (tests/plan_copy.py). PostgreSQL only: on
    another database every `plan` is loaded by the loader."""
    from django.utils import translation

    from zjai.celery import app

    copy = None
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            # As inside a test: English outside requests, tasks eager.
            eager = app.conf.task_always_eager
            app.conf.task_always_eager = True
            try:
                with translation.override("en"):
                    copy = PlanCopy.capture(_load_plan)
            finally:
                app.conf.task_always_eager = eager
    request.config.stash[PLAN_COPY] = copy
    yield


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Eager tasks for ordinary tests; the real broker for tests marked `worker`."""
    from zjai.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called outside a request (services, commands, jobs) speaks English in tests, as
    their assertions expect; pages still choose their language per request (LocaleMiddleware:
    Chinese unless the visitor switched), which the page tests check."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.5 s per user; tests check behaviour, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan(db: None, request: pytest.FixtureRequest) -> Any:
    """The 2019–2022 plan, as the real loader writes it: the rows of the session's one load,
    copied in (or, where the plan's tables are not empty — a module's committed world — or
    the database is not PostgreSQL, loaded by the loader)."""
    from plans.models import Plan

    copy = request.config.stash.get(PLAN_COPY, None)
    if copy is None or not copy.is_restorable():
        return _load_plan()
    copy.restore()
    return Plan.objects.get(code=_plan_spec().plan["code"])


@pytest.fixture
def make_user(db):
    """Create a user with a role and a unit: make_user("alice", "staff", unit)."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import ensure_role_groups

    def make(username: str, role: str, unit=None, password: str = "pw-Test-12345"):
        ensure_role_groups()
        user = User.objects.create_user(username=username, password=password, unit=unit)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make
