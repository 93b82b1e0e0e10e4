"""Import jobs: "imports.run" runs one job; "imports.resume_stalled" re-queues jobs whose run was lost."""

from __future__ import annotations

from huey import crontab

from leadpilot.jobs.queue import huey


@huey.task(name="imports.run")
def run_import_task(job_id: int) -> None:
    from leadpilot.imports.service import run_import

    run_import(job_id)


@huey.periodic_task(crontab(minute="*/5"), name="imports.resume_stalled")
def resume_stalled_imports() -> None:
    from leadpilot.imports.service import resume_stalled

    resume_stalled()
