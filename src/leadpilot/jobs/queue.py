"""The task queue (Huey). Which backend runs is a setting, not code (see docs/adr/0003-task-queue.md):

* ``embedded`` (default): SqliteHuey in ``LEADPILOT_HOME/queue.db`` — no extra server; ``leadpilot serve``
  runs a consumer in-process;
* ``redis``: RedisHuey at ``LEADPILOT_REDIS_URL`` — for several API replicas and ``leadpilot worker`` processes;
* ``immediate``: tasks run synchronously in the enqueuing thread (unit tests).

Tasks are declared with ``@job("domain.verb")``, take ids (never ORM objects) and are enqueued with
``enqueue_after_commit`` so that a rolled-back transaction enqueues nothing::

    @job("webhooks.deliver", retries=3)
    def deliver_webhook(delivery_id: int) -> None: ...

    enqueue_after_commit(session, deliver_webhook, delivery.id)

A failing job is retried ``retries`` times, waiting ``backoff_delay(attempt)`` (exponential, capped) between
attempts. A job that keeps its own attempt count (e.g. in a database row) raises ``RetryTask(delay=...)`` instead.
Every outcome is counted in ``leadpilot_jobs_total{task, outcome}``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey import signals as huey_signals
from huey.api import Task, TaskWrapper
from huey.exceptions import RetryTask
from sqlalchemy.orm import Session

from leadpilot.config import Settings, get_settings
from leadpilot.db.session import after_commit
from leadpilot.ops.metrics import JOB_SECONDS, JOBS

log = logging.getLogger("leadpilot.jobs")

P = ParamSpec("P")
R = TypeVar("R")

QUEUE_NAME = "leadpilot"

# Signals that end one run of a task; "executing", "enqueued" and "scheduled" are not outcomes.
_OUTCOME_SIGNALS = {
    huey_signals.SIGNAL_COMPLETE,
    huey_signals.SIGNAL_ERROR,
    huey_signals.SIGNAL_RETRYING,
    huey_signals.SIGNAL_CANCELED,
    huey_signals.SIGNAL_EXPIRED,
    huey_signals.SIGNAL_REVOKED,
    huey_signals.SIGNAL_LOCKED,
    huey_signals.SIGNAL_TIMEOUT,
    huey_signals.SIGNAL_INTERRUPTED,
    huey_signals.SIGNAL_RATE_LIMITED,
}
_STARTED_AT = "_leadpilot_started_at"


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``attempt + 1``: ``base * 2**attempt``, at most ``cap``."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    # min() on the exponent first keeps 2**attempt from growing without bound for long-lived rows.
    return float(min(cap, base * 2 ** min(attempt, 62)))


def install_job_metrics(queue: Huey) -> None:
    """Count every task outcome and time every run, through Huey's signals."""

    def on_signal(signal: str, task: Task, *_args: Any, **_kwargs: Any) -> None:
        if signal == huey_signals.SIGNAL_EXECUTING:
            setattr(task, _STARTED_AT, time.perf_counter())
            return
        if signal not in _OUTCOME_SIGNALS:
            return
        JOBS.labels(task.name, signal).inc()
        started = getattr(task, _STARTED_AT, None)
        if started is not None:
            JOB_SECONDS.labels(task.name).observe(time.perf_counter() - started)
            delattr(task, _STARTED_AT)

    queue.signal()(on_signal)


def build_huey(settings: Settings, *, name: str = QUEUE_NAME) -> Huey:
    mode = settings.resolved_queue_mode
    queue: Huey
    if mode == "immediate":
        queue = MemoryHuey(name, immediate=True)
    elif mode == "redis":
        if not settings.redis_url:
            raise RuntimeError("LEADPILOT_QUEUE_MODE=redis needs LEADPILOT_REDIS_URL")
        queue = RedisHuey(name, url=settings.redis_url)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey(name, filename=str(settings.home / "queue.db"))
    install_job_metrics(queue)
    return queue


huey: Huey = build_huey(get_settings())


def job(
    name: str,
    *,
    retries: int = 0,
    backoff_base: float = 10.0,
    backoff_cap: float = 3600.0,
    queue: Huey | None = None,
    **options: Any,
) -> Callable[[Callable[P, R]], TaskWrapper]:
    """Register a task named ``"domain.verb"`` on ``queue`` (the application queue by default).

    When the task raises, Huey runs it again up to ``retries`` times; the wait before retry ``n`` (0-based) is
    ``backoff_delay(n, base=backoff_base, cap=backoff_cap)``. Huey's own ``retry_backoff`` multiplies without a
    cap, which is why the delay is set here.
    """
    domain, _, verb = name.partition(".")
    if not domain or not verb:
        raise ValueError(f"task names are 'domain.verb', got {name!r}")

    def decorator(fn: Callable[P, R]) -> TaskWrapper:
        @functools.wraps(fn)
        def run(*args: Any, task: Task | None = None, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except RetryTask:
                raise
            except Exception:
                # ``task`` is None when called directly (``call_local``); then there is nothing to schedule.
                if task is not None and task.retries:
                    attempt = max(0, retries - task.retries)
                    task.retry_delay = backoff_delay(attempt, base=backoff_base, cap=backoff_cap)
                raise

        return (queue or huey).task(name=name, retries=retries, context=True, **options)(run)

    return decorator


def enqueue_after_commit(session: Session, task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task(*args)`` once ``session`` commits; nothing is enqueued if it rolls back.

    If the queue cannot be reached at that point the change is already committed: the failure is logged, not
    raised, so the caller does not report an error for work that was saved. Jobs that must not be lost keep their
    state in a row and have a periodic sweep re-enqueue it (see docs/adr/0003-task-queue.md).
    """

    def enqueue() -> None:
        try:
            task(*args, **kwargs)
        except Exception:
            name = getattr(task, "name", getattr(task, "__name__", repr(task)))
            log.exception("could not enqueue a job after commit", extra={"task": name, "task_args": repr(args)})

    after_commit(session, enqueue)
