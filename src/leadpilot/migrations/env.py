"""Alembic environment: the URL comes from LeadPilot's settings unless a connection is passed in."""

from __future__ import annotations

from alembic import context

from leadpilot.crm.search import is_full_text_object
from leadpilot.db.models import Base
from leadpilot.db.session import engine_for

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from leadpilot.config import get_settings

        url = get_settings().resolved_database_url
    with engine_for(url).connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=lambda name, type_, _parents: not is_full_text_object(name, type_),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
