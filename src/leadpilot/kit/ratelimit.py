"""Fixed-window rate limits: in memory for one process, in Redis when ``LEADPILOT_REDIS_URL`` is set so that
all API replicas share the counters."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from leadpilot.config import get_settings
from leadpilot.errors import RateLimited

log = logging.getLogger("leadpilot.ratelimit")


def _retry_after(now: float, window_seconds: int) -> int:
    """Whole seconds until the current window ends (at least 1, as Retry-After wants)."""
    return max(1, math.ceil(window_seconds - now % window_seconds))


class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        """Count one hit; raise RateLimited when ``key`` exceeded ``limit`` in the current window."""

    def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}
        self.clock = clock

    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        now = self.clock()
        window = int(now // window_seconds)
        with self._lock:
            if len(self._windows) > 100_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            start, count = self._windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            count += 1
            self._windows[key] = (start, count)
        if count > limit:
            raise RateLimited(retry_after=_retry_after(now, window_seconds))

    def reset(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)


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

    def hit(self, key: str, *, limit: int, window_seconds: int) -> None:
        now = self.clock()
        window = int(now // window_seconds)
        redis_key = f"{self.prefix}{key}:{window}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds + 1)
            count, _ = pipe.execute()
        except self._errors as exc:
            log.warning("rate limiter unavailable, allowing the request", extra={"error": type(exc).__name__})
            return
        if int(count) > limit:
            raise RateLimited(retry_after=_retry_after(now, window_seconds))

    def reset(self, key: str) -> None:
        for key_name in self._redis.scan_iter(f"{self.prefix}{key}:*"):
            self._redis.delete(key_name)


@lru_cache(maxsize=4)
def _limiter_for(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def get_rate_limiter() -> RateLimiter:
    return _limiter_for(get_settings().redis_url)
