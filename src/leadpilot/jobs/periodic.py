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

from leadpilot.imports import tasks as import_tasks
from leadpilot.intelligence import tasks as intelligence_tasks
from leadpilot.jobs.queue import huey
from leadpilot.knowledge import tasks as knowledge_tasks
from leadpilot.scoring import tasks as scoring_tasks
from leadpilot.webhooks import tasks as webhook_tasks


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: Callable[[Any], bool]
    run: Callable[[], Any]
    description: str


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="intelligence.annotate_missing",
        schedule=crontab(minute="*/5"),
        run=intelligence_tasks.annotate_missing,
        description="Annotate messages stored without annotations (a lost job, a bulk load), a batch at a time.",
    ),
    PeriodicJob(
        name="imports.resume_stalled",
        schedule=crontab(minute="*/5"),
        run=import_tasks.resume_stalled_imports,
        description="Re-queue import jobs whose worker died mid-file; they resume idempotently.",
    ),
    PeriodicJob(
        name="knowledge.resume_stalled",
        schedule=crontab(minute="*/5"),
        run=knowledge_tasks.resume_stalled_ingestion,
        description="Re-queue knowledge documents left pending or indexing (a lost enqueue, a worker that died).",
    ),
    PeriodicJob(
        name="webhooks.requeue_stale",
        schedule=crontab(minute="*/5"),
        run=webhook_tasks.requeue_stale_deliveries,
        description="Re-enqueue webhook deliveries still pending well after they were due (a lost enqueue).",
    ),
    PeriodicJob(
        name="scoring.sweep_pending",
        schedule=crontab(minute="*"),
        run=scoring_tasks.rescore_pending_all,
        description="Re-score leads whose debounced re-score request is due (a lost or delayed schedule).",
    ),
    PeriodicJob(
        name="scoring.score_unscored",
        schedule=crontab(minute="*/10"),
        run=scoring_tasks.score_unscored_all,
        description="Score leads that have never been scored (imports, a new org, the demo tenant).",
    ),
    PeriodicJob(
        name="scoring.score_all",
        schedule=crontab(minute="15", hour="2"),
        run=scoring_tasks.score_all_orgs,
        description="Re-score every lead daily: recency features age even when nothing happens.",
    ),
    PeriodicJob(
        name="scoring.retrain",
        schedule=crontab(minute="30", hour="3", day_of_week="0"),
        run=scoring_tasks.retrain_all_orgs,
        description="Train a candidate lead-scoring model per org weekly (promoted per the org's auto_promote).",
    ),
    PeriodicJob(
        name="scoring.drift_check",
        schedule=crontab(minute="45", hour="4"),
        run=scoring_tasks.check_drift_all_orgs,
        description="PSI of the open leads against the active model's reference; alerts when it turns to drift.",
    ),
)


def _register(periodic_job: PeriodicJob) -> TaskWrapper:
    def run() -> None:
        periodic_job.run()

    run.__name__ = periodic_job.name.replace(".", "_")
    return huey.periodic_task(periodic_job.schedule, name=periodic_job.name)(run)


PERIODIC_TASKS: dict[str, TaskWrapper] = {periodic_job.name: _register(periodic_job) for periodic_job in PERIODIC_JOBS}
