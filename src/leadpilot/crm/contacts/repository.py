from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, select

from leadpilot.crm.models import Contact, ContactIdentity, Lead
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

ContactNotFound = not_found_error("Contact")

ContactSort = Literal["created_at", "updated_at", "last_name", "id"]


class ContactRepository(OrgRepository[Contact]):
    model = Contact
    not_found = ContactNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        lifecycle_stage: str | None = None,
        company_id: int | None = None,
        owner_id: int | None = None,
        country: str | None = None,
        language: str | None = None,
        source: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: ContactSort = "created_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Contact], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "lifecycle_stage": lifecycle_stage,
            "company_id": company_id,
            "owner_id": owner_id,
            "country": country,
            "language": language,
            "source": source,
        }
        statement = self.where_equal(statement, filters)
        if created_after is not None:
            statement = statement.where(Contact.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(Contact.created_at < created_before)
        statement = self.where_matches(statement, q)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def find_by_identity(self, kind: str, value: str) -> Contact | None:
        statement = (
            self.select()
            .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)
            .where(ContactIdentity.org_id == self.org_id, ContactIdentity.kind == kind, ContactIdentity.value == value)
        )
        return self.session.scalar(statement)

    def identities(self, contact_ids: list[int]) -> dict[int, list[Row[Any]]]:
        """(kind, value) rows of each contact's identities, primary first. Plain rows, not ORM objects: a page of 50
        contacts reads ~150 of them, and building entities for them cost more than the query."""
        result: dict[int, list[Row[Any]]] = defaultdict(list)
        if not contact_ids:
            return result
        rows = self.session.execute(
            select(ContactIdentity.contact_id, ContactIdentity.kind, ContactIdentity.value)
            .where(ContactIdentity.org_id == self.org_id, ContactIdentity.contact_id.in_(contact_ids))
            .order_by(ContactIdentity.is_primary.desc(), ContactIdentity.id)
        )
        for row in rows:
            result[row.contact_id].append(row)
        return result

    def lead_ids(self, contact_id: int) -> list[int]:
        return list(
            self.session.scalars(select(Lead.id).where(Lead.org_id == self.org_id, Lead.contact_id == contact_id))
        )

    def identity_owner(self, kind: str, value: str) -> int | None:
        return self.session.scalar(
            select(ContactIdentity.contact_id).where(
                ContactIdentity.org_id == self.org_id, ContactIdentity.kind == kind, ContactIdentity.value == value
            )
        )
