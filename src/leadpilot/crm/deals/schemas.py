from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from leadpilot.crm.fields import Amount, PartialUpdate
from leadpilot.crm.schemas import Currency, DealStage, ReadModel, WriteModel

DealStatus = Literal["open", "won", "lost"]


class DealFields(WriteModel):
    contact_id: int | None = Field(default=None, description="Defaults to the lead's contact")
    company_id: int | None = Field(default=None, description="Defaults to the lead's or contact's company")
    lead_id: int | None = None
    owner_id: int | None = None
    pipeline: str = Field(default="default", min_length=1, max_length=64)
    amount: Amount | None = None
    currency: Currency | None = Field(default=None, description="Defaults to the org's currency")
    probability: float | None = Field(default=None, ge=0, le=1)
    expected_close_date: date | None = None
    lost_reason: str | None = Field(default=None, max_length=300)
    external_id: str | None = Field(default=None, max_length=200)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class DealCreate(DealFields):
    name: str = Field(min_length=1, max_length=300)
    stage: DealStage = DealStage.qualification


class DealUpdate(DealFields, PartialUpdate):
    """Partial update: only the fields sent are changed. Changing ``stage`` is recorded in the stage history;
    closed_won / closed_lost close the deal, any other stage reopens it."""

    not_null = frozenset({"name", "stage", "pipeline", "currency", "custom_fields"})

    name: str | None = Field(default=None, min_length=1, max_length=300)
    stage: DealStage | None = None
    pipeline: str | None = Field(default=None, min_length=1, max_length=64)  # type: ignore[assignment]
    custom_fields: dict[str, Any] | None = None  # type: ignore[assignment]


class DealRead(ReadModel):
    id: int
    name: str
    contact_id: int | None
    company_id: int | None
    lead_id: int | None
    owner_id: int | None
    pipeline: str
    stage: str
    stage_changed_at: datetime
    status: DealStatus
    amount: Decimal | None
    currency: str
    probability: float | None
    expected_close_date: date | None
    closed_at: datetime | None
    lost_reason: str | None
    external_id: str | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
