"""The one list of periodic jobs, and the import of every task module.

Each domain defines its tasks in ``<domain>/tasks.py``; importing them here registers them with the consumer.
A periodic job is a row in ``PERIODIC_JOBS``: its name (``"domain.verb"``), when it runs (a Huey ``crontab``, in
UTC) and the function it calls. The function opens its own transaction and must be safe to run twice, because a
schedule tick can fire on two workers' clocks or be repeated after a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import crontab
from huey.api import TaskWrapper

from leadpilot.imports import tasks as import_tasks  # noqa: F401
from leadpilot.jobs.queue import huey
from leadpilot.webhooks import tasks as webhook_tasks


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: Callable[[Any], bool]
    run: Callable[[], Any]
    description: str


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="webhooks.requeue_stale",
        schedule=crontab(minute="*/5"),
        run=webhook_tasks.requeue_stale_deliveries,
        description="Re-enqueue webhook deliveries still pending well after they were due (a lost enqueue).",
    ),
)


def _register(periodic_job: PeriodicJob) -> TaskWrapper:
    def run() -> None:
        periodic_job.run()

    run.__name__ = periodic_job.name.replace(".", "_")
    return huey.periodic_task(periodic_job.schedule, name=periodic_job.name)(run)


PERIODIC_TASKS: dict[str, TaskWrapper] = {periodic_job.name: _register(periodic_job) for periodic_job in PERIODIC_JOBS}
