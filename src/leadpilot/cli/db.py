from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import typer

from leadpilot.config import get_settings
from leadpilot.db.migrate import upgrade as run_upgrade
from leadpilot.kit.clock import utcnow

app = typer.Typer(no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply all database migrations (safe to run repeatedly)."""
    run_upgrade()
    typer.echo("database is up to date")


@app.command()
def backup(
    output: Path | None = typer.Option(None, help="File to write (default: LEADPILOT_HOME/backups/...)."),
) -> None:
    """Back up the database: SQLite via the online backup API; PostgreSQL via pg_dump when it is installed."""
    settings = get_settings()
    url = settings.resolved_database_url
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    if url.startswith("sqlite:///"):
        source = url.removeprefix("sqlite:///")
        target = output or settings.home / "backups" / f"leadpilot-{stamp}.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        typer.echo(f"backup written to {target}")
        return
    pg_dump = shutil.which("pg_dump")
    target = output or settings.home / "backups" / f"leadpilot-{stamp}.dump"
    libpq_url = url.replace("postgresql+psycopg://", "postgresql://")
    if pg_dump is None:
        typer.echo(f"pg_dump is not installed. Run: pg_dump --format=custom --file {target} '{libpq_url}'", err=True)
        raise typer.Exit(code=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([pg_dump, "--format=custom", "--file", str(target), libpq_url], check=True)  # noqa: S603
    typer.echo(f"backup written to {target}")
