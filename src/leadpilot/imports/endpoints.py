"""Import jobs (``/imports``) and CSV exports (``/exports``).

A streamed body is sent after the request's transaction has ended, so the CSV downloads read through a session
of their own, opened when the body starts and closed when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from leadpilot.auth.dependencies import CrmExport, CrmImport, SessionDep
from leadpilot.auth.principal import Principal
from leadpilot.config import get_settings
from leadpilot.db.session import new_session
from leadpilot.errors import InvalidInput, PayloadTooLarge
from leadpilot.imports.exports import ExportService
from leadpilot.imports.schemas import ImportEntity, ImportErrorPage, ImportJobList, ImportJobRead, ImportRowErrorRead
from leadpilot.imports.service import ImportService
from leadpilot.kit.clock import utcnow

router = APIRouter(prefix="/imports", tags=["imports"])
exports_router = APIRouter(prefix="/exports", tags=["exports"])

_FORMAT_BY_CONTENT_TYPE = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/json": "json",
    "application/x-ndjson": "json",
    "application/jsonl": "json",
}


def _streamed(principal: Principal, produce: Callable[[Any], Iterator[str]], make: Callable[..., Any]) -> Iterator[str]:
    session = new_session()
    try:
        yield from produce(make(session, principal))
    finally:
        session.rollback()
        session.close()


@router.post("", response_model=ImportJobRead, status_code=202)
def create_import(
    session: SessionDep,
    principal: CrmImport,
    file: UploadFile,
    entity: Annotated[str, Form(description="contacts, companies, leads, deals or activities")],
    mapping: Annotated[str | None, Form(description='JSON object {"source column": "field"}')] = None,
    options: Annotated[str | None, Form(description="JSON object of import options")] = None,
    file_format: Annotated[str | None, Form(description="csv or json (default: from the file name)")] = None,
) -> ImportJobRead:
    """Upload a CSV or JSON file; the import runs in the background. Poll ``GET /imports/{import_id}``."""
    limit = get_settings().import_max_bytes
    if file.size is not None and file.size > limit:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes")
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    job = ImportService(session, principal).create_job(
        entity=entity,
        file_format=file_format
        or (None if "." in (file.filename or "") else _FORMAT_BY_CONTENT_TYPE.get(content_type)),
        filename=file.filename,
        content=file.file,
        mapping=mapping,
        options=options,
    )
    return ImportJobRead.model_validate(job)


@router.get("", response_model=ImportJobList)
def list_imports(
    session: SessionDep, principal: CrmImport, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> ImportJobList:
    jobs = ImportService(session, principal).list_recent(limit)
    return ImportJobList(items=[ImportJobRead.model_validate(job) for job in jobs])


@router.get("/{import_id}", response_model=ImportJobRead)
def get_import(session: SessionDep, principal: CrmImport, import_id: int) -> ImportJobRead:
    return ImportJobRead.model_validate(ImportService(session, principal).get(import_id))


@router.get("/{import_id}/errors", response_model=ImportErrorPage)
def get_import_errors(
    session: SessionDep,
    principal: CrmImport,
    import_id: int,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Annotated[Literal["json", "csv"], Query(description="csv downloads the whole report")] = "json",
) -> Any:
    """The per-row error report: row number, field, source column, message and the row as it was read."""
    service = ImportService(session, principal)
    if format == "csv":
        service.get(import_id)
        body = _streamed(principal, lambda s: s.error_report_csv(import_id), ImportService)
        headers = {"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'}
        return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)
    items = service.errors(import_id, limit=limit, offset=offset)
    return ImportErrorPage(
        items=[ImportRowErrorRead.model_validate(e) for e in items],
        total=service.count_errors(import_id),
        limit=limit,
        offset=offset,
    )


@router.post("/{import_id}/retry", response_model=ImportJobRead, status_code=202)
def retry_import(session: SessionDep, principal: CrmImport, import_id: int) -> ImportJobRead:
    """Run a failed (or stalled) import again; it resumes after the rows already processed."""
    return ImportJobRead.model_validate(ImportService(session, principal).retry(import_id))


@exports_router.get("/{entity}.csv", response_class=StreamingResponse)
def export_csv(
    principal: CrmExport,
    entity: str,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> StreamingResponse:
    """Every record of the org as CSV, in the columns the importer reads (for activities the dates filter
    ``occurred_at``)."""
    try:
        target = ImportEntity(entity)
    except ValueError:
        allowed = ", ".join(e.value for e in ImportEntity)
        raise InvalidInput(f"Unknown entity {entity!r} (one of: {allowed})", extra={"field": "entity"}) from None
    for name, value in (("created_after", created_after), ("created_before", created_before)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone offset, e.g. 2025-03-01T00:00:00Z", extra={"field": name})
    stamp = utcnow().strftime("%Y%m%d")
    body = _streamed(
        principal,
        lambda s: s.csv_chunks(target, created_after=created_after, created_before=created_before),
        ExportService,
    )
    headers = {"Content-Disposition": f'attachment; filename="{target.value}-{stamp}.csv"'}
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)
