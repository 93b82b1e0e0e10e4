"""Model usage per org and day: one row per (org, day, kind, provider, model), counts added up as calls are made."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, IdMixin, OrgMixin, TimestampMixin


class LlmUsage(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "llm_usage"
    # Its index, led by (org_id, day), also serves the reads by date range.
    __table_args__ = (UniqueConstraint("org_id", "day", "kind", "provider", "model"),)

    day: Mapped[date] = mapped_column(Date)  # UTC
    kind: Mapped[str] = mapped_column(String(16))  # chat | embedding
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    calls: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    completion_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    latency_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # summed over the calls
