"""Note rules: a note is attached to at least one record of the caller's org, written by the caller, and edited
only by its author or a manager. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role, role_rank
from leadpilot.crm import search
from leadpilot.crm.models import Company, Contact, Deal, Lead, Note
from leadpilot.crm.notes.repository import NoteRepository
from leadpilot.crm.notes.schemas import NoteCreate, NoteRead, NoteUpdate
from leadpilot.crm.references import check_reference
from leadpilot.errors import InvalidInput, PermissionDenied
from leadpilot.webhooks.events import emit_event

_TARGETS: dict[str, type[Any]] = {"contact_id": Contact, "company_id": Company, "lead_id": Lead, "deal_id": Deal}


class NoteService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.notes = NoteRepository(session, principal)

    def _apply(self, note: Note, fields: dict[str, Any]) -> None:
        for field, model in _TARGETS.items():
            if field in fields:
                check_reference(self.session, self.principal, model, fields[field], field)
        for key, value in fields.items():
            setattr(note, key, value)
        if all(getattr(note, field) is None for field in _TARGETS):
            raise InvalidInput(
                "A note needs a contact_id, company_id, lead_id or deal_id", extra={"field": "contact_id"}
            )
        note.search_text = search.normalize(note.body)

    def _audit_and_emit(self, action: str, note: Note, **audit: Any) -> NoteRead:
        record(self.session, self.principal, f"note.{action}", entity_type="note", entity_id=note.id, **audit)
        read = NoteRead.model_validate(note)
        emit_event(self.session, self.principal.org_id, f"note.{action}", read.model_dump(mode="json"))
        return read

    def create(self, data: NoteCreate) -> NoteRead:
        note = Note(org_id=self.principal.org_id, author_id=self.principal.user_id)
        self._apply(note, data.model_dump())
        self.notes.add(note)
        return self._audit_and_emit("created", note)

    def update(self, note_id: int, data: NoteUpdate) -> NoteRead:
        note = self.notes.access_by_id(note_id)
        if note.author_id != self.principal.user_id and role_rank(self.principal.role) < role_rank(Role.manager):
            raise PermissionDenied("Only the note's author or a manager can edit it")
        self._apply(note, data.changes())
        self.session.flush()
        return self._audit_and_emit("updated", note, data={"fields": sorted(data.model_fields_set)})

    def delete(self, note_id: int) -> None:
        note = self.notes.access_by_id(note_id)
        self.notes.delete(note)
        record(self.session, self.principal, "note.deleted", entity_type="note", entity_id=note_id)
        emit_event(self.session, self.principal.org_id, "note.deleted", {"id": note_id})

    def get(self, note_id: int) -> NoteRead:
        return NoteRead.model_validate(self.notes.access_by_id(note_id))

    def list_page(self, **filters: Any) -> tuple[list[NoteRead], str | None]:
        """One page of notes; ``filters`` are those of ``NoteRepository.list_page``."""
        rows, next_cursor = self.notes.list_page(**filters)
        return [NoteRead.model_validate(row) for row in rows], next_cursor
