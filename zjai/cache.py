"""A Redis cache that the site can lose without a request failing.

Nothing the cache holds is needed to answer a request: the API's throttle counters, list pages
and counts, chart series — each can be computed again or, for a throttle, counted in the
process (zjai.api.throttles). So when the Redis of CACHE_URL cannot be reached (restarting,
the network, out of memory), Django's RedisCache would turn every request into a 500; this
backend answers as a cache that holds nothing instead:

- reads (`get`, `get_many`, `has_key`) miss, writes (`set`, `add`, `delete`, …) store nothing;
- `incr`/`decr` raise CacheUnavailable: no caller can use an invented count (the throttles
  catch it and count in this process meanwhile);
- the first failure logs one WARNING (logger `zjai.cache`); after it the process does not ask
  Redis again for `outage_retry_seconds` (OPTIONS, default 5), so an outage costs no
  connection attempt per request, then tries again; when Redis answers, one INFO line.

settings.py puts it in place of Django's RedisCache whenever CACHE_URL is a redis:// URL, with
short socket timeouts, so a Redis that hangs instead of refusing costs a second, not a request.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("zjai.cache")

_T = TypeVar("_T")

#: Seconds a process leaves Redis alone after a failure before it tries again.
DEFAULT_OUTAGE_RETRY_SECONDS = 5.0
#: Connect and read timeouts (seconds) unless CACHE_URL sets its own.
DEFAULT_SOCKET_TIMEOUT = 1.0


class CacheUnavailable(Exception):
    """The cache could not be reached, for an operation whose answer cannot be invented."""


class _Outage:
    """The state of one cache server in this process: since when it fails, when to try next."""

    def __init__(self, servers: list[str], retry_seconds: float) -> None:
        self.servers = servers
        self.retry_seconds = retry_seconds
        self.down_since: float | None = None
        self.next_try = 0.0
        self._lock = threading.Lock()

    def skip(self) -> bool:
        """True while the cache is known to be down and it is not yet time to try again."""
        return self.down_since is not None and time.monotonic() < self.next_try

    def failed(self, operation: str, exc: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self.next_try = now + self.retry_seconds
            if self.down_since is not None:
                return
            self.down_since = now
        logger.warning(
            "cache unavailable (%s at %s: %s: %s): working without it until it answers "
            "(throttles count per process, nothing is cached); next try in %g s",
            operation,
            ",".join(self.servers),
            type(exc).__name__,
            exc,
            self.retry_seconds,
        )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is None:
                return
            lasted = time.monotonic() - self.down_since
            self.down_since = None
        logger.info("cache available again at %s after %.0f s", ",".join(self.servers), lasted)


# One state per server list and process, shared by the per-thread backend instances Django
# makes (django.core.cache.caches is thread-local).
_outages: dict[tuple[str, ...], _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(servers: list[str], retry_seconds: float) -> _Outage:
    with _outages_lock:
        key = tuple(servers)
        if key not in _outages:
            _outages[key] = _Outage(servers, retry_seconds)
        outage = _outages[key]
        outage.retry_seconds = retry_seconds
        return outage


def _unavailable() -> Any:
    raise CacheUnavailable("the cache cannot be reached")


class FailSoftRedisCacheClient(RedisCacheClient):
    """Django's Redis client, each operation guarded (see the module's doc)."""

    def __init__(self, servers: list[str], *, outage: _Outage, **options: Any) -> None:
        super().__init__(servers, **options)
        self.outage = outage

    def _guarded(self, operation: Callable[[], _T], fallback: Callable[[], _T]) -> _T:
        if self.outage.skip():
            return fallback()
        try:
            result = operation()
        except (RedisError, OSError) as exc:
            self.outage.failed(getattr(operation, "func", operation).__name__, exc)
            return fallback()
        self.outage.answered()
        return result

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return self._guarded(partial(super().add, key, value, timeout), lambda: False)

    def get(self, key: Any, default: Any) -> Any:
        return self._guarded(partial(super().get, key, default), lambda: default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._guarded(partial(super().set, key, value, timeout), lambda: None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return self._guarded(partial(super().touch, key, timeout), lambda: False)

    def delete(self, key: Any) -> bool:
        return self._guarded(partial(super().delete, key), lambda: False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return self._guarded(partial(super().get_many, keys), dict)

    def has_key(self, key: Any) -> bool:
        return self._guarded(partial(super().has_key, key), lambda: False)

    def incr(self, key: Any, delta: int) -> int:
        return self._guarded(partial(super().incr, key, delta), _unavailable)

    def set_many(self, data: Any, timeout: Any) -> None:
        self._guarded(partial(super().set_many, data, timeout), lambda: None)

    def delete_many(self, keys: Any) -> None:
        self._guarded(partial(super().delete_many, keys), lambda: None)

    def clear(self) -> bool:
        return self._guarded(partial(super().clear), lambda: False)

    def answers(self) -> bool:
        """Whether Redis answers a PING now (for /healthz): asked even during an outage."""
        try:
            self.get_client(None).ping()
        except (RedisError, OSError) as exc:
            self.outage.failed("ping", exc)
            return False
        self.outage.answered()
        return True


class FailSoftRedisCache(RedisCache):
    """RedisCache that answers as an empty cache while Redis is down (see the module's doc)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        retry_seconds = float(options.pop("outage_retry_seconds", DEFAULT_OUTAGE_RETRY_SECONDS))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        self._class = FailSoftRedisCacheClient
        self._options = {**options, "outage": _outage_of(servers, retry_seconds)}

    def answers(self) -> bool:
        """Whether Redis answers now (the health check asks)."""
        client = self._cache
        assert isinstance(client, FailSoftRedisCacheClient)
        return client.answers()
