from __future__ import annotations

from datetime import datetime

from huey.api import PeriodicTask

from leadpilot.jobs.periodic import PERIODIC_JOBS, PERIODIC_TASKS
from leadpilot.jobs.queue import huey
from leadpilot.jobs.worker import load_tasks


def test_every_periodic_job_is_registered_once_under_its_name() -> None:
    names = [p.name for p in PERIODIC_JOBS]
    assert len(names) == len(set(names))
    assert set(PERIODIC_TASKS) == set(names)
    for name in names:
        domain, _, verb = name.partition(".")
        assert domain, name
        assert verb, name
        task_class = PERIODIC_TASKS[name].task_class
        assert issubclass(task_class, PeriodicTask)
        assert task_class.__name__ == name
        assert huey._registry.task_to_string(task_class) in huey._registry._registry


def test_the_webhook_sweep_runs_every_five_minutes() -> None:
    sweep = next(p for p in PERIODIC_JOBS if p.name == "webhooks.requeue_stale")
    due = [minute for minute in range(60) if sweep.schedule(datetime(2030, 1, 1, 12, minute))]
    assert due == list(range(0, 60, 5))


def test_periodic_jobs_are_declared_only_in_jobs_periodic() -> None:
    load_tasks()
    periodic = {
        task_class.__name__ for task_class in huey._registry._registry.values() if issubclass(task_class, PeriodicTask)
    }
    elsewhere = periodic - set(PERIODIC_TASKS)
    assert elsewhere == set(), "declare these in PERIODIC_JOBS (jobs/periodic.py), not with @huey.periodic_task"
