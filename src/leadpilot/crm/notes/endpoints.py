from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.fields import Instant
from leadpilot.crm.notes.repository import NoteSort
from leadpilot.crm.notes.schemas import NoteCreate, NoteRead, NoteUpdate
from leadpilot.crm.notes.service import NoteService
from leadpilot.crm.schemas import SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=Page[NoteRead])
def list_notes(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    lead_id: int | None = None,
    deal_id: int | None = None,
    author_id: int | None = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: NoteSort = "created_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[NoteRead]:
    items, next_cursor = NoteService(session, principal).list_page(
        q=q, contact_id=contact_id, company_id=company_id, lead_id=lead_id, deal_id=deal_id, author_id=author_id,
        created_after=created_after, created_before=created_before, sort=sort, order=order, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=NoteRead, status_code=201)
def create_note(session: SessionDep, principal: CrmWrite, body: NoteCreate) -> NoteRead:
    return NoteService(session, principal).create(body)


@router.get("/{note_id}", response_model=NoteRead)
def get_note(session: SessionDep, principal: CrmRead, note_id: int) -> NoteRead:
    return NoteService(session, principal).get(note_id)


@router.patch("/{note_id}", response_model=NoteRead)
def update_note(session: SessionDep, principal: CrmWrite, note_id: int, body: NoteUpdate) -> NoteRead:
    return NoteService(session, principal).update(note_id, body)


@router.delete("/{note_id}", status_code=204)
def delete_note(session: SessionDep, principal: CrmDelete, note_id: int) -> Response:
    NoteService(session, principal).delete(note_id)
    return Response(status_code=204)
