"""The job's life: statuses, chunked commits, failure, retry and resumption after a crash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadpilot.crm.models import Contact
from leadpilot.db.session import commit, new_session
from leadpilot.imports import loaders
from leadpilot.imports.models import ImportJob, ImportJobPart
from leadpilot.imports.service import ImportService, resume_stalled
from leadpilot.kit.clock import utcnow
from tests.fixtures.factories import principal_for
from tests.imports.conftest import Importer

FIVE = "email\n" + "".join(f"p{i}@example.com\n" for i in range(5))


def _count_contacts(db: Session, org_id: int) -> int:
    return int(db.scalar(select(func.count()).select_from(Contact).where(Contact.org_id == org_id)) or 0)


def test_status_goes_queued_running_completed(db: Session, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    org, owner = org_a
    service = ImportService(db, principal_for(owner))
    seen: list[tuple[str, int]] = []
    original = loaders.ContactLoader.apply

    def spy(self: Any, store: Any, rows: Any, now: Any) -> Any:
        with new_session() as other:
            job = other.scalar(select(ImportJob).where(ImportJob.org_id == org.id))
            assert job is not None
            seen.append((job.status, job.processed_rows))
        return original(self, store, rows, now)

    monkeypatch.setattr(loaders.ContactLoader, "apply", spy)
    job = service.create_job(entity="contacts", file_format="csv", filename="c.csv", content=FIVE.encode(),
                             options={"chunk_size": 2})  # fmt: skip
    assert job.status == "queued"
    assert seen == []
    commit(db)
    assert seen == [("running", 0), ("running", 2), ("running", 4)]
    db.expire_all()
    job = service.get(job.id)
    assert (job.status, job.processed_rows, job.created_count, job.progress) == ("completed", 5, 5, 100.0)
    assert db.scalar(select(func.count()).select_from(ImportJobPart).where(ImportJobPart.import_job_id == job.id)) == 0


def test_a_failure_is_readable_and_a_retry_resumes(db: Session, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    org, owner = org_a
    service = ImportService(db, principal_for(owner))
    original = loaders.ContactLoader.apply
    calls = {"n": 0}

    def flaky(self: Any, store: Any, rows: Any, now: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(self, store, rows, now)

    monkeypatch.setattr(loaders.ContactLoader, "apply", flaky)
    job = service.create_job(entity="contacts", file_format="csv", filename="c.csv", content=FIVE.encode(),
                             options={"chunk_size": 2})  # fmt: skip
    commit(db)
    db.expire_all()
    job = service.get(job.id)
    assert job.status == "failed"
    assert job.failure == "Stopped after 2 of 5 rows: RuntimeError: disk on fire"
    assert (job.processed_rows, job.created_count) == (2, 2)
    assert _count_contacts(db, org.id) == 2

    monkeypatch.setattr(loaders.ContactLoader, "apply", original)
    service.retry(job.id)
    commit(db)
    db.expire_all()
    job = service.get(job.id)
    assert (job.status, job.failure, job.processed_rows, job.created_count) == ("completed", None, 5, 5)
    assert _count_contacts(db, org.id) == 5
    with pytest.raises(Exception, match="Only a failed or stalled import"):
        service.retry(job.id)


def test_a_crashed_run_is_resumed_by_the_sweep(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    service = ImportService(db, principal)
    job = service.create_job(entity="contacts", file_format="csv", filename="c.csv", content=FIVE.encode(),
                             options={"chunk_size": 2}, enqueue=False)  # fmt: skip
    commit(db)
    # A worker that died after committing the first chunk: two rows applied and counted, the job still running.
    importer(principal, "email\np0@example.com\np1@example.com\n")
    long_ago = utcnow() - timedelta(hours=1)
    db.execute(update(ImportJob).where(ImportJob.id == job.id)
               .values(status="running", processed_rows=2, created_count=2, updated_at=long_ago))  # fmt: skip
    db.commit()

    assert resume_stalled() == [job.id]
    db.expire_all()
    job = service.get(job.id)
    assert (job.status, job.processed_rows, job.created_count, job.unchanged_count) == ("completed", 5, 5, 0)
    assert _count_contacts(db, org.id) == 5
    assert resume_stalled() == []


def test_a_replayed_file_after_a_crash_creates_nothing_twice(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, FIVE, options={"chunk_size": 2})
    job = importer(principal, FIVE, options={"chunk_size": 3})
    assert (job.created_count, job.unchanged_count) == (0, 5)
    assert _count_contacts(db, org.id) == 5


def test_a_row_the_database_refuses_does_not_block_the_others(
    db: Session, org_a, importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    org, owner = org_a
    principal = principal_for(owner)
    original = loaders.ContactLoader.apply

    def picky(self: Any, store: Any, rows: Any, now: Any) -> Any:
        if any(row.values["emails"] == ["p3@example.com"] for row in rows):
            raise IntegrityError("INSERT", {}, Exception("unique constraint failed: p3"))
        return original(self, store, rows, now)

    monkeypatch.setattr(loaders.ContactLoader, "apply", picky)
    job = importer(principal, FIVE)
    assert (job.created_count, job.error_count) == (4, 1)
    [error] = ImportService(db, principal).errors(job.id)
    assert error.row_number == 5
    assert error.message == "the database refused this row: unique constraint failed: p3"
    assert _count_contacts(db, org.id) == 4
