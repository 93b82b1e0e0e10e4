"""Imports: upload a file, follow the job's progress (the panel polls itself every second until the job is done),
then read the counts and the per-row errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from leadpilot.config import get_settings
from leadpilot.errors import AppError, InvalidInput, PayloadTooLarge
from leadpilot.imports.schemas import ImportEntity, ImportJobRead, ImportRowErrorRead, JobStatus
from leadpilot.imports.service import ImportService
from leadpilot.web.auth import Importer, WebContext
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter()

ENTITIES = [e.value for e in ImportEntity]
ERRORS_SHOWN = 100
_RUNNING = {JobStatus.queued.value, JobStatus.running.value}


def _job_context(ctx: WebContext, job_id: int) -> dict[str, Any]:
    service = ImportService(ctx.session, ctx.principal)
    job = ImportJobRead.model_validate(service.get(job_id))
    done = job.status not in _RUNNING
    errors = [ImportRowErrorRead.model_validate(e) for e in service.errors(job.id, limit=ERRORS_SHOWN)] if done else []
    return {"job": job, "done": done, "row_errors": errors, "errors_shown": ERRORS_SHOWN}


@router.get("/imports")
def imports_page(request: Request, ctx: Importer) -> Response:
    jobs = [ImportJobRead.model_validate(j) for j in ImportService(ctx.session, ctx.principal).list_recent(20)]
    return render(
        request, "imports/list.html", ctx=ctx, jobs=jobs, entities=ENTITIES, max_mb=get_settings().import_max_bytes
        // (1024 * 1024), uploaders=Lookups(ctx).all_users(), nav="imports",
    )  # fmt: skip


@router.post("/imports")
def upload(
    request: Request,
    ctx: Importer,
    file: UploadFile,
    entity: Annotated[str, Form(max_length=32)] = ImportEntity.contacts.value,
    mapping: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    limit = get_settings().import_max_bytes
    try:
        if not file.filename:
            raise InvalidInput("Choose a file to import", extra={"field": "file"})
        if file.size is not None and file.size > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
        with ctx.session.begin_nested():
            job = ImportService(ctx.session, ctx.principal).create_job(
                entity=entity, file_format=None, filename=file.filename, content=file.file, mapping=mapping or None
            )
    except AppError as exc:
        return redirect_with(
            request, "/imports", "error", f"Could not import {file.filename or 'the file'} — {describe(exc)}"
        )
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


@router.get("/imports/{job_id}")
def job_page(request: Request, ctx: Importer, job_id: int) -> Response:
    values = _job_context(ctx, job_id)
    return render(request, "imports/detail.html", ctx=ctx, nav="imports", **values)


@router.get("/imports/{job_id}/progress")
def job_progress(request: Request, ctx: Importer, job_id: int) -> Response:
    """The job panel alone; it carries its own polling trigger until the job is done."""
    return render(request, "imports/_panel.html", ctx=ctx, **_job_context(ctx, job_id))


@router.post("/imports/{job_id}/retry")
def retry(request: Request, ctx: Importer, job_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            ImportService(ctx.session, ctx.principal).retry(job_id)
    except AppError as exc:
        return redirect_with(request, f"/imports/{job_id}", "error", f"Could not retry — {describe(exc)}")
    return redirect_with(
        request, f"/imports/{job_id}", "info", "The import is queued again and resumes where it stopped."
    )
