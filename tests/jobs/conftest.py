from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

from leadpilot.jobs.queue import install_job_metrics

REDIS_URL = os.environ.get("LEADPILOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def memory_queue() -> Huey:
    """A queue that runs tasks as they are enqueued, with the application's metrics hooks."""
    queue = MemoryHuey(f"test-{uuid.uuid4().hex[:8]}", immediate=True)
    install_job_metrics(queue)
    return queue


@pytest.fixture(params=["sqlite", "redis"])
def real_queue(request: pytest.FixtureRequest, tmp_path) -> Iterator[Huey]:  # type: ignore[no-untyped-def]
    """A queue on a real backend: SqliteHuey in a temporary file, or RedisHuey under a name unique to this test."""
    name = f"leadpilot-test-{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        queue: Huey = SqliteHuey(name, filename=str(tmp_path / "queue.db"))
    else:
        if not redis_available():
            pytest.skip(f"Redis is not reachable at {REDIS_URL} (set LEADPILOT_TEST_REDIS_URL)")
        queue = RedisHuey(name, url=REDIS_URL)
    install_job_metrics(queue)
    try:
        yield queue
    finally:
        queue.storage.flush_all()
        if request.param == "redis":
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"*{name}*"):
                client.delete(key)
