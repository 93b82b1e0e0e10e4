"""conversation intelligence: labelled examples and classifiers per org

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadpilot.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "intelligence_examples",
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("created_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_intelligence_examples_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_intelligence_examples_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intelligence_examples")),
    )
    with op.batch_alter_table("intelligence_examples", schema=None) as batch_op:
        batch_op.create_index("ix_intelligence_examples_org_task", ["org_id", "task", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intelligence_examples_org_id"), ["org_id"], unique=False)

    op.create_table(
        "intelligence_models",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("trained_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_intelligence_models_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_intelligence_models_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intelligence_models")),
    )
    with op.batch_alter_table("intelligence_models", schema=None) as batch_op:
        batch_op.create_index("ix_intelligence_models_org_time", ["org_id", "trained_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_intelligence_models_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intelligence_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intelligence_models_org_id"))
        batch_op.drop_index("ix_intelligence_models_org_time")
    op.drop_table("intelligence_models")
    with op.batch_alter_table("intelligence_examples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intelligence_examples_org_id"))
        batch_op.drop_index("ix_intelligence_examples_org_task")
    op.drop_table("intelligence_examples")
