"""knowledge base: documents, chunks, embeddings

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadpilot.db.base
from leadpilot.knowledge import fulltext

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "knowledge_documents",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pages_total", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("chunks_total", sa.Integer(), nullable=False),
        sa.Column("chunks_done", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("embedding_model", sa.String(length=100), nullable=True),
        sa.Column("indexed_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", BigId, nullable=True),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("org_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_knowledge_documents_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_knowledge_documents_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_documents")),
        sa.UniqueConstraint("org_id", "title", name=op.f("uq_knowledge_documents_org_id_title")),
    )
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_documents_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_knowledge_documents_org_status", ["org_id", "status"], unique=False)

    op.create_table(
        "knowledge_chunks",
        sa.Column("document_id", BigId, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("section", sa.String(length=500), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("embedding_scale", sa.Float(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("org_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["knowledge_documents.id"],
            name=op.f("fk_knowledge_chunks_document_id_knowledge_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_knowledge_chunks_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_chunks")),
    )
    with op.batch_alter_table("knowledge_chunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_chunks_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_knowledge_chunks_org_live", ["org_id", "live"], unique=False)
        batch_op.create_index("ix_knowledge_chunks_document", ["document_id", "generation"], unique=False)

    op.create_table(
        "knowledge_states",
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("org_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_knowledge_states_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_states")),
        sa.UniqueConstraint("org_id", name=op.f("uq_knowledge_states_org_id")),
    )
    with op.batch_alter_table("knowledge_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knowledge_states_org_id"), ["org_id"], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in fulltext.postgres_ddl() if dialect == "postgresql" else fulltext.sqlite_ddl():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {fulltext.SEARCH_INDEX}")
    else:
        for statement in fulltext.sqlite_drop_ddl():
            op.execute(statement)
    with op.batch_alter_table("knowledge_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_states_org_id"))
    op.drop_table("knowledge_states")
    with op.batch_alter_table("knowledge_chunks", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_chunks_document")
        batch_op.drop_index("ix_knowledge_chunks_org_live")
        batch_op.drop_index(batch_op.f("ix_knowledge_chunks_org_id"))
    op.drop_table("knowledge_chunks")
    with op.batch_alter_table("knowledge_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_documents_org_status")
        batch_op.drop_index(batch_op.f("ix_knowledge_documents_org_id"))
    op.drop_table("knowledge_documents")
