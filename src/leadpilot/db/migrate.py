"""Programmatic Alembic: ``leadpilot db upgrade`` and the test fixtures use these."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config


def alembic_config(*, url: str | None = None, connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("leadpilot") / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(*, url: str | None = None, connection: Any = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url=url, connection=connection), revision)


def current_revision(connection: Any) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known_revision(revision: str | None) -> bool:
    """Whether this code's migrations contain ``revision`` (a database upgraded by newer code is not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if revision is None:
        return True
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
