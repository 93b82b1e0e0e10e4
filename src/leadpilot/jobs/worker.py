"""Running the queue: an embedded consumer inside ``leadpilot serve`` or a standalone ``leadpilot worker``."""

from __future__ import annotations

import logging

from huey.consumer import Consumer

from leadpilot.config import get_settings

log = logging.getLogger("leadpilot.jobs")


class EmbeddedConsumer(Consumer):
    """A Huey consumer that leaves signal handling to its host process (uvicorn)."""

    def _set_signal_handlers(self) -> None:
        return None


def load_tasks() -> None:
    """Import every module that defines tasks so the consumer knows them by name."""
    from leadpilot.jobs import periodic  # noqa: F401


def start_embedded_consumer() -> EmbeddedConsumer | None:
    from leadpilot.jobs.queue import huey

    settings = get_settings()
    if huey.immediate or not settings.run_worker_in_serve:
        return None
    load_tasks()
    consumer = EmbeddedConsumer(huey, workers=settings.worker_threads, worker_type="thread", periodic=True)
    consumer.start()
    log.info("embedded worker started", extra={"workers": settings.worker_threads})
    return consumer


def run_worker(*, workers: int) -> None:
    """Run a consumer in the foreground until SIGINT (graceful) or SIGTERM."""
    from leadpilot.jobs.queue import huey

    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
