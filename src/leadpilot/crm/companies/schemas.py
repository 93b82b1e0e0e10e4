from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from leadpilot.crm.fields import Amount, PartialUpdate
from leadpilot.crm.schemas import Country, Currency, ReadModel, Timezone, WriteModel

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


def normalize_domain(value: str) -> str:
    """'https://www.Acme.com/about' → 'acme.com'."""
    text = value.strip().lower()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.").rstrip(".")
    if not _DOMAIN.match(host):
        raise ValueError(f"not a domain name: {value!r} (e.g. 'acme.com')")
    return host


def normalize_website(value: str) -> str:
    text = value.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = f"https://{text}"
    normalize_domain(text)
    return text


Domain = Annotated[str, AfterValidator(normalize_domain)]
Website = Annotated[str, Field(max_length=500), AfterValidator(normalize_website)]


class CompanyFields(WriteModel):
    domain: Domain | None = Field(default=None, description="Stored without scheme and 'www.'; unique per org")
    industry: str | None = Field(default=None, max_length=120)
    employee_count: int | None = Field(default=None, ge=0, le=10_000_000)
    annual_revenue: Amount | None = None
    currency: Currency | None = None
    country: Country | None = None
    city: str | None = Field(default=None, max_length=120)
    timezone: Timezone | None = None
    website: Website | None = None
    owner_id: int | None = None
    external_id: str | None = Field(default=None, max_length=200)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class CompanyCreate(CompanyFields):
    name: str = Field(min_length=1, max_length=300)


class CompanyUpdate(CompanyFields, PartialUpdate):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"name", "custom_fields"})

    name: str | None = Field(default=None, min_length=1, max_length=300)
    custom_fields: dict[str, Any] | None = None  # type: ignore[assignment]


class CompanyRead(ReadModel):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employee_count: int | None
    annual_revenue: Decimal | None
    currency: str | None
    country: str | None
    city: str | None
    timezone: str | None
    website: str | None
    owner_id: int | None
    external_id: str | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
