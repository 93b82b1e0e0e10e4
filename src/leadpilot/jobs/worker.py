"""Running the queue: an embedded consumer inside ``leadpilot serve`` or a standalone ``leadpilot worker``.

Both stop gracefully: running jobs finish (up to ``LEADPILOT_WORKER_SHUTDOWN_TIMEOUT_SECONDS``), queued ones stay
in the queue for the next start. ``leadpilot worker`` treats SIGTERM (what process managers send) as the graceful
stop and SIGINT as "stop now".
"""

from __future__ import annotations

import logging

from huey import Huey
from huey.consumer import Consumer

from leadpilot.config import get_settings

log = logging.getLogger("leadpilot.jobs")

# The SQLite queue is polled: an idle worker backs off up to this many seconds between polls, which bounds the
# latency of a job enqueued into an idle queue. Redis blocks on the queue instead and ignores it.
MAX_POLL_DELAY_SECONDS = 2.0


class EmbeddedConsumer(Consumer):
    """A Huey consumer that leaves signal handling to its host process (uvicorn)."""

    def _set_signal_handlers(self) -> None:
        return None


def load_tasks() -> None:
    """Import every module that defines tasks so the consumer knows them by name."""
    from leadpilot.jobs import periodic  # noqa: F401


def create_embedded_consumer(
    queue: Huey, *, workers: int, shutdown_timeout: float, periodic: bool = True
) -> EmbeddedConsumer:
    return EmbeddedConsumer(
        queue,
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        max_delay=MAX_POLL_DELAY_SECONDS,
        shutdown_timeout=shutdown_timeout,
    )


def start_embedded_consumer() -> EmbeddedConsumer | None:
    """Start workers inside this process (``leadpilot serve``); the caller stops them with ``stop(graceful=True)``."""
    from leadpilot.jobs.queue import huey

    settings = get_settings()
    if huey.immediate or not settings.run_worker_in_serve:
        return None
    load_tasks()
    consumer = create_embedded_consumer(
        huey, workers=settings.worker_threads, shutdown_timeout=settings.worker_shutdown_timeout_seconds
    )
    consumer.start()
    log.info("embedded worker started", extra={"workers": settings.worker_threads})
    return consumer


def run_worker(*, workers: int) -> None:
    """Run a consumer in the foreground until SIGTERM (graceful) or SIGINT (immediate)."""
    from leadpilot.jobs.queue import huey

    if huey.immediate:
        raise RuntimeError(
            "LEADPILOT_QUEUE_MODE=immediate runs jobs in the caller; there is nothing for a worker to do"
        )
    load_tasks()
    settings = get_settings()
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=MAX_POLL_DELAY_SECONDS,
        shutdown_timeout=settings.worker_shutdown_timeout_seconds,
        graceful_signal="TERM",
    )
    consumer.run()
