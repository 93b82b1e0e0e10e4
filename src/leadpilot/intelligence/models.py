"""Intelligence records: an org's own labelled examples, and the quality of each retrained classifier set.

    IntelligenceExample ── one text with its label for one task, added by a user; merged with the shipped examples
    IntelligenceModelRecord ── one retraining: which examples it saw, cross-validated and held-out quality per task

Trained classifiers are not stored: they are rebuilt (deterministically) from the shipped and the org's examples
by any process that needs them, keyed on the examples' version (``IntelligenceService.examples_version``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin
from leadpilot.kit.clock import utcnow


class IntelligenceExample(IdMixin, OrgMixin, Base):
    __tablename__ = "intelligence_examples"
    __table_args__ = (Index("ix_intelligence_examples_org_task", "org_id", "task", "id"),)

    task: Mapped[str] = mapped_column(String(32))  # intent | objection | sentiment | emotion | buying_signal
    label: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntelligenceModelRecord(IdMixin, OrgMixin, Base):
    __tablename__ = "intelligence_models"
    __table_args__ = (Index("ix_intelligence_models_org_time", "org_id", "trained_at"),)

    version: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual | example | scheduled
    examples: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # task → {"total", "org"}
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"cv": {task: ...}, "heldout": {...}}
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
