from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.deals.repository import DealSort
from leadpilot.crm.deals.schemas import DealCreate, DealRead, DealStatus, DealUpdate
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.fields import Amount, Instant
from leadpilot.crm.schemas import Currency, DealStage, SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/deals", tags=["deals"])


@router.get("", response_model=Page[DealRead])
def list_deals(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    stage: DealStage | None = None,
    status: DealStatus | None = None,
    pipeline: str | None = None,
    owner_id: int | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    lead_id: int | None = None,
    currency: Currency | None = None,
    min_amount: Amount | None = None,
    max_amount: Amount | None = None,
    expected_close_after: Annotated[date | None, Query(description="Inclusive")] = None,
    expected_close_before: Annotated[date | None, Query(description="Inclusive")] = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: DealSort = "created_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[DealRead]:
    items, next_cursor = DealService(session, principal).list_page(
        q=q, stage=stage, status=status, pipeline=pipeline, owner_id=owner_id, contact_id=contact_id,
        company_id=company_id, lead_id=lead_id, currency=currency, min_amount=min_amount, max_amount=max_amount,
        expected_close_after=expected_close_after, expected_close_before=expected_close_before,
        created_after=created_after, created_before=created_before, sort=sort, order=order, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=DealRead, status_code=201)
def create_deal(session: SessionDep, principal: CrmWrite, body: DealCreate) -> DealRead:
    return DealService(session, principal).create(body)


@router.get("/{deal_id}", response_model=DealRead)
def get_deal(session: SessionDep, principal: CrmRead, deal_id: int) -> DealRead:
    return DealService(session, principal).get(deal_id)


@router.patch("/{deal_id}", response_model=DealRead)
def update_deal(session: SessionDep, principal: CrmWrite, deal_id: int, body: DealUpdate) -> DealRead:
    return DealService(session, principal).update(deal_id, body)


@router.delete("/{deal_id}", status_code=204)
def delete_deal(session: SessionDep, principal: CrmDelete, deal_id: int) -> Response:
    DealService(session, principal).delete(deal_id)
    return Response(status_code=204)
