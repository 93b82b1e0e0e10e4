"""Import jobs: upload, queue, run in chunks, report.

    ImportService.create_job ─ checks the upload (size, encoding, header or JSON shape, mapping), stores it in
                               parts with the job, enqueues "imports.run" once the transaction commits
    run_import(job_id) ─────── claims the job (queued → running), streams the stored parts and applies them one
                               chunk per transaction (rows, error report and counters commit together), then
                               completed | failed (with a readable ``failure``)

A run that dies leaves its job "running" with the rows of every committed chunk counted in ``processed_rows``;
``resume_stalled`` (periodic) or ``ImportService.retry`` queues it again and the next run skips those rows. Rows
are matched by their de-dup keys, so even a replayed chunk creates nothing twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role
from leadpilot.config import get_settings
from leadpilot.crm.models import Activity, Company, Contact, ContactIdentity, Deal, Lead, StageChange
from leadpilot.db.session import transaction
from leadpilot.errors import AppError, InvalidInput
from leadpilot.imports.errors import ImportFileInvalid
from leadpilot.imports.fields import Normalizers, build_extractor, resolve_mapping
from leadpilot.imports.loaders import LOADERS, ImportContext, Outcome, process_chunk
from leadpilot.imports.models import ImportJob, ImportRowError
from leadpilot.imports.parsing import read_records, scan, upload_parts
from leadpilot.imports.repository import ImportJobRepository, ImportJobStore, RecordStore
from leadpilot.imports.schemas import FileFormat, ImportEntity, ImportOptions, JobStatus
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org
from leadpilot.webhooks.events import emit_event

log = logging.getLogger("leadpilot.imports")

MAX_STORED_ERRORS = 50_000
"""Row errors kept per job; ``error_count`` keeps counting past it."""
ANALYZE_AFTER_ROWS = 5_000
TABLES_WRITTEN: dict[ImportEntity, tuple[Any, ...]] = {
    ImportEntity.contacts: (Contact, ContactIdentity, Company),
    ImportEntity.companies: (Company,),
    ImportEntity.leads: (Lead, StageChange, Contact, ContactIdentity, Company),
    ImportEntity.deals: (Deal, StageChange, Contact, ContactIdentity, Company),
    ImportEntity.activities: (Activity, Contact, ContactIdentity),
}
QUEUED_TOO_LONG = timedelta(minutes=10)
RUNNING_SILENT_TOO_LONG = timedelta(minutes=15)
_FORMAT_BY_SUFFIX = {".csv": FileFormat.csv, ".tsv": FileFormat.csv, ".txt": FileFormat.csv, ".json": FileFormat.json,
                     ".jsonl": FileFormat.json, ".ndjson": FileFormat.json}  # fmt: skip


def _choice(enum: type[Any], value: Any, name: str) -> Any:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput(f"Unknown {name} {value!r} (one of: {allowed})", extra={"field": name}) from None


def _file_format(file_format: str | None, filename: str | None) -> FileFormat:
    if file_format:
        value = str(file_format).strip().lower()
        return _choice(FileFormat, {"jsonl": "json", "ndjson": "json", "tsv": "csv"}.get(value, value), "file_format")
    suffix = "." + (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix in _FORMAT_BY_SUFFIX:
        return _FORMAT_BY_SUFFIX[suffix]
    raise InvalidInput("Say which file_format the file has (csv or json)", extra={"field": "file_format"})


def _json_object(value: Any, name: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{name} is not valid JSON: {exc.msg}", extra={"field": name}) from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object", extra={"field": name})
    return value


def _options(value: Any) -> ImportOptions:
    try:
        return ImportOptions.model_validate(_json_object(value, "options"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "options"
        raise InvalidInput(f"options.{where}: {first['msg']}", extra={"field": f"options.{where}"}) from None


def _parts_factory(content: bytes | BinaryIO, max_bytes: int) -> Callable[[], Iterator[bytes]]:
    if isinstance(content, bytes | bytearray | memoryview):
        return lambda: upload_parts(content, max_bytes=max_bytes)
    if not content.seekable():
        raise InvalidInput("The upload must be a file that can be read twice")

    def parts() -> Iterator[bytes]:
        content.seek(0)
        return upload_parts(content, max_bytes=max_bytes)

    return parts


class ImportService:
    """Import jobs of the caller's org. Flushes, never commits."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.jobs = ImportJobRepository(session, principal)

    def create_job(
        self,
        *,
        entity: str,
        file_format: str | None,
        filename: str | None,
        content: bytes | BinaryIO,
        mapping: dict[str, Any] | str | None = None,
        options: dict[str, Any] | str | None = None,
        enqueue: bool = True,
    ) -> ImportJob:
        """Check the upload and queue its import. ``enqueue=False`` leaves the job queued for the caller to run
        (``run_import``), as the CLI does when it waits."""
        target = _choice(ImportEntity, entity, "entity")
        fmt = _file_format(file_format, filename)
        chosen = _options(options)
        explicit = _json_object(mapping, "mapping")
        parts = _parts_factory(content, get_settings().import_max_bytes)
        digest = hashlib.sha256()
        size = 0
        for part in parts():
            digest.update(part)
            size += len(part)
        if size == 0:
            raise ImportFileInvalid("The file is empty")
        found = scan(parts, fmt, encoding=chosen.encoding, delimiter=chosen.delimiter)
        if found.total_rows == 0:
            raise ImportFileInvalid("The file has a header but no rows to import")
        effective = resolve_mapping(target, found.columns, explicit)
        stored_options = chosen.model_dump(exclude_none=True) | {"encoding": found.encoding}
        if found.delimiter:
            stored_options["delimiter"] = found.delimiter
        job = ImportJob(
            entity=target.value, file_format=fmt.value, filename=(filename or "")[:300] or None, size_bytes=size,
            content_sha256=digest.hexdigest(), mapping=effective, options=stored_options,
            status=JobStatus.queued.value, total_rows=found.total_rows, processed_rows=0, created_count=0,
            updated_count=0, unchanged_count=0, error_count=0, created_by_id=self.principal.user_id,
        )  # fmt: skip
        self.jobs.add(job)
        for seq, part in enumerate(parts()):
            self.jobs.add_part(job.id, seq, part)
        record(self.session, self.principal, "import.created", entity_type="import_job", entity_id=job.id,
               data={"entity": job.entity, "filename": job.filename, "rows": job.total_rows})  # fmt: skip
        if enqueue:
            from leadpilot.imports.tasks import run_import_task

            enqueue_after_commit(self.session, run_import_task, job.id)
        return job

    def get(self, job_id: int) -> ImportJob:
        return self.jobs.access_by_id(job_id)

    def list_recent(self, limit: int = 20) -> list[ImportJob]:
        return self.jobs.list_recent(max(1, min(limit, 100)))

    def errors(self, job_id: int, limit: int = 100, offset: int = 0) -> list[ImportRowError]:
        self.jobs.access_by_id(job_id)
        return self.jobs.errors(job_id, limit=max(1, min(limit, 1000)), offset=max(0, offset))

    def count_errors(self, job_id: int) -> int:
        self.jobs.access_by_id(job_id)
        return self.jobs.count_errors(job_id)

    def error_report_csv(self, job_id: int) -> Iterator[str]:
        """The error report as CSV: one line per problem, followed by the row as it was in the file (for a CSV
        upload, in its own columns, so the failed rows can be fixed and uploaded again)."""
        job = self.jobs.access_by_id(job_id)
        columns = list(job.mapping) if job.file_format == FileFormat.csv else []
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row_number", "field", "column", "message", *(columns or ["raw"])])
        for error in self.jobs.iter_errors(job_id):
            raw = error.raw or {}
            tail = [raw.get(c, "") for c in columns] if columns else [json.dumps(raw, ensure_ascii=False, default=str)]
            writer.writerow([error.row_number, error.field or "", error.column or "", error.message, *tail])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def retry(self, job_id: int) -> ImportJob:
        """Queue a failed job again (or one whose worker died); it resumes after the rows already processed."""
        job = self.jobs.access_by_id(job_id)
        now = utcnow()
        store = ImportJobStore(self.session)
        if not store.requeue(job.id, statuses=["failed"], now=now) and not store.requeue(
            job.id, statuses=["running"], now=now, stale_before=now - RUNNING_SILENT_TOO_LONG
        ):
            raise InvalidInput(f"Only a failed or stalled import can be retried; this one is {job.status}")
        self.session.refresh(job)
        from leadpilot.imports.tasks import run_import_task

        enqueue_after_commit(self.session, run_import_task, job.id)
        return job


