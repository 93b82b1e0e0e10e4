"""Helpers for the import tests: run an import through the service as a request would (the job runs when the
transaction commits, because the test queue is immediate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.db.session import commit
from leadpilot.imports.models import ImportJob
from leadpilot.imports.service import ImportService

Importer = Callable[..., ImportJob]


def run(
    db: Session, principal: Principal, content: str | bytes, *, entity: str = "contacts", file_format: str = "csv",
    mapping: dict[str, Any] | None = None, options: dict[str, Any] | None = None, filename: str | None = None,
) -> ImportJob:  # fmt: skip
    service = ImportService(db, principal)
    job = service.create_job(
        entity=entity, file_format=file_format, filename=filename or f"{entity}.{file_format}",
        content=content.encode() if isinstance(content, str) else content, mapping=mapping, options=options,
    )  # fmt: skip
    commit(db)
    db.expire_all()
    return service.get(job.id)


def errors_by_row(db: Session, principal: Principal, job: ImportJob) -> dict[int, list[tuple[str | None, str]]]:
    found: dict[int, list[tuple[str | None, str]]] = {}
    for error in ImportService(db, principal).errors(job.id, limit=1000):
        found.setdefault(error.row_number, []).append((error.field, error.message))
    return found


@pytest.fixture
def importer(db: Session) -> Importer:
    def do(principal: Principal, content: str | bytes, **kwargs: Any) -> ImportJob:
        return run(db, principal, content, **kwargs)

    return do
