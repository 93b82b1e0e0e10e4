from __future__ import annotations

from datetime import datetime

from pydantic import Field

from leadpilot.crm.fields import PartialUpdate
from leadpilot.crm.schemas import ReadModel, WriteModel


class NoteFields(WriteModel):
    contact_id: int | None = None
    company_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None


class NoteCreate(NoteFields):
    """A note on at least one of a contact, company, lead or deal; the author is the caller."""

    body: str = Field(min_length=1, max_length=20_000)


class NoteUpdate(NoteFields, PartialUpdate):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"body"})

    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class NoteRead(ReadModel):
    id: int
    body: str
    author_id: int | None
    contact_id: int | None
    company_id: int | None
    lead_id: int | None
    deal_id: int | None
    created_at: datetime
    updated_at: datetime
