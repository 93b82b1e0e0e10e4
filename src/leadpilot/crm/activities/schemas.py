from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from leadpilot.crm.fields import Amount, Instant, PartialUpdate
from leadpilot.crm.schemas import ActivityType, Channel, Currency, ReadModel, WriteModel
from leadpilot.kit.clock import utcnow

MONEY_TYPES = frozenset({ActivityType.purchase, ActivityType.refund})
# Calls and meetings may be logged ahead of time; anything else in the future is a clock or data error.
SCHEDULABLE_TYPES = frozenset({ActivityType.call, ActivityType.meeting})
MAX_AHEAD_SCHEDULED = timedelta(days=366)
MAX_AHEAD = timedelta(days=1)


def activity_rule_violation(
    type_: str, occurred_at: datetime, amount: Decimal | None, currency: str | None
) -> tuple[str, str] | None:
    """(field, message) for the first domain rule the activity breaks, or None."""
    if type_ in MONEY_TYPES:
        if amount is None:
            return "amount", f"a {type_} needs an amount"
        if currency is None:
            return "currency", f"a {type_} needs a currency"
    ahead = MAX_AHEAD_SCHEDULED if type_ in SCHEDULABLE_TYPES else MAX_AHEAD
    if occurred_at > utcnow() + ahead:
        return "occurred_at", f"occurred_at is too far in the future for a {type_} (at most {ahead.days} day(s) ahead)"
    return None


class ActivityFields(WriteModel):
    contact_id: int | None = Field(default=None, description="Defaults to the lead's or deal's contact")
    company_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None
    product_id: int | None = None
    user_id: int | None = Field(default=None, description="The user who did it (call, meeting, ...)")
    channel: Channel | None = None
    subject: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=1000)
    duration_seconds: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
    amount: Amount | None = Field(default=None, description="Required for purchase and refund (a refund is positive)")
    currency: Currency | None = None
    quantity: int | None = Field(default=None, ge=0, le=1_000_000)
    properties: dict[str, Any] = Field(default_factory=dict)
    source: str | None = Field(default=None, max_length=64)
    external_id: str | None = Field(default=None, max_length=200, description="Idempotency key: unique per org")


class ActivityCreate(ActivityFields):
    type: ActivityType
    occurred_at: Instant = Field(description="Timezone-aware, e.g. 2025-03-01T14:30:00Z")

    @model_validator(mode="after")
    def _rules(self) -> ActivityCreate:
        violation = activity_rule_violation(self.type, self.occurred_at, self.amount, self.currency)
        if violation is not None:
            raise ValueError(violation[1])
        return self


class ActivityUpdate(ActivityFields, PartialUpdate):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"type", "occurred_at", "properties"})

    type: ActivityType | None = None
    occurred_at: Instant | None = None
    properties: dict[str, Any] | None = None  # type: ignore[assignment]


class ActivityRead(ReadModel):
    id: int
    type: str
    occurred_at: datetime
    contact_id: int | None
    company_id: int | None
    lead_id: int | None
    deal_id: int | None
    product_id: int | None
    user_id: int | None
    channel: str | None
    subject: str | None
    url: str | None
    duration_seconds: int | None
    amount: Decimal | None
    currency: str | None
    quantity: int | None
    properties: dict[str, Any]
    source: str | None
    external_id: str | None
    created_at: datetime
