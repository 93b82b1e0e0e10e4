"""Outgoing webhooks: endpoints an org registers and the deliveries made to them.

A delivery is one event for one endpoint. Its life: ``pending`` (attempts 0..max-1, ``next_attempt_at`` says when
the next attempt is due; while an attempt is in flight it holds a short lease) → ``delivered`` or ``failed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin, TimestampMixin


class WebhookEndpoint(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(1000))
    # Signs every delivery (HMAC-SHA256); needed in clear to sign, shown to the org only when created or rotated.
    secret: Mapped[str] = mapped_column(String(128))
    # event types to send, e.g. ["lead.created", "deal.*"]; ["*"] sends all
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    endpoint_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
