"""Follow-up drafts: every draft returned to a user, with its claim check, so what was proposed to a lead and why
can be read back (``GET /api/v1/followups/drafts``). Drafts are never sent from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin
from leadpilot.kit.clock import utcnow


class FollowupDraft(IdMixin, OrgMixin, Base):
    __tablename__ = "followup_drafts"
    __table_args__ = (
        Index("ix_followup_drafts_org_created", "org_id", "created_at", "id"),
        Index("ix_followup_drafts_lead", "lead_id", "created_at"),
    )

    # Null for an inline lead; set null when the lead is deleted, so the record of what was proposed stays.
    lead_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("leads.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    approach: Mapped[str] = mapped_column(String(16))  # rag | finetuned | hybrid
    mode: Mapped[str] = mapped_column(String(16))  # the mode that produced the message
    strategy: Mapped[str] = mapped_column(String(32))
    model_used: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    grounding_verified: Mapped[bool] = mapped_column(Boolean)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float] = mapped_column(Float)
    personalisation_score: Mapped[float] = mapped_column(Float)
    knowledge_version: Mapped[str] = mapped_column(String(80))
    # The whole response (claims with their evidence, sources, strategy, components) as returned.
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
