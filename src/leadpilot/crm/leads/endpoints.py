from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.fields import Instant
from leadpilot.crm.leads.repository import LeadSort
from leadpilot.crm.leads.schemas import LeadCreate, LeadRead, LeadStatus, LeadUpdate
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.schemas import LeadStage, SortOrder
from leadpilot.crm.timeline import TimelineItem
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/leads", tags=["leads"])


@router.get("", response_model=Page[LeadRead])
def list_leads(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search (lead and contact)")] = None,
    stage: LeadStage | None = None,
    status: LeadStatus | None = None,
    source: str | None = None,
    owner_id: int | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    score_tier: str | None = None,
    min_score: float | None = None,
    max_score: float | None = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: LeadSort = "created_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[LeadRead]:
    items, next_cursor = LeadService(session, principal).list_page(
        q=q, stage=stage, status=status, source=source, owner_id=owner_id, contact_id=contact_id,
        company_id=company_id, score_tier=score_tier, min_score=min_score, max_score=max_score,
        created_after=created_after, created_before=created_before, sort=sort, order=order, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=LeadRead, status_code=201)
def create_lead(session: SessionDep, principal: CrmWrite, body: LeadCreate) -> LeadRead:
    return LeadService(session, principal).create(body)


@router.get("/{lead_id}", response_model=LeadRead)
def get_lead(session: SessionDep, principal: CrmRead, lead_id: int) -> LeadRead:
    return LeadService(session, principal).get(lead_id)


@router.patch("/{lead_id}", response_model=LeadRead)
def update_lead(session: SessionDep, principal: CrmWrite, lead_id: int, body: LeadUpdate) -> LeadRead:
    return LeadService(session, principal).update(lead_id, body)


@router.delete("/{lead_id}", status_code=204)
def delete_lead(session: SessionDep, principal: CrmDelete, lead_id: int) -> Response:
    LeadService(session, principal).delete(lead_id)
    return Response(status_code=204)


@router.get("/{lead_id}/timeline", response_model=Page[TimelineItem])
def lead_timeline(
    session: SessionDep,
    principal: CrmRead,
    lead_id: int,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[TimelineItem]:
    """Newest first: the contact's activities and messages, notes on the lead or its contact, and stage changes."""
    items, next_cursor = LeadService(session, principal).timeline(lead_id, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)
