"""/healthz: what a load balancer asks before sending a request to this process.

Only the database decides: without it no request can be answered (503, so the balancer sends
requests elsewhere). The broker and the cache are shared by every web host, and the site works
without them (writes leave their recomputes to the sweep, the cache is worked around: see
docs/operations.md); taking every host out of service because one of them is down would turn a
degraded site into no site. They are reported ("degraded", still 200) for monitoring.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "do not route here"
        return False, type(exc).__name__
    return True, "ok"


def check_broker() -> tuple[bool, str]:
    """The broker, when one is configured; eager mode (no broker) is healthy by design."""
    if not settings.CELERY_BROKER_URL:
        return True, "eager (no broker configured)"
    from zjai.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, type(exc).__name__
    return True, "ok"


def check_cache() -> tuple[bool, str]:
    """The shared cache (CACHE_URL), when there is one; the default one in each process's
    memory always answers."""
    from django.core.cache import cache

    answers = getattr(cache, "answers", None)
    if answers is None:
        return True, "ok"
    return (True, "ok") if answers() else (False, "unavailable")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    started = time.perf_counter()
    database, database_detail = check_database()
    broker, broker_detail = check_broker()
    cache, cache_detail = check_cache()
    status = "ok" if database and broker and cache else "degraded" if database else "unavailable"
    return JsonResponse(
        {
            "status": status,
            "database": database_detail,
            "broker": broker_detail,
            "cache": cache_detail,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
        status=200 if database else 503,
    )
