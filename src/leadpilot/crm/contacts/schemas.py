from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from leadpilot.crm.schemas import (
    Channel,
    ConsentStatus,
    Country,
    Email,
    Language,
    LifecycleStage,
    ReadModel,
    Timezone,
    WriteModel,
)


class ConsentIn(WriteModel):
    status: ConsentStatus
    source: str | None = Field(default=None, max_length=120)
    at: datetime | None = None


class ContactFields(WriteModel):
    first_name: str | None = Field(default=None, max_length=120)
    last_name: str | None = Field(default=None, max_length=120)
    email: Email | None = None
    other_emails: list[Email] = Field(default_factory=list, max_length=20)
    phone: str | None = Field(default=None, max_length=40, description="Any format; stored as E.164")
    other_phones: list[str] = Field(default_factory=list, max_length=20)
    title: str | None = Field(default=None, max_length=200)
    seniority: str | None = Field(default=None, max_length=32)
    department: str | None = Field(default=None, max_length=64)
    company_id: int | None = None
    owner_id: int | None = None
    timezone: Timezone | None = None
    language: Language | None = None
    country: Country | None = None
    city: str | None = Field(default=None, max_length=120)
    lifecycle_stage: LifecycleStage = LifecycleStage.lead
    source: str | None = Field(default=None, max_length=64)
    consent: dict[Channel, ConsentIn] = Field(default_factory=dict)
    opted_out: list[Channel | str] = Field(default_factory=list)
    external_id: str | None = Field(default=None, max_length=200)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ContactCreate(ContactFields):
    pass


class ContactUpdate(ContactFields):
    """Partial update: only the fields sent are changed."""

    lifecycle_stage: LifecycleStage | None = None  # type: ignore[assignment]


class ContactRead(ReadModel):
    id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    title: str | None
    seniority: str | None
    department: str | None
    company_id: int | None
    owner_id: int | None
    timezone: str | None
    language: str | None
    country: str | None
    city: str | None
    lifecycle_stage: str
    source: str | None
    consent: dict[str, Any]
    opted_out: list[str]
    external_id: str | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
