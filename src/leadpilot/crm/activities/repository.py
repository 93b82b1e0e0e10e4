from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from leadpilot.crm.models import Activity
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

ActivityNotFound = not_found_error("Activity")

ActivitySort = Literal["occurred_at", "created_at", "amount", "id"]


class ActivityRepository(OrgRepository[Activity]):
    model = Activity
    not_found = ActivityNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        type: str | None = None,
        contact_id: int | None = None,
        company_id: int | None = None,
        lead_id: int | None = None,
        deal_id: int | None = None,
        product_id: int | None = None,
        user_id: int | None = None,
        channel: str | None = None,
        source: str | None = None,
        occurred_after: datetime | None = None,
        occurred_before: datetime | None = None,
        sort: ActivitySort = "occurred_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Activity], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "type": type,
            "contact_id": contact_id,
            "company_id": company_id,
            "lead_id": lead_id,
            "deal_id": deal_id,
            "product_id": product_id,
            "user_id": user_id,
            "channel": channel,
            "source": source,
        }
        statement = self.where_equal(statement, filters)
        if occurred_after is not None:
            statement = statement.where(Activity.occurred_at >= occurred_after)
        if occurred_before is not None:
            statement = statement.where(Activity.occurred_at < occurred_before)
        statement = self.where_matches(statement, q)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def id_by_external_id(self, external_id: str) -> int | None:
        return self.session.scalar(
            select(Activity.id).where(Activity.org_id == self.org_id, Activity.external_id == external_id)
        )
