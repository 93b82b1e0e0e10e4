"""full-text search indexes (SQLite FTS5 tables with triggers; PostgreSQL GIN on to_tsvector)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from leadpilot.crm.search import SEARCHABLE_TABLES, postgres_fts_ddl, sqlite_fts_ddl

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = postgres_fts_ddl() if dialect == "postgresql" else sqlite_fts_ddl(prefix="2 3")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for t in SEARCHABLE_TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{t}_search")
        else:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {t}_fts")
