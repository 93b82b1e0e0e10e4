"""Request options and read models of import jobs."""

from __future__ import annotations

import codecs
from datetime import datetime
from enum import StrEnum
from typing import Any

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadpilot.crm import validation
from leadpilot.crm.schemas import ReadModel


class ImportEntity(StrEnum):
    contacts = "contacts"
    companies = "companies"
    leads = "leads"
    deals = "deals"
    activities = "activities"


class FileFormat(StrEnum):
    csv = "csv"
    json = "json"  # an array of objects, or one object per line (JSON lines)


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"


DEFAULT_CHUNK_SIZE = 5000


class ImportOptions(BaseModel):
    """Options of one import. Unset values fall back to the org's settings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phone_region: str | None = Field(
        default=None, description="Region for phone numbers written without +country code (default: the org's)"
    )
    timezone: str | None = Field(default=None, description="Zone of date-times without an offset (default: the org's)")
    currency: str | None = Field(default=None, description="Currency of amounts without one (default: the org's)")
    delimiter: str | None = Field(default=None, description="CSV delimiter (default: detected from the header)")
    encoding: str | None = Field(default=None, description="Text encoding (default: UTF-8, else Latin-1)")
    create_contacts: bool | None = Field(
        default=None,
        description="Create the contact a lead, deal or activity names when it does not exist yet "
        "(default: yes for leads, no for deals and activities)",
    )
    create_companies: bool = Field(default=True, description="Create companies named by contacts, leads and deals")
    chunk_size: int = Field(default=DEFAULT_CHUNK_SIZE, ge=1, le=50_000)

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is None:
            return None
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region: {value!r} (an ISO 3166 code such as 'US' or 'DE')")
        return region

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else validation.normalize_timezone(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else validation.normalize_currency(value)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if value in ("\\t", "tab"):
            return "\t"
        if len(value) != 1 or value in '"\r\n':
            raise ValueError("must be one character such as ',', ';', '|' or 'tab'")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return codecs.lookup(value).name
        except LookupError as exc:
            raise ValueError(f"unknown encoding: {value!r}") from exc


class ImportJobRead(ReadModel):
    id: int
    entity: str
    file_format: str
    filename: str | None
    size_bytes: int
    status: str
    progress: float = Field(description="Percentage of the rows processed")
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    failure: str | None
    mapping: dict[str, Any]
    options: dict[str, Any]
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportJobList(BaseModel):
    items: list[ImportJobRead]


class ImportRowErrorRead(ReadModel):
    row_number: int
    field: str | None
    column: str | None
    message: str
    raw: dict[str, Any]


class ImportErrorPage(BaseModel):
    items: list[ImportRowErrorRead]
    total: int
    limit: int
    offset: int
