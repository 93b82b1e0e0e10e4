"""CRM records: companies, contacts and their identities, leads, deals, stage history, activities, products,
notes, conversations and messages.

Every table is tenant-scoped (``org_id``). Money is ``Numeric(14, 2)`` with an ISO-4217 currency beside it.
``search_text`` holds the words a record is found by; the full-text index over it is dialect-specific
(SQLite FTS5, PostgreSQL GIN on ``to_tsvector``), see ``crm/search.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin, TimestampMixin
from leadpilot.kit.clock import utcnow

Money = Numeric(14, 2)


def _fk(table: str, *, nullable: bool = True, ondelete: str = "SET NULL", index: bool = False) -> Any:
    """A reference column. ``index=True`` where the parent is deleted in practice: without an index, PostgreSQL
    scans the whole child table for every parent row it cascades or nulls."""
    return mapped_column(BigId, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=index)


class Company(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        UniqueConstraint("org_id", "domain"),
        Index("ix_companies_org_created", "org_id", "created_at", "id"),
        Index("ix_companies_org_name", "org_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str | None] = mapped_column(String(253))
    industry: Mapped[str | None] = mapped_column(String(120))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = _fk("users")
    external_id: Mapped[str | None] = mapped_column(String(200))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")


class Contact(IdMixin, TimestampMixin, OrgMixin, Base):
    """A person. ``email`` / ``phone`` are the primary ones; every known address lives in ContactIdentity."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_contacts_org_created", "org_id", "created_at", "id"),
        Index("ix_contacts_org_updated", "org_id", "updated_at", "id"),
        Index("ix_contacts_org_last_name", "org_id", "last_name", "id"),
        Index("ix_contacts_org_lifecycle", "org_id", "lifecycle_stage"),
    )

    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(64))
    company_id: Mapped[int | None] = _fk("companies", index=True)
    owner_id: Mapped[int | None] = _fk("users")
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(120))
    # subscriber | lead | opportunity | customer | former_customer
    lifecycle_stage: Mapped[str] = mapped_column(String(32), default="lead")
    source: Mapped[str | None] = mapped_column(String(64))
    # {"email": {"status": "granted"|"denied"|"unknown", "at": iso, "source": str}, "sms": ..., ...}
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # channels the person opted out of ("email", "sms", "voice", "whatsapp", "all"); never contacted there
    opted_out: Mapped[list[str]] = mapped_column(JSON, default=list)
    external_id: Mapped[str | None] = mapped_column(String(200))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")


