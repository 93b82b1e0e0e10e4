from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from leadpilot.crm.fields import Amount, PartialUpdate
from leadpilot.crm.schemas import Currency, ReadModel, WriteModel

BillingPeriod = Literal["one_time", "month", "year"]


class ProductFields(WriteModel):
    description: str | None = Field(default=None, max_length=10_000)
    category: str | None = Field(default=None, max_length=64)
    currency: Currency | None = Field(default=None, description="Defaults to the org's currency")
    billing_period: BillingPeriod | None = None
    is_active: bool = True


class ProductCreate(ProductFields):
    sku: str = Field(min_length=1, max_length=64, description="Unique per org")
    name: str = Field(min_length=1, max_length=200)
    unit_price: Amount


class ProductUpdate(ProductFields, PartialUpdate):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"sku", "name", "unit_price", "currency", "is_active"})

    sku: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_price: Amount | None = None
    is_active: bool | None = None  # type: ignore[assignment]


class ProductRead(ReadModel):
    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit_price: Decimal
    currency: str
    billing_period: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
