"""Sliding-window rate limits: in memory for one process, in Redis when ``LEADPILOT_REDIS_URL`` is set so that
all API replicas share the counters.

A key may make ``limit`` allowed hits in any ``window_seconds``; refused hits are not counted, so a client that
slows down gets through again. (A fixed window would let a burst of twice the limit straddle a window boundary.)
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from leadpilot.config import get_settings
from leadpilot.errors import RateLimited

log = logging.getLogger("leadpilot.ratelimit")


def _retry_after(now: float, oldest: float, window_seconds: int) -> int:
    """Whole seconds until the oldest counted hit leaves the window (at least 1, as Retry-After wants)."""
    return max(1, math.ceil(oldest + window_seconds - now))


class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        """Count one hit; raise RateLimited when ``key`` exceeded ``limit`` in the current window."""

    def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self.clock = clock

    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        now = self.clock()
        horizon = now - window_seconds
        with self._lock:
            if len(self._hits) > 100_000:
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > horizon}
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) >= limit:
                raise RateLimited(retry_after=_retry_after(now, hits[0], window_seconds))
            hits.append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


# Atomic check-and-add on a sorted set of hit timestamps: returns 0 when allowed, else the oldest hit's timestamp.
_SLIDING_WINDOW_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return oldest[2]
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 0
"""


class RedisRateLimiter:
    """Counters shared by every process that uses the same Redis and ``prefix``.

    When Redis cannot be reached the hit is allowed and a warning logged: an outage of the cache must not lock
    every user out of the API.
    """

    def __init__(self, url: str, *, prefix: str = "leadpilot:rl:", clock: Callable[[], float] = time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.prefix = prefix
        self.clock = clock
        self._script = self._redis.register_script(_SLIDING_WINDOW_LUA)

    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        now = self.clock()
        try:
            oldest = self._script(
                keys=[f"{self.prefix}{key}"], args=[now, window_seconds, limit, f"{now}:{uuid.uuid4().hex[:8]}"]
            )
        except self._errors as exc:
            log.warning("rate limiter unavailable, allowing the request", extra={"error": type(exc).__name__})
            return
        if oldest and float(oldest) > 0:
            raise RateLimited(retry_after=_retry_after(now, float(oldest), window_seconds))

    def reset(self, key: str) -> None:
        self._redis.delete(f"{self.prefix}{key}")


@lru_cache(maxsize=4)
def _limiter_for(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def get_rate_limiter() -> RateLimiter:
    return _limiter_for(get_settings().redis_url)
