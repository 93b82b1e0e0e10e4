"""Field types shared by the CRM request schemas (companies, leads, deals, activities, notes, products,
conversations), so that money, instants and partial updates are validated the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, model_validator

from leadpilot.crm.schemas import WriteModel

_CENT = Decimal("0.01")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _to_cents(value: Decimal) -> Decimal:
    # Quantised on the way in so a value reads back identically before and after a round trip to the database.
    return value.quantize(_CENT)


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone offset, e.g. 2025-03-01T14:30:00Z or 2025-03-01T15:30:00+01:00")
    value = value.astimezone(UTC)
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 1970 and 2100")
    return value


Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_to_cents)]
"""A non-negative amount of money with at most two decimals; serialised as a string ("1234.50")."""

Instant = Annotated[datetime, AfterValidator(_aware_utc)]
"""A timezone-aware datetime, converted to UTC; a naive value is rejected (422)."""


class PartialUpdate(WriteModel):
    """Base of the ``XUpdate`` schemas: only the fields sent are changed, and the fields named in ``not_null``
    refuse an explicit ``null`` (the column cannot be empty)."""

    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _reject_nulls(self) -> Any:
        for name in sorted(self.model_fields_set & self.not_null):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as plain Python values."""
        return self.model_dump(include=self.model_fields_set)
