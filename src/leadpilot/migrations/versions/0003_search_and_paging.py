"""list paging and full-text search tuned for bulk loads

* SQLite: the FTS5 tables are rebuilt without prefix indexes (every write indexed each word three times; prefix
  queries measured about as fast without them).
* ``ix_leads_contact`` becomes (contact_id, org_id): searching leads by their contact's name looks leads up by
  contact within the org.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from leadpilot.crm.search import SEARCHABLE_TABLES, sqlite_fts_ddl

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_sqlite_fts(*, prefix: str | None) -> None:
    for t in SEARCHABLE_TABLES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {t}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {t}_fts")
    for statement in sqlite_fts_ddl(prefix=prefix):
        op.execute(statement)
    for t in SEARCHABLE_TABLES:
        op.execute(f"INSERT INTO {t}_fts({t}_fts) VALUES ('rebuild')")  # noqa: S608 -- constant table names


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_fts(prefix=None)
    op.drop_index("ix_leads_contact", table_name="leads")
    op.create_index("ix_leads_contact", "leads", ["contact_id", "org_id"])


def downgrade() -> None:
    op.drop_index("ix_leads_contact", table_name="leads")
    op.create_index("ix_leads_contact", "leads", ["contact_id"])
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_fts(prefix="2 3")
