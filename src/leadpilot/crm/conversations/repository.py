from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select

from leadpilot.crm.models import Conversation, Message
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.kit.pagination import paginate

ConversationNotFound = not_found_error("Conversation")

ConversationSort = Literal["last_message_at", "created_at", "updated_at", "id"]


class ConversationRepository(OrgRepository[Conversation]):
    model = Conversation
    not_found = ConversationNotFound

    def list_page(
        self,
        *,
        contact_id: int | None = None,
        lead_id: int | None = None,
        channel: str | None = None,
        status: str | None = None,
        handled_by: str | None = None,
        assignee_id: int | None = None,
        sort: ConversationSort = "last_message_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Conversation], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "contact_id": contact_id,
            "lead_id": lead_id,
            "channel": channel,
            "status": status,
            "handled_by": handled_by,
            "assignee_id": assignee_id,
        }
        statement = self.where_equal(statement, filters)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)


class MessageRepository(OrgRepository[Message]):
    model = Message

    def list_page(
        self,
        *,
        conversation_id: int,
        direction: str | None = None,
        order: Literal["asc", "desc"] = "asc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Message], str | None]:
        statement = self.select().where(Message.conversation_id == conversation_id)
        if direction is not None:
            statement = statement.where(Message.direction == direction)
        return paginate(
            statement,
            session=self.session,
            sort_column=Message.created_at,
            id_column=Message.id,
            descending=order == "desc",
            cursor=cursor,
            limit=limit,
        )

    def id_by_external_id(self, external_id: str) -> int | None:
        return self.session.scalar(
            select(Message.id).where(Message.org_id == self.org_id, Message.external_id == external_id)
        )
