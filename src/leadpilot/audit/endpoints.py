"""``GET /api/v1/audit-events``: the org's audit log, newest first, filtered and paged by cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from leadpilot.audit.repository import AuditEventRepository
from leadpilot.audit.schemas import AuditEventRead
from leadpilot.auth.dependencies import AuditRead, SessionDep
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEventRead])
def list_audit_events(
    session: SessionDep,
    principal: AuditRead,
    action: Annotated[
        str | None, Query(max_length=64, description="Exact action, or a prefix ending in '.*' (e.g. 'auth.*')")
    ] = None,
    entity_type: Annotated[str | None, Query(max_length=64)] = None,
    entity_id: int | None = None,
    actor_user_id: int | None = None,
    actor_api_key_id: int | None = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditEventRead]:
    rows, next_cursor = AuditEventRepository(session, principal).list_page(
        action=action, entity_type=entity_type, entity_id=entity_id, actor_user_id=actor_user_id,
        actor_api_key_id=actor_api_key_id, request_id=request_id, created_after=created_after,
        created_before=created_before, cursor=cursor, limit=limit,
    )  # fmt: skip
    items = [AuditEventRead.model_validate(r) for r in rows]
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)
