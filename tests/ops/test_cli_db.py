"""``leadpilot db upgrade`` and ``leadpilot db backup``, run through the real CLI."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from leadpilot.cli.main import app
from leadpilot.config import get_settings
from leadpilot.db.migrate import head_revision
from leadpilot.db.session import engine_for

runner = CliRunner()


@contextmanager
def settings_from_env(**env: str) -> Iterator[None]:
    """Run a command against other settings, as a fresh process with these ``LEADPILOT_*`` variables would."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def test_upgrade_builds_an_empty_database_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with settings_from_env(LEADPILOT_DATABASE_URL=url, LEADPILOT_HOME=str(tmp_path)):
        for _ in range(2):
            result = runner.invoke(app, ["db", "upgrade"])
            assert result.exit_code == 0, result.output
            assert "database is up to date" in result.output
    with closing(sqlite3.connect(tmp_path / "fresh.db")) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    engine_for(url).dispose()


def test_upgrade_of_a_database_at_head_changes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    # The suite's own database (SQLite or PostgreSQL), which the migrations built at the start of the run.
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]


def test_backup_of_a_sqlite_database_is_a_readable_copy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with settings_from_env(LEADPILOT_DATABASE_URL=url, LEADPILOT_HOME=str(tmp_path)):
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        engine = engine_for(url)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO orgs (name, slug, timezone, default_currency, default_phone_region, "
                                    "settings, created_at, updated_at) VALUES ('Backup Co', 'backup-co', 'UTC', 'USD', "
                                    "'US', '{}', '2030-01-01 00:00:00', '2030-01-01 00:00:00')"))  # fmt: skip
        explicit = runner.invoke(app, ["db", "backup", "--output", str(tmp_path / "copy.db")])
        default = runner.invoke(app, ["db", "backup"])
        engine.dispose()

    assert explicit.exit_code == 0, explicit.output
    assert f"backup written to {tmp_path / 'copy.db'}" in explicit.output
    assert default.exit_code == 0, default.output
    (default_copy,) = (tmp_path / "backups").glob("leadpilot-*.db")
    for copy in (tmp_path / "copy.db", default_copy):
        with closing(sqlite3.connect(copy)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT name FROM orgs").fetchall() == [("Backup Co",)]
            assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
