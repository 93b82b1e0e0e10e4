"""The task queue (Huey). Which backend runs is a setting, not code (see docs/adr/0003-task-queue.md):

* ``embedded`` (default): SqliteHuey in ``LEADPILOT_HOME/queue.db`` — no extra server; ``leadpilot serve``
  runs a consumer in-process;
* ``redis``: RedisHuey at ``LEADPILOT_REDIS_URL`` — for several API replicas and ``leadpilot worker`` processes;
* ``immediate``: tasks run synchronously in the enqueuing thread (unit tests).

Tasks are named ``"domain.verb"``, take ids (never ORM objects) and are enqueued with ``enqueue_after_commit`` so
that a rolled-back transaction enqueues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy.orm import Session

from leadpilot.config import Settings, get_settings
from leadpilot.db.session import after_commit


def build_huey(settings: Settings) -> Huey:
    mode = settings.resolved_queue_mode
    if mode == "immediate":
        return MemoryHuey("leadpilot", immediate=True)
    if mode == "redis":
        if not settings.redis_url:
            raise RuntimeError("LEADPILOT_QUEUE_MODE=redis needs LEADPILOT_REDIS_URL")
        return RedisHuey("leadpilot", url=settings.redis_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("leadpilot", filename=str(settings.home / "queue.db"))


huey: Huey = build_huey(get_settings())


def enqueue_after_commit(session: Session, task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task(*args)`` once ``session`` commits; nothing is enqueued if it rolls back."""
    after_commit(session, lambda: task(*args, **kwargs))
