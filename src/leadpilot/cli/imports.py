"""``leadpilot import <entity> FILE`` and ``leadpilot export ENTITY``.

An import creates a job like an upload does. With ``--wait`` (the default) it runs in this process with a progress
bar and prints the counts and the first errors; with ``--no-wait`` it is queued for the worker.
Exit status: 0 when the job completed (even with row errors), 1 when it could not start or failed.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from leadpilot.auth.principal import Principal
from leadpilot.cli.common import resolve_org, system_principal
from leadpilot.db.session import transaction
from leadpilot.errors import AppError
from leadpilot.imports.exports import ExportService
from leadpilot.imports.schemas import ImportEntity
from leadpilot.imports.service import ImportService, run_import
from leadpilot.imports.service import Progress as ImportProgress

app = typer.Typer(no_args_is_help=True)
_err = Console(stderr=True)
_SHOWN_ERRORS = 10


def _json_option(value: str | None, name: str) -> dict[str, Any] | None:
    """A JSON object given inline or as ``@path/to/file.json``."""
    if value is None:
        return None
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}", param_hint=name)
        text = path.read_text(encoding="utf-8")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not valid JSON: {exc.msg}", param_hint=name) from exc
    if not isinstance(parsed, dict):
        raise typer.BadParameter("must be a JSON object", param_hint=name)
    return parsed


def _run_import(
    entity: ImportEntity,
    file: Path,
    mapping: str | None,
    options: str | None,
    org: str | None,
    wait: bool,
    file_format: str | None,
) -> None:
    parsed_mapping = _json_option(mapping, "--mapping")
    parsed_options = _json_option(options, "--options")
    try:
        with transaction() as session, file.open("rb") as handle:
            target = resolve_org(session, org)
            job = ImportService(session, system_principal(target)).create_job(
                entity=entity.value,
                file_format=file_format,
                filename=file.name,
                content=handle,
                mapping=parsed_mapping,
                options=parsed_options,
                enqueue=not wait,
            )
            job_id, total, org_id = job.id, job.total_rows, target.id
    except AppError as exc:
        _err.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(code=1) from None
    if not wait:
        typer.echo(f"import {job_id} queued ({total} rows); follow it with GET /api/v1/imports/{job_id}")
        return
    with Progress(
        TextColumn(f"importing {entity.value}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_err,
        transient=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("import", total=total)

        def advance(progress: ImportProgress) -> None:
            bar.update(task, completed=progress.processed_rows)

        status = run_import(job_id, on_progress=advance)
    with transaction() as session:
        service = ImportService(session, Principal.system(org_id))
        job = service.get(job_id)
        errors = service.errors(job_id, limit=_SHOWN_ERRORS)
        typer.echo(
            f"import {job.id} {job.status}: {job.processed_rows} rows, {job.created_count} created, "
            f"{job.updated_count} updated, {job.unchanged_count} unchanged, {job.error_count} with errors"
        )
        for error in errors:
            where = f" [{error.column or error.field}]" if (error.column or error.field) else ""
            typer.echo(f"  row {error.row_number}{where}: {error.message}")
        if job.error_count > len(errors):
            typer.echo(f"  ... see GET /api/v1/imports/{job.id}/errors?format=csv for the full report")
        if job.failure:
            _err.print(f"[red]failed:[/red] {job.failure}")
    if status != "completed":
        raise typer.Exit(code=1)


def _command(entity: ImportEntity) -> Any:
    def command(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or JSON file."),
        mapping: str | None = typer.Option(
            None, help='Column mapping as JSON, e.g. \'{"E-mail": "email"}\', or @file.'
        ),
        options: str | None = typer.Option(None, help='Options as JSON, e.g. \'{"phone_region": "DE"}\', or @file.'),
        org: str | None = typer.Option(None, help="Org slug (default: the only org)."),
        wait: bool = typer.Option(True, "--wait/--no-wait", help="Run now with a progress bar, or queue it."),
        file_format: str | None = typer.Option(None, "--format", help="csv or json (default: from the name)."),
    ) -> None:
        _run_import(entity, file, mapping, options, org, wait, file_format)

    command.__doc__ = f"Import {entity.value} from a CSV or JSON file."
    return command


for _entity in ImportEntity:
    app.command(_entity.value)(_command(_entity))


def export(
    entity: ImportEntity = typer.Argument(..., help="contacts, companies, leads, deals or activities"),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
    org: str | None = typer.Option(None, help="Org slug (default: the only org)."),
    created_after: datetime | None = typer.Option(None, help="Only records created at or after (UTC)."),
    created_before: datetime | None = typer.Option(None, help="Only records created before (UTC)."),
) -> None:
    """Export CRM records as CSV (the columns the importer reads)."""
    from datetime import UTC

    after = created_after.replace(tzinfo=UTC) if created_after and created_after.tzinfo is None else created_after
    before = created_before.replace(tzinfo=UTC) if created_before and created_before.tzinfo is None else created_before
    with transaction() as session:
        target = resolve_org(session, org)
        chunks = ExportService(session, system_principal(target)).csv_chunks(
            entity, created_after=after, created_before=before
        )
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        typer.echo(f"wrote {output}", err=True)
