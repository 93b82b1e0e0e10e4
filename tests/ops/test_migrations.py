"""The migrations build, from an empty database, exactly the schema the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from leadpilot.crm.search import is_full_text_object
from leadpilot.db.migrate import head_revision, upgrade
from leadpilot.db.models import Base
from tests.conftest import DATABASE_URL, IS_POSTGRES


def _include_name(name: str | None, type_: str, _parents: dict[str, Any]) -> bool:
    # Full-text search lives outside the models on purpose (migration 0002); everything else must match.
    return not is_full_text_object(name, type_)


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": False, "include_name": _include_name}
    )
    return compare_metadata(context, Base.metadata)


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url=url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
            assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
            assert schema_differences(connection) == []
    finally:
        engine.dispose()


@pytest.fixture
def empty_postgres_schema() -> Iterator[Connection]:
    if not IS_POSTGRES:
        pytest.skip("PostgreSQL: set LEADPILOT_TEST_DATABASE_URL=postgresql+psycopg://... to run this test")
    schema = f"migration_check_{uuid.uuid4().hex[:10]}"
    admin = create_engine(DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(DATABASE_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_postgres_migrations_match_the_models(empty_postgres_schema: Connection) -> None:
    connection = empty_postgres_schema
    assert inspect(connection).get_table_names() == [], "the schema must start empty"
    upgrade(connection=connection)
    connection.commit()
    assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    indexes = {ix["name"] for ix in inspect(connection).get_indexes("contacts")}
    assert "ix_contacts_search" in indexes
    assert schema_differences(connection) == []
