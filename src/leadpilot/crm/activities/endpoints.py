from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.activities.repository import ActivitySort
from leadpilot.crm.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate
from leadpilot.crm.activities.service import ActivityService
from leadpilot.crm.fields import Instant
from leadpilot.crm.schemas import ActivityType, Channel, SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/activities", tags=["activities"])


@router.get("", response_model=Page[ActivityRead])
def list_activities(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    type: ActivityType | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    lead_id: int | None = None,
    deal_id: int | None = None,
    product_id: int | None = None,
    user_id: int | None = None,
    channel: Channel | None = None,
    source: str | None = None,
    occurred_after: Instant | None = None,
    occurred_before: Instant | None = None,
    sort: ActivitySort = "occurred_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ActivityRead]:
    items, next_cursor = ActivityService(session, principal).list_page(
        q=q, type=type, contact_id=contact_id, company_id=company_id, lead_id=lead_id, deal_id=deal_id,
        product_id=product_id, user_id=user_id, channel=channel, source=source, occurred_after=occurred_after,
        occurred_before=occurred_before, sort=sort, order=order, cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=ActivityRead, status_code=201)
def create_activity(session: SessionDep, principal: CrmWrite, body: ActivityCreate) -> ActivityRead:
    """Log an activity. With an ``external_id`` the call is idempotent: a repeat is a 409 with ``existing_id``."""
    return ActivityService(session, principal).create(body)


@router.get("/{activity_id}", response_model=ActivityRead)
def get_activity(session: SessionDep, principal: CrmRead, activity_id: int) -> ActivityRead:
    return ActivityService(session, principal).get(activity_id)


@router.patch("/{activity_id}", response_model=ActivityRead)
def update_activity(session: SessionDep, principal: CrmWrite, activity_id: int, body: ActivityUpdate) -> ActivityRead:
    return ActivityService(session, principal).update(activity_id, body)


@router.delete("/{activity_id}", status_code=204)
def delete_activity(session: SessionDep, principal: CrmDelete, activity_id: int) -> Response:
    ActivityService(session, principal).delete(activity_id)
    return Response(status_code=204)