@dataclass(slots=True)
class Progress:
    """Where a running import is, for progress bars."""

    processed_rows: int
    total_rows: int
    created: int
    updated: int
    unchanged: int
    errors: int


def _stored_parts(job_id: int) -> Iterator[bytes]:
    """The job's file, one part per short transaction (never held open across chunks)."""
    seq = 0
    while True:
        with transaction() as session:
            data = ImportJobStore(session).part(job_id, seq)
        if data is None:
            return
        yield data
        seq += 1


def _error_rows(ctx: ImportContext, job_id: int, outcome: Outcome, room: int) -> list[dict[str, Any]]:
    rows = []
    for problem in sorted(outcome.problems, key=lambda p: p.row_number)[: max(0, room)]:
        rows.append({"org_id": ctx.org_id, "import_job_id": job_id, "row_number": problem.row_number,
                     "field": problem.field, "column": problem.column, "message": problem.message[:2000],
                     "raw": problem.raw})  # fmt: skip
    return rows


def run_import(job_id: int, *, on_progress: Callable[[Progress], None] | None = None) -> str:
    """Run a queued job to the end; returns its final status ("skipped" when it was not queued)."""
    now = utcnow()
    with transaction() as session:
        store = ImportJobStore(session)
        if not store.claim(job_id, now=now):
            return "skipped"
        job = store.get(job_id)
        assert job is not None
        session.refresh(job)
        org = store.org(job.org_id)
        assert org is not None
        users = RecordStore(session, job.org_id).users_by_email()
        stored_errors = store.stored_errors(job_id)
    progress = Progress(job.processed_rows, job.total_rows, job.created_count, job.updated_count,
                        job.unchanged_count, job.error_count)  # fmt: skip
    try:
        _run_chunks(job, org, users, stored_errors, progress, on_progress)
    except Exception as exc:
        detail = exc.detail if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
        failure = f"Stopped after {progress.processed_rows} of {progress.total_rows} rows: {detail}"
        log.exception("import failed", extra={"import_job_id": job_id})
        with transaction() as session:
            ImportJobStore(session).finish(job_id, status=JobStatus.failed.value, now=utcnow(), failure=failure[:4000])
        return JobStatus.failed.value
    with transaction() as session:
        ImportJobStore(session).finish(job_id, status=JobStatus.completed.value, now=utcnow())
        ImportJobStore(session).delete_parts(job_id)
        if progress.created + progress.updated >= ANALYZE_AFTER_ROWS:
            RecordStore(session, job.org_id).analyze(TABLES_WRITTEN[ImportEntity(job.entity)])
        summary = {"import_id": job_id, "entity": job.entity, "rows": progress.processed_rows,
                   "created": progress.created, "updated": progress.updated, "unchanged": progress.unchanged,
                   "errors": progress.errors}  # fmt: skip
        actor = Principal(org_id=job.org_id, role=Role.owner, user_id=job.created_by_id)
        record(session, actor, "import.completed", entity_type="import_job", entity_id=job_id, data=summary)
        emit_event(session, job.org_id, "import.completed", summary)
    return JobStatus.completed.value


