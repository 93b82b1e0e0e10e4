from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.conversations.repository import ConversationSort
from leadpilot.crm.conversations.schemas import (
    ConversationCreate,
    ConversationRead,
    ConversationStatus,
    ConversationUpdate,
    Direction,
    HandledBy,
    MessageCreate,
    MessageRead,
)
from leadpilot.crm.conversations.service import ConversationService
from leadpilot.crm.schemas import Channel, SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/conversations", tags=["conversations"])


@router.get("", response_model=Page[ConversationRead])
def list_conversations(
    session: SessionDep,
    principal: CrmRead,
    contact_id: int | None = None,
    lead_id: int | None = None,
    channel: Channel | None = None,
    status: ConversationStatus | None = None,
    handled_by: HandledBy | None = None,
    assignee_id: int | None = None,
    sort: ConversationSort = "last_message_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ConversationRead]:
    items, next_cursor = ConversationService(session, principal).list_page(
        contact_id=contact_id, lead_id=lead_id, channel=channel, status=status, handled_by=handled_by,
        assignee_id=assignee_id, sort=sort, order=order, cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=ConversationRead, status_code=201)
def create_conversation(session: SessionDep, principal: CrmWrite, body: ConversationCreate) -> ConversationRead:
    return ConversationService(session, principal).create(body)


@router.get("/{conversation_id}", response_model=ConversationRead)
def get_conversation(session: SessionDep, principal: CrmRead, conversation_id: int) -> ConversationRead:
    return ConversationService(session, principal).get(conversation_id)


@router.patch("/{conversation_id}", response_model=ConversationRead)
def update_conversation(
    session: SessionDep, principal: CrmWrite, conversation_id: int, body: ConversationUpdate
) -> ConversationRead:
    return ConversationService(session, principal).update(conversation_id, body)


@router.delete("/{conversation_id}", status_code=204)
def delete_conversation(session: SessionDep, principal: CrmDelete, conversation_id: int) -> Response:
    ConversationService(session, principal).delete(conversation_id)
    return Response(status_code=204)


@router.get("/{conversation_id}/messages", response_model=Page[MessageRead])
def list_messages(
    session: SessionDep,
    principal: CrmRead,
    conversation_id: int,
    direction: Direction | None = None,
    order: SortOrder = "asc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[MessageRead]:
    items, next_cursor = ConversationService(session, principal).list_messages(
        conversation_id, direction=direction, order=order, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("/{conversation_id}/messages", response_model=MessageRead, status_code=201)
def create_message(session: SessionDep, principal: CrmWrite, conversation_id: int, body: MessageCreate) -> MessageRead:
    return ConversationService(session, principal).add_message(conversation_id, body)
