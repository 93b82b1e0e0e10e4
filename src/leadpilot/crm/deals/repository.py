from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select

from leadpilot.crm.models import Deal
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

DealNotFound = not_found_error("Deal")

DealSort = Literal["created_at", "updated_at", "amount", "expected_close_date", "stage_changed_at", "name", "id"]


class DealRepository(OrgRepository[Deal]):
    model = Deal
    not_found = DealNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        stage: str | None = None,
        status: str | None = None,
        pipeline: str | None = None,
        owner_id: int | None = None,
        contact_id: int | None = None,
        company_id: int | None = None,
        lead_id: int | None = None,
        currency: str | None = None,
        min_amount: Decimal | None = None,
        max_amount: Decimal | None = None,
        expected_close_after: date | None = None,
        expected_close_before: date | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: DealSort = "created_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Deal], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "stage": stage,
            "status": status,
            "pipeline": pipeline,
            "owner_id": owner_id,
            "contact_id": contact_id,
            "company_id": company_id,
            "lead_id": lead_id,
            "currency": currency,
        }
        statement = self.where_equal(statement, filters)
        if min_amount is not None:
            statement = statement.where(Deal.amount >= min_amount)
        if max_amount is not None:
            statement = statement.where(Deal.amount <= max_amount)
        if expected_close_after is not None:
            statement = statement.where(Deal.expected_close_date >= expected_close_after)
        if expected_close_before is not None:
            statement = statement.where(Deal.expected_close_date <= expected_close_before)
        if created_after is not None:
            statement = statement.where(Deal.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(Deal.created_at < created_before)
        statement = self.where_matches(statement, q)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def totals_by_stage(self) -> list[tuple[str, str, int, Decimal]]:
        """(stage, currency, number of deals, summed amount) for every stage and currency in use."""
        rows = self.session.execute(
            self.select()
            .with_only_columns(Deal.stage, Deal.currency, func.count(), func.coalesce(func.sum(Deal.amount), 0))
            .group_by(Deal.stage, Deal.currency)
        )
        return [(str(stage), str(currency), int(n), Decimal(amount or 0)) for stage, currency, n, amount in rows]

    def id_by_external_id(self, external_id: str) -> int | None:
        return self.session.scalar(select(Deal.id).where(Deal.org_id == self.org_id, Deal.external_id == external_id))
