from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from leadpilot.errors import RateLimited
from leadpilot.kit.ratelimit import MemoryRateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("LEADPILOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set LEADPILOT_TEST_REDIS_URL)")
    prefix = f"leadpilot-test:{uuid.uuid4().hex}:rl:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_the_memory_limiter_counts_per_key() -> None:
    now = 1_700_000_030.0
    limiter = MemoryRateLimiter(clock=lambda: now)
    for _ in range(3):
        limiter.hit("a", limit=3, window_seconds=60)
    limiter.hit("b", limit=3, window_seconds=60)
    with pytest.raises(RateLimited) as raised:
        limiter.hit("a", limit=3, window_seconds=60)
    assert raised.value.retry_after == 60  # the oldest hit leaves the window in 60 s
    limiter.reset("a")
    limiter.hit("a", limit=3, window_seconds=60)
    now += 30  # "b" has 1 hit 30 s ago: two more fit, a third does not
    limiter.hit("b", limit=3, window_seconds=60)
    limiter.hit("b", limit=3, window_seconds=60)
    with pytest.raises(RateLimited) as raised:
        limiter.hit("b", limit=3, window_seconds=60)
    assert raised.value.retry_after == 30
    now += 31  # the first hit has left the window
    limiter.hit("b", limit=3, window_seconds=60)


def test_two_redis_limiters_share_their_counters(redis_prefix: str) -> None:
    # Two API replicas: each has its own limiter object, both count in the same Redis.
    now = time.time()
    replica_one = RedisRateLimiter(REDIS_URL, prefix=redis_prefix, clock=lambda: now)
    replica_two = RedisRateLimiter(REDIS_URL, prefix=redis_prefix, clock=lambda: now)
    replica_one.hit("login:email:a@example.com", limit=3, window_seconds=60)
    replica_two.hit("login:email:a@example.com", limit=3, window_seconds=60)
    replica_one.hit("login:email:a@example.com", limit=3, window_seconds=60)
    with pytest.raises(RateLimited) as raised:
        replica_two.hit("login:email:a@example.com", limit=3, window_seconds=60)
    assert 1 <= raised.value.retry_after <= 60
    replica_two.hit("login:email:b@example.com", limit=3, window_seconds=60)

    replica_one.reset("login:email:a@example.com")
    replica_two.hit("login:email:a@example.com", limit=3, window_seconds=60)
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}*"))
    assert all(0 < redis.Redis.from_url(REDIS_URL).ttl(k) <= 61 for k in keys), "counters expire with their window"


def test_an_unreachable_redis_lets_requests_through() -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")
    for _ in range(5):
        limiter.hit("k", limit=1, window_seconds=60)
