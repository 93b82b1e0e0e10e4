"""Import jobs: "imports.run" runs one job; "imports.resume_stalled" re-queues jobs whose run was lost."""

from __future__ import annotations

from leadpilot.jobs.queue import huey


@huey.task(name="imports.run")
def run_import_task(job_id: int) -> None:
    from leadpilot.imports.service import run_import

    run_import(job_id)


def resume_stalled_imports() -> None:
    """Re-queue import jobs whose run was lost (scheduled in ``jobs/periodic.py``)."""
    from leadpilot.imports.service import resume_stalled

    resume_stalled()
