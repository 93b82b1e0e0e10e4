from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.contacts.repository import ContactSort
from leadpilot.crm.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.fields import Instant
from leadpilot.crm.schemas import LifecycleStage, SortOrder
from leadpilot.crm.timeline import TimelineItem, contact_timeline
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", response_model=Page[ContactRead])
def list_contacts(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    lifecycle_stage: LifecycleStage | None = None,
    company_id: int | None = None,
    owner_id: int | None = None,
    country: str | None = None,
    language: str | None = None,
    source: str | None = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: ContactSort = "created_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ContactRead]:
    service = ContactService(session, principal)
    rows, next_cursor = service.contacts.list_page(
        q=q, lifecycle_stage=lifecycle_stage, company_id=company_id, owner_id=owner_id, country=country,
        language=language, source=source, created_after=created_after, created_before=created_before,
        sort=sort, order=order, cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page(items=service.read_many(rows), next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=ContactRead, status_code=201)
def create_contact(session: SessionDep, principal: CrmWrite, body: ContactCreate) -> ContactRead:
    return ContactService(session, principal).create(body)


@router.get("/{contact_id}", response_model=ContactRead)
def get_contact(session: SessionDep, principal: CrmRead, contact_id: int) -> ContactRead:
    return ContactService(session, principal).get(contact_id)


@router.patch("/{contact_id}", response_model=ContactRead)
def update_contact(session: SessionDep, principal: CrmWrite, contact_id: int, body: ContactUpdate) -> ContactRead:
    return ContactService(session, principal).update(contact_id, body)


@router.delete("/{contact_id}", status_code=204)
def delete_contact(session: SessionDep, principal: CrmDelete, contact_id: int) -> Response:
    ContactService(session, principal).delete(contact_id)
    return Response(status_code=204)


@router.get("/{contact_id}/timeline", response_model=Page[TimelineItem])
def get_contact_timeline(
    session: SessionDep,
    principal: CrmRead,
    contact_id: int,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[TimelineItem]:
    contact = ContactService(session, principal).contacts.access_by_id(contact_id)
    items, next_cursor = contact_timeline(session, principal, contact.id, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)
