"""Request rates per user (so per token's owner), with writes held to a lower rate.

Requests without valid credentials are refused (401) before throttling is checked, so only
signed-in users are counted. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set
from the environment in settings) and are read on each request, so a changed setting (a test,
a reloaded configuration) takes effect.

DRF's throttles keep every request's timestamp of the window in one cache entry and rewrite it
on each request: with a rate of 1,200 a minute that is a list of 1,200 floats pickled twice per
request, and separate workers overwrite each other's lists. A fixed window counted with the
cache's atomic add/incr costs the same at any rate and is exact across gunicorn workers when
CACHE_URL points them at one Redis. A client can burst up to twice the rate across a window
boundary, which is fine for a rate meant to stop runaway scripts, not to meter.

The cache may be down (zjai/cache.py: a Redis that cannot be reached raises CacheUnavailable
from `incr`): then each process counts on its own until it is back, so a user may get up to
the rate times the number of gunicorn workers, and no request fails for it. zjai.cache logs
the outage once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from zjai.cache import CacheUnavailable


class ProcessCounters:
    """Fixed-window counters of this process alone, for while the shared cache is down."""

    #: Forget counters of ended windows once there are this many.
    PRUNE_AT = 1000

    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}  # key → (window's end, count)
        self._lock = threading.Lock()

    def incr(self, key: str, window_end: float) -> int:
        with self._lock:
            if len(self._counts) >= self.PRUNE_AT:
                now = time.time()
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            count = self._counts.get(key, (window_end, 0))[1] + 1
            self._counts[key] = (window_end, count)
            return count

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


process_counters = ProcessCounters()


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "1200/minute" → (1200, 60); None or "" → None (no limit)."""
    if not rate:
        return None
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def count(key: str, period: int) -> int:
    """This request counted in the shared cache: the window's count so far."""
    # add() creates the counter only if missing, so concurrent first requests all count.
    cache.add(key, 0, period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, period + 1)
        return 1


def over_rate(who: str, rate: tuple[int, int]) -> float | None:
    """Count one request of `who` (a scope and a user or an address) in the current window:
    the seconds to wait when it is past the rate, else None."""
    limit, period = rate
    now = time.time()
    window = int(now // period)
    key = f"throttle:{who}:{window}"
    try:
        counted = count(key, period)
    except CacheUnavailable:
        counted = process_counters.incr(key, (window + 1) * period)
    return None if counted <= limit else (window + 1) * period - now


class FixedWindowThrottle(BaseThrottle):
    """At most N requests per user per window ("1200/minute"); None for no limit."""

    scope: str = ""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def parse_rate(self) -> tuple[int, int] | None:
        # The stubs say float | int; DRF's rates are strings ("1200/minute") or None.
        rate: str | None = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[assignment]
        return parse_rate(rate)

    def applies_to(self, request: Request) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = self.parse_rate()
        if rate is None or not self.applies_to(request):
            return True
        self.retry_after = over_rate(f"{self.scope}:{request.user.pk}", rate)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after


class UserThrottle(FixedWindowThrottle):
    """Every request of a signed-in user (token or session)."""

    scope = "user"


class WriteThrottle(FixedWindowThrottle):
    """Changes only (POST, PUT, PATCH, DELETE)."""

    scope = "write"

    def applies_to(self, request: Request) -> bool:
        return request.method not in SAFE_METHODS and super().applies_to(request)
