"""The follow-up cache: a response is reused when the same request meets the same facts.

The key hashes the approach and mode, the strategy inputs and every lead fact, the request's knobs, the org's
knowledge version and the model's name, so a change to the CRM record, the knowledge base or the model is a miss
by construction and nothing needs invalidating. Entries expire after ``LEADPILOT_FOLLOWUP_CACHE_TTL_SECONDS``.

In memory (an LRU of ``LEADPILOT_FOLLOWUP_CACHE_SIZE`` entries) for one process; in Redis when
``LEADPILOT_REDIS_URL`` is set, so that every replica shares it. A Redis outage is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

from leadpilot.config import get_settings

log = logging.getLogger("leadpilot.followup")


def cache_key(parts: dict[str, Any]) -> str:
    payload = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class FollowupCache(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def set(self, key: str, value: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...


class MemoryCache:
    def __init__(self, *, size: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl = ttl_seconds
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, payload = item
            if expires <= self.clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
        return json.loads(payload)  # type: ignore[no-any-return]

    def set(self, key: str, value: dict[str, Any]) -> None:
        payload = json.dumps(value, default=str)
        with self._lock:
            self._items[key] = (self.clock() + self.ttl, payload)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisCache:
    def __init__(self, url: str, *, ttl_seconds: float, prefix: str = "leadpilot:followup:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.ttl = max(1, int(ttl_seconds))
        self.prefix = prefix

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            payload = self._redis.get(self.prefix + key)
        except self._errors as exc:
            log.warning("follow-up cache unavailable", extra={"error": type(exc).__name__})
            return None
        return None if payload is None else json.loads(payload)

    def set(self, key: str, value: dict[str, Any]) -> None:
        try:
            self._redis.setex(self.prefix + key, self.ttl, json.dumps(value, default=str))
        except self._errors as exc:
            log.warning("follow-up cache unavailable", extra={"error": type(exc).__name__})

    def clear(self) -> None:
        try:
            for key in self._redis.scan_iter(f"{self.prefix}*"):
                self._redis.delete(key)
        except self._errors as exc:
            log.warning("follow-up cache unavailable", extra={"error": type(exc).__name__})


@lru_cache(maxsize=4)
def _cache_for(redis_url: str | None, size: int, ttl: float) -> FollowupCache:
    return RedisCache(redis_url, ttl_seconds=ttl) if redis_url else MemoryCache(size=size, ttl_seconds=ttl)


def get_followup_cache() -> FollowupCache:
    settings = get_settings()
    return _cache_for(settings.redis_url, settings.followup_cache_size, settings.followup_cache_ttl_seconds)
