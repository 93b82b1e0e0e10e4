from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from leadpilot.crm.fields import Instant, PartialUpdate
from leadpilot.crm.schemas import Channel, Language, ReadModel, WriteModel

ConversationStatus = Literal["open", "pending", "closed"]
HandledBy = Literal["ai", "human"]
Direction = Literal["inbound", "outbound"]
SenderType = Literal["contact", "ai", "user", "system"]
MessageStatus = Literal["queued", "sent", "delivered", "read", "failed", "received"]

_SENDERS_BY_DIRECTION: dict[str, frozenset[str]] = {
    "inbound": frozenset({"contact", "system"}),
    "outbound": frozenset({"ai", "user", "system"}),
}


class ConversationCreate(WriteModel):
    channel: Channel
    contact_id: int | None = None
    lead_id: int | None = None
    subject: str | None = Field(default=None, max_length=500)
    status: ConversationStatus = "open"
    handled_by: HandledBy = "ai"
    assignee_id: int | None = None
    external_id: str | None = Field(default=None, max_length=200)


class ConversationUpdate(PartialUpdate):
    """Partial update: status, hand-over between the AI and a human, assignee, subject, lead."""

    not_null = frozenset({"status", "handled_by"})

    status: ConversationStatus | None = None
    handled_by: HandledBy | None = None
    assignee_id: int | None = None
    subject: str | None = Field(default=None, max_length=500)
    lead_id: int | None = None


class ConversationRead(ReadModel):
    id: int
    contact_id: int | None
    lead_id: int | None
    channel: str
    status: str
    handled_by: str
    assignee_id: int | None
    subject: str | None
    agent_config_version_id: int | None
    last_message_at: datetime | None
    external_id: str | None
    created_at: datetime
    updated_at: datetime


class MessageCreate(WriteModel):
    """Log one message of a conversation. ``sender_type`` defaults to the contact for inbound messages and to the
    calling user (or ``system`` for an API key) for outbound ones."""

    direction: Direction
    text: str = Field(default="", max_length=100_000)
    sender_type: SenderType | None = None
    channel: Channel | None = Field(default=None, description="Defaults to the conversation's channel")
    language: Language | None = None
    audio_ref: str | None = Field(default=None, max_length=500)
    status: MessageStatus | None = Field(default=None, description="Defaults to received / sent by direction")
    external_id: str | None = Field(default=None, max_length=200, description="Idempotency key: unique per org")
    sent_at: Instant | None = Field(default=None, description="When it was sent or received; defaults to now")

    @model_validator(mode="after")
    def _sender_matches_direction(self) -> MessageCreate:
        if self.sender_type is not None and self.sender_type not in _SENDERS_BY_DIRECTION[self.direction]:
            raise ValueError(f"an {self.direction} message cannot have sender_type {self.sender_type!r}")
        if not self.text and not self.audio_ref:
            raise ValueError("a message needs a text or an audio_ref")
        return self


class MessageRead(ReadModel):
    id: int
    conversation_id: int
    contact_id: int | None
    direction: str
    channel: str
    sender_type: str
    sender_user_id: int | None
    text: str
    audio_ref: str | None
    language: str | None
    annotations: dict[str, Any]
    status: str
    external_id: str | None
    created_at: datetime
