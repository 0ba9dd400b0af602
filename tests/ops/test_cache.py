"""zjai.cache.FailSoftRedisCache against a Redis of the test's own, stopped and started again:
an empty cache while it is down, one warning per outage, back to normal once it answers.
(tests/ops/test_redis_down.py does the same under gunicorn, through the API and the pages.)"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis

from tests.workers import PrivateRedis
from zjai.cache import CacheUnavailable, FailSoftRedisCache


@pytest.fixture
def server() -> Iterator[PrivateRedis]:
    private = PrivateRedis()
    private.start()
    yield private
    private.stop()


def cache_at(server: PrivateRedis, retry_seconds: float) -> FailSoftRedisCache:
    return FailSoftRedisCache(
        server.url, {"OPTIONS": {"outage_retry_seconds": retry_seconds}, "KEY_PREFIX": "t"}
    )


def test_a_stopped_redis_is_an_empty_cache_and_one_warning(server, caplog):
    cache = cache_at(server, retry_seconds=0)  # ask Redis every time: no waiting in the test
    cache.set("kept", 1)
    assert cache.get("kept") == 1
    server.stop()

    with caplog.at_level(logging.INFO, logger="zjai.cache"):
        assert cache.get("kept") is None
        assert cache.get("kept", "default") == "default"
        assert cache.get_many(["kept"]) == {}
        assert cache.has_key("kept") is False
        cache.set("other", 2)  # stored nowhere, and no error
        assert cache.add("other", 2) is False
        assert cache.get_or_set("computed", lambda: 42) == 42
        cache.delete("kept")
        cache.set_many({"a": 1})
        cache.delete_many(["a"])
        with pytest.raises(CacheUnavailable):
            cache.incr("counter")
        assert cache.answers() is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage().startswith(f"cache unavailable (get at {server.url}: ")

    server.start()
    with caplog.at_level(logging.INFO, logger="zjai.cache"):
        cache.set("again", 3)
        assert cache.get("again") == 3
        assert cache.answers() is True
    assert any("cache available again" in r.getMessage() for r in caplog.records)


def test_after_a_failure_redis_is_left_alone_until_the_retry_time(server):
    cache = cache_at(server, retry_seconds=3600)
    cache.set("kept", 1)
    server.stop()
    assert cache.get("kept") is None  # fails: the outage begins
    server.start()
    # Redis answers again, but within the retry time nobody asks it.
    assert cache.get("kept") is None
    cache.set("new", 1)
    assert redis.Redis.from_url(server.url).keys("*") == []  # nothing was written
    # The health check asks anyway, and its answer ends the outage.
    assert cache.answers() is True
    cache.set("new", 1)
    assert cache.get("new") == 1
