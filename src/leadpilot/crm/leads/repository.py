from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select, union

from leadpilot.crm import search
from leadpilot.crm.models import Contact, Lead
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

LeadNotFound = not_found_error("Lead")

LeadSort = Literal["created_at", "updated_at", "score", "stage_changed_at", "id"]


class LeadRepository(OrgRepository[Lead]):
    model = Lead
    not_found = LeadNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        stage: str | None = None,
        status: str | None = None,
        source: str | None = None,
        owner_id: int | None = None,
        contact_id: int | None = None,
        company_id: int | None = None,
        score_tier: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: LeadSort = "created_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Lead], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "stage": stage,
            "status": status,
            "source": source,
            "owner_id": owner_id,
            "contact_id": contact_id,
            "company_id": company_id,
            "score_tier": score_tier,
        }
        statement = self.where_equal(statement, filters)
        if min_score is not None:
            statement = statement.where(Lead.score >= min_score)
        if max_score is not None:
            statement = statement.where(Lead.score <= max_score)
        if created_after is not None:
            statement = statement.where(Lead.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(Lead.created_at < created_before)
        if q:
            dialect = self.session.get_bind().dialect.name
            clause = search.matches(Lead, q, dialect=dialect)
            contact_clause = search.matches(Contact, q, dialect=dialect)
            if clause is not None and contact_clause is not None:
                # A lead is also found by its contact's name, email or phone (read live, never copied). A UNION of
                # the two id sets is two index lookups; an OR of the two conditions scans the org's leads.
                contacts = select(Contact.id).where(Contact.org_id == self.org_id, contact_clause)
                own = select(Lead.id).where(Lead.org_id == self.org_id, clause)
                by_contact = select(Lead.id).where(Lead.org_id == self.org_id, Lead.contact_id.in_(contacts))
                statement = statement.where(Lead.id.in_(union(own, by_contact)))
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def count_by_stage(self) -> dict[str, int]:
        rows = self.session.execute(self.select().with_only_columns(Lead.stage, func.count()).group_by(Lead.stage))
        return {str(stage): int(n) for stage, n in rows}

    def id_by_external_id(self, external_id: str) -> int | None:
        return self.session.scalar(select(Lead.id).where(Lead.org_id == self.org_id, Lead.external_id == external_id))