class ContactIdentity(IdMixin, OrgMixin, Base):
    """One way to recognise a contact: a normalised email, an E.164 phone, an external or session id.

    The unique constraint is what de-duplicates imports and what the receptionist resolves senders by.
    """

    __tablename__ = "contact_identities"
    __table_args__ = (
        UniqueConstraint("org_id", "kind", "value"),
        Index("ix_contact_identities_contact", "contact_id", "org_id"),
    )

    contact_id: Mapped[int] = _fk("contacts", nullable=False, ondelete="CASCADE")
    kind: Mapped[str] = mapped_column(String(16))  # email | phone | external | session
    value: Mapped[str] = mapped_column(String(320))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "sku"),)

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    billing_period: Mapped[str | None] = mapped_column(String(16))  # one_time | month | year
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Lead(IdMixin, TimestampMixin, OrgMixin, Base):
    """A contact's interest in buying. Stages: new → contacted → engaged → qualified → meeting_booked →
    converted, or disqualified at any point. Every stage change is kept in StageChange."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_leads_org_created", "org_id", "created_at", "id"),
        Index("ix_leads_org_score", "org_id", "score", "id"),
        Index("ix_leads_org_stage", "org_id", "stage"),
        # Led by contact_id for "leads of these contacts" (search by the contact's name); org_id makes it covering.
        Index("ix_leads_contact", "contact_id", "org_id"),
    )

    contact_id: Mapped[int] = _fk("contacts", nullable=False, ondelete="CASCADE")
    company_id: Mapped[int | None] = _fk("companies", index=True)
    owner_id: Mapped[int | None] = _fk("users")
    title: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(String(64))
    source_detail: Mapped[str | None] = mapped_column(String(300))
    product_interest: Mapped[str | None] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(32), default="new")
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | converted | lost
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    converted_at: Mapped[datetime | None]
    last_contacted_at: Mapped[datetime | None]
    # scoring (written by the scoring service; null until scored)
    score: Mapped[float | None] = mapped_column(Float)
    score_probability: Mapped[float | None] = mapped_column(Float)
    score_tier: Mapped[str | None] = mapped_column(String(16))
    score_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    score_model_version: Mapped[str | None] = mapped_column(String(64))
    scored_at: Mapped[datetime | None]
    # BANT
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[str | None] = mapped_column(String(200))
    need: Mapped[str | None] = mapped_column(Text)
    timeline: Mapped[date | None] = mapped_column(Date)
    bant_evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_id: Mapped[str | None] = mapped_column(String(200))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")


class Deal(IdMixin, TimestampMixin, OrgMixin, Base):
    """Pipeline stages: qualification → needs_analysis → proposal → negotiation → closed_won | closed_lost."""

    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_deals_org_created", "org_id", "created_at", "id"),
        Index("ix_deals_org_stage", "org_id", "stage"),
        Index("ix_deals_org_close", "org_id", "expected_close_date", "id"),
    )

    name: Mapped[str] = mapped_column(String(300))
    contact_id: Mapped[int | None] = _fk("contacts", index=True)
    company_id: Mapped[int | None] = _fk("companies", index=True)
    lead_id: Mapped[int | None] = _fk("leads", index=True)
    owner_id: Mapped[int | None] = _fk("users")
    pipeline: Mapped[str] = mapped_column(String(64), default="default")
    stage: Mapped[str] = mapped_column(String(32), default="qualification")
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | won | lost
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    probability: Mapped[float | None] = mapped_column(Float)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(200))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")


class StageChange(IdMixin, OrgMixin, Base):
    """History of lead and deal stages; scoring reads it point-in-time (the stage *as of* a moment)."""

    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_entity", "entity_type", "entity_id", "changed_at"),)

    entity_type: Mapped[str] = mapped_column(String(16))  # lead | deal
    entity_id: Mapped[int] = mapped_column(BigId)
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(BigId)


class Activity(IdMixin, OrgMixin, Base):
    """A timestamped event about a contact: the raw material of features, segments and timelines.

    Types: email_sent, email_opened, email_clicked, email_replied, email_bounced, web_visit, form_submitted,
    call, meeting, sms_sent, sms_received, purchase, refund, note (see ``crm.schemas.ActivityType``).
    """

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_activities_org_contact_time", "org_id", "contact_id", "occurred_at"),
        Index("ix_activities_org_time", "org_id", "occurred_at", "id"),
        Index("ix_activities_org_type_time", "org_id", "type", "occurred_at"),
        Index("ix_activities_lead", "lead_id"),
    )

    contact_id: Mapped[int | None] = _fk("contacts", ondelete="CASCADE", index=True)
    company_id: Mapped[int | None] = _fk("companies", index=True)
    lead_id: Mapped[int | None] = _fk("leads")
    deal_id: Mapped[int | None] = _fk("deals", index=True)
    product_id: Mapped[int | None] = _fk("products")
    user_id: Mapped[int | None] = _fk("users")
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column()
    channel: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(1000))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    quantity: Mapped[int | None] = mapped_column(Integer)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Note(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_org_created", "org_id", "created_at", "id"),
        Index("ix_notes_lead", "lead_id"),
        Index("ix_notes_contact", "contact_id"),
    )

    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _fk("users")
    contact_id: Mapped[int | None] = _fk("contacts", ondelete="CASCADE")
    company_id: Mapped[int | None] = _fk("companies", ondelete="CASCADE", index=True)
    lead_id: Mapped[int | None] = _fk("leads", ondelete="CASCADE")
    deal_id: Mapped[int | None] = _fk("deals", ondelete="CASCADE", index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")


class Conversation(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_org_last", "org_id", "last_message_at", "id"),
        Index("ix_conversations_contact", "contact_id"),
    )

    contact_id: Mapped[int | None] = _fk("contacts", ondelete="CASCADE")
    lead_id: Mapped[int | None] = _fk("leads", index=True)
    channel: Mapped[str] = mapped_column(String(16))  # chat | email | sms | voice | whatsapp
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | pending | closed
    handled_by: Mapped[str] = mapped_column(String(8), default="ai")  # ai | human
    assignee_id: Mapped[int | None] = _fk("users")
    subject: Mapped[str | None] = mapped_column(String(500))
    agent_config_version_id: Mapped[int | None] = mapped_column(BigId)
    last_message_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(200))


class Message(IdMixin, OrgMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_time", "conversation_id", "created_at"),
        Index("ix_messages_org_contact_time", "org_id", "contact_id", "created_at"),
        UniqueConstraint("org_id", "external_id"),
    )

    conversation_id: Mapped[int] = _fk("conversations", nullable=False, ondelete="CASCADE")
    contact_id: Mapped[int | None] = _fk("contacts", ondelete="CASCADE", index=True)
    direction: Mapped[str] = mapped_column(String(8))  # inbound | outbound
    channel: Mapped[str] = mapped_column(String(16))
    sender_type: Mapped[str] = mapped_column(String(8))  # contact | ai | user | system
    sender_user_id: Mapped[int | None] = _fk("users")
    text: Mapped[str] = mapped_column(Text, default="")
    audio_ref: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(16))
    # sentiment, intent, objections, buying signals, BANT facts, each with evidence (filled by intelligence)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="received")
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
