"""Conversations and their messages: references are checked, a message takes its contact and default channel from
its conversation and moves the conversation's ``last_message_at``; a message ``external_id`` is unique per org
(a repeat is a 409 naming the existing message). Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm.conversations.repository import ConversationRepository, MessageRepository
from leadpilot.crm.conversations.schemas import (
    ConversationCreate,
    ConversationRead,
    ConversationUpdate,
    MessageCreate,
    MessageRead,
)
from leadpilot.crm.models import Contact, Conversation, Lead, Message
from leadpilot.crm.references import check_reference
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.intelligence.tasks import annotate_message
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import User
from leadpilot.webhooks.events import emit_event

_REFERENCES: dict[str, type[Any]] = {"contact_id": Contact, "lead_id": Lead, "assignee_id": User}


class ConversationService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.conversations = ConversationRepository(session, principal)
        self.messages = MessageRepository(session, principal)

    def _apply(self, conversation: Conversation, fields: dict[str, Any]) -> None:
        for field, model in _REFERENCES.items():
            if field in fields:
                check_reference(self.session, self.principal, model, fields[field], field)
        for key, value in fields.items():
            setattr(conversation, key, value)
        lead = self.session.get(Lead, conversation.lead_id) if conversation.lead_id is not None else None
        if lead is not None:
            if conversation.contact_id is None:
                conversation.contact_id = lead.contact_id
            elif conversation.contact_id != lead.contact_id:
                raise InvalidInput(
                    f"lead_id {lead.id} belongs to another contact than contact_id {conversation.contact_id}",
                    extra={"field": "lead_id"},
                )

    def _audit_and_emit(self, action: str, conversation: Conversation, **audit: Any) -> ConversationRead:
        record(
            self.session,
            self.principal,
            f"conversation.{action}",
            entity_type="conversation",
            entity_id=conversation.id,
            **audit,
        )
        read = ConversationRead.model_validate(conversation)
        emit_event(self.session, self.principal.org_id, f"conversation.{action}", read.model_dump(mode="json"))
        return read

    def create(self, data: ConversationCreate) -> ConversationRead:
        conversation = Conversation(org_id=self.principal.org_id)
        self._apply(conversation, data.model_dump())
        self.conversations.add(conversation)
        return self._audit_and_emit("created", conversation)

    def update(self, conversation_id: int, data: ConversationUpdate) -> ConversationRead:
        conversation = self.conversations.access_by_id(conversation_id)
        self._apply(conversation, data.changes())
        self.session.flush()
        return self._audit_and_emit("updated", conversation, data={"fields": sorted(data.model_fields_set)})

    def delete(self, conversation_id: int) -> None:
        conversation = self.conversations.access_by_id(conversation_id)
        self.conversations.delete(conversation)
        record(
            self.session, self.principal, "conversation.deleted", entity_type="conversation", entity_id=conversation_id
        )
        emit_event(self.session, self.principal.org_id, "conversation.deleted", {"id": conversation_id})

    def get(self, conversation_id: int) -> ConversationRead:
        return ConversationRead.model_validate(self.conversations.access_by_id(conversation_id))

    def list_page(self, **filters: Any) -> tuple[list[ConversationRead], str | None]:
        """One page of conversations; ``filters`` are those of ``ConversationRepository.list_page``."""
        rows, next_cursor = self.conversations.list_page(**filters)
        return [ConversationRead.model_validate(row) for row in rows], next_cursor

    def list_messages(self, conversation_id: int, **filters: Any) -> tuple[list[MessageRead], str | None]:
        """One page of a conversation's messages, oldest first unless ``order="desc"``."""
        conversation = self.conversations.access_by_id(conversation_id)
        rows, next_cursor = self.messages.list_page(conversation_id=conversation.id, **filters)
        return [MessageRead.model_validate(row) for row in rows], next_cursor

    def _duplicate(self, external_id: str, existing_id: int) -> Conflict:
        return Conflict(
            f"A message with external_id {external_id!r} already exists",
            extra={"field": "external_id", "existing_id": existing_id},
        )

    def add_message(self, conversation_id: int, data: MessageCreate) -> MessageRead:
        conversation = self.conversations.access_by_id(conversation_id)
        if data.external_id and (existing := self.messages.id_by_external_id(data.external_id)) is not None:
            raise self._duplicate(data.external_id, existing)
        sender_type = data.sender_type
        if sender_type is None:
            sender_type = "contact" if data.direction == "inbound" else "user" if self.principal.user_id else "system"
        at = data.sent_at or utcnow()
        message = Message(
            org_id=self.principal.org_id,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            direction=data.direction,
            channel=data.channel or conversation.channel,
            sender_type=sender_type,
            sender_user_id=self.principal.user_id if sender_type == "user" else None,
            text=data.text,
            audio_ref=data.audio_ref,
            language=data.language,
            annotations={},
            status=data.status or ("received" if data.direction == "inbound" else "sent"),
            external_id=data.external_id,
            created_at=at,
        )
        try:
            with self.session.begin_nested():
                self.messages.add(message)
        except IntegrityError:
            existing = self.messages.id_by_external_id(data.external_id) if data.external_id else None
            if data.external_id is None or existing is None:
                raise
            raise self._duplicate(data.external_id, existing) from None
        if conversation.last_message_at is None or at > conversation.last_message_at:
            conversation.last_message_at = at
        self.session.flush()
        record(
            self.session,
            self.principal,
            "message.created",
            entity_type="message",
            entity_id=message.id,
            data={"conversation_id": conversation.id},
        )
        read = MessageRead.model_validate(message)
        emit_event(self.session, self.principal.org_id, "message.created", read.model_dump(mode="json"))
        enqueue_after_commit(self.session, annotate_message, self.principal.org_id, message.id)
        return read