def _run_chunks(
    job: ImportJob, org: Org, users: dict[str, int], stored_errors: int, progress: Progress,
    on_progress: Callable[[Progress], None] | None,
) -> None:  # fmt: skip
    entity = ImportEntity(job.entity)
    fmt = FileFormat(job.file_format)
    options = ImportOptions.model_validate(job.options)
    norm = Normalizers(phone_region=options.phone_region or org.default_phone_region,
                       timezone=options.timezone or org.timezone)  # fmt: skip
    header, records = read_records(_stored_parts(job.id), fmt, encoding=options.encoding or "utf-8",
                                   delimiter=options.delimiter, skip=job.processed_rows)  # fmt: skip
    if header is not None and set(job.mapping) - set(header):
        raise ImportFileInvalid("The stored file does not have the columns of the job's mapping")
    extractor = build_extractor(entity, job.mapping, norm, header=header)
    ctx = ImportContext(
        org_id=job.org_id, user_id=job.created_by_id, entity=entity, options=options, norm=norm,
        currency=options.currency or org.default_currency, users=users, header=header,
        columns={target: column for column, target in job.mapping.items() if target},
    )  # fmt: skip
    loader = LOADERS[entity](ctx)
    written = 0
    next_analyze = ANALYZE_AFTER_ROWS
    while chunk := list(islice(records, options.chunk_size)):
        with transaction() as session:
            outcome = process_chunk(session, loader, extractor, chunk)
            store = ImportJobStore(session)
            errors = _error_rows(ctx, job.id, outcome, MAX_STORED_ERRORS - stored_errors)
            store.add_errors(errors)
            failed_rows = len({p.row_number for p in outcome.problems})
            store.advance(job.id, processed=len(chunk), created=outcome.created, updated=outcome.updated,
                          unchanged=outcome.unchanged, errors=failed_rows, now=utcnow())  # fmt: skip
        stored_errors += len(errors)
        progress.processed_rows += len(chunk)
        progress.created += outcome.created
        progress.updated += outcome.updated
        progress.unchanged += outcome.unchanged
        progress.errors += failed_rows
        written += outcome.created
        if written >= next_analyze:
            # Statistics of tables growing under the load: without them PostgreSQL plans the chunk look-ups as if
            # the tables were empty (scans instead of index probes). SQLite plans without statistics.
            next_analyze = written * 2
            with transaction() as session:
                RecordStore(session, job.org_id).analyze(TABLES_WRITTEN[entity])
        if on_progress is not None:
            on_progress(progress)


def resume_stalled() -> list[int]:
    """Queue again the jobs whose run was lost: queued for too long, or running without progress for too long."""
    now = utcnow()
    resumed = []
    from leadpilot.imports.tasks import run_import_task

    with transaction() as session:
        store = ImportJobStore(session)
        for job_id, status in store.stale_jobs(queued_before=now - QUEUED_TOO_LONG,
                                               running_before=now - RUNNING_SILENT_TOO_LONG):  # fmt: skip
            if status == "running" and not store.requeue(
                job_id, statuses=["running"], now=now, stale_before=now - RUNNING_SILENT_TOO_LONG
            ):
                continue
            enqueue_after_commit(session, run_import_task, job_id)
            resumed.append(job_id)
    return resumed
