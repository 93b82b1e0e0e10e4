from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from leadpilot.crm.fields import Amount, PartialUpdate
from leadpilot.crm.schemas import Currency, LeadStage, ReadModel, WriteModel

LeadStatus = Literal["open", "converted", "lost"]


class LeadFields(WriteModel):
    company_id: int | None = Field(default=None, description="Defaults to the contact's company")
    owner_id: int | None = None
    title: str | None = Field(default=None, max_length=300)
    source: str | None = Field(default=None, max_length=64)
    source_detail: str | None = Field(default=None, max_length=300)
    product_interest: str | None = Field(default=None, max_length=200)
    lost_reason: str | None = Field(default=None, max_length=300)
    budget_amount: Amount | None = Field(default=None, description="BANT: budget")
    budget_currency: Currency | None = None
    authority: str | None = Field(default=None, max_length=200, description="BANT: who decides")
    need: str | None = Field(default=None, max_length=5000, description="BANT: the problem to solve")
    timeline: date | None = Field(default=None, description="BANT: when they intend to buy")
    external_id: str | None = Field(default=None, max_length=200)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadCreate(LeadFields):
    contact_id: int
    stage: LeadStage = LeadStage.new


class LeadUpdate(LeadFields, PartialUpdate):
    """Partial update: only the fields sent are changed. Changing ``stage`` is recorded in the stage history."""

    not_null = frozenset({"contact_id", "stage", "custom_fields"})

    contact_id: int | None = None
    stage: LeadStage | None = None
    custom_fields: dict[str, Any] | None = None  # type: ignore[assignment]


class LeadRead(ReadModel):
    id: int
    contact_id: int
    company_id: int | None
    owner_id: int | None
    title: str | None
    source: str | None
    source_detail: str | None
    product_interest: str | None
    stage: str
    stage_changed_at: datetime
    status: LeadStatus
    lost_reason: str | None
    converted_at: datetime | None
    last_contacted_at: datetime | None
    score: float | None
    score_probability: float | None
    score_tier: str | None
    score_reasons: list[Any]
    score_model_version: str | None
    scored_at: datetime | None
    budget_amount: Decimal | None
    budget_currency: str | None
    authority: str | None
    need: str | None
    timeline: date | None
    bant_evidence: dict[str, Any]
    external_id: str | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
