"""Every query of the intelligence domain, filtered to the principal's org (messages too: a job annotates a
message of its own org only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, Text, cast, or_, select
from sqlalchemy.orm import Session

from leadpilot.crm.models import Conversation, Lead, Message
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.intelligence.models import IntelligenceExample, IntelligenceModelRecord

IntelligenceExampleNotFound = not_found_error("IntelligenceExample")
MessageNotFound = not_found_error("Message")


class ExampleRepository(OrgRepository[IntelligenceExample]):
    model = IntelligenceExample
    not_found = IntelligenceExampleNotFound

    def _own(self) -> Select[IntelligenceExample]:
        return select(IntelligenceExample).where(IntelligenceExample.org_id == self.org_id)

    def newest(self, *, task: str | None = None, limit: int = 500) -> list[IntelligenceExample]:
        statement = self.where_equal(self._own(), {"task": task})
        return [*self.session.scalars(statement.order_by(IntelligenceExample.id.desc()).limit(limit))]

    def pairs(self) -> list[tuple[str, str, str]]:
        """(task, text, label) of every example of the org, oldest first."""
        rows = self.session.execute(
            select(IntelligenceExample.task, IntelligenceExample.text, IntelligenceExample.label)
            .where(IntelligenceExample.org_id == self.org_id)
            .order_by(IntelligenceExample.id)
        )
        return [(task, text, label) for task, text, label in rows]

    def find(self, task: str, text: str) -> IntelligenceExample | None:
        return self.session.scalars(
            self._own().where(IntelligenceExample.task == task, IntelligenceExample.text == text).limit(1)
        ).first()


class ModelRecordRepository(OrgRepository[IntelligenceModelRecord]):
    model = IntelligenceModelRecord

    def latest(self) -> IntelligenceModelRecord | None:
        statement = (
            select(IntelligenceModelRecord)
            .where(IntelligenceModelRecord.org_id == self.org_id)
            .order_by(IntelligenceModelRecord.trained_at.desc(), IntelligenceModelRecord.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()


class MessageAnnotationRepository(OrgRepository[Message]):
    model = Message
    not_found = MessageNotFound

    def leads_of(self, message: Message) -> list[Lead]:
        """The lead of the message's conversation, or else the open leads of its contact."""
        lead_id = self.session.scalar(
            select(Conversation.lead_id).where(
                Conversation.org_id == self.org_id, Conversation.id == message.conversation_id
            )
        )
        statement = select(Lead).where(Lead.org_id == self.org_id)
        if lead_id is not None:
            statement = statement.where(Lead.id == lead_id)
        elif message.contact_id is not None:
            statement = statement.where(Lead.contact_id == message.contact_id, Lead.status == "open")
        else:
            return []
        return [*self.session.scalars(statement.order_by(Lead.id))]


def unannotated_messages(session: Session, *, before: datetime, limit: int) -> list[tuple[int, int]]:
    """(org_id, message_id) of messages never annotated, created before ``before`` (newer ones have a job pending),
    oldest first. Used by the periodic sweep, across orgs. ``{}`` is compared as text: PostgreSQL's json type has no
    equality operator."""
    statement = (
        select(Message.org_id, Message.id)
        .where(or_(Message.annotations.is_(None), cast(Message.annotations, Text).in_(["{}", "null"])))
        .where(Message.created_at < before)
        .order_by(Message.id)
        .limit(limit)
    )
    return [(int(row[0]), int(row[1])) for row in session.execute(statement)]
