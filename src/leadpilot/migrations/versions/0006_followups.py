"""follow-up drafts with their claim checks

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadpilot.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "followup_drafts",
        sa.Column("lead_id", BigId, nullable=True),
        sa.Column("created_by_id", BigId, nullable=True),
        sa.Column("approach", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("model_used", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("grounding_verified", sa.Boolean(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("personalisation_score", sa.Float(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=80), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", leadpilot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("org_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_followup_drafts_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_followup_drafts_lead_id_leads"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_followup_drafts_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_drafts")),
    )
    with op.batch_alter_table("followup_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_drafts_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_followup_drafts_org_created", ["org_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_followup_drafts_lead", ["lead_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("followup_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_drafts_lead")
        batch_op.drop_index("ix_followup_drafts_org_created")
        batch_op.drop_index(batch_op.f("ix_followup_drafts_org_id"))
    op.drop_table("followup_drafts")
