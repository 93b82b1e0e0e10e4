from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from leadpilot.crm.models import Note
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

NoteNotFound = not_found_error("Note")

NoteSort = Literal["created_at", "updated_at", "id"]


class NoteRepository(OrgRepository[Note]):
    model = Note
    not_found = NoteNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        contact_id: int | None = None,
        company_id: int | None = None,
        lead_id: int | None = None,
        deal_id: int | None = None,
        author_id: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: NoteSort = "created_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Note], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "contact_id": contact_id,
            "company_id": company_id,
            "lead_id": lead_id,
            "deal_id": deal_id,
            "author_id": author_id,
        }
        statement = self.where_equal(statement, filters)
        if created_after is not None:
            statement = statement.where(Note.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(Note.created_at < created_before)
        statement = self.where_matches(statement, q)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)
