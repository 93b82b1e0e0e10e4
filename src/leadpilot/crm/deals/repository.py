from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, and_, or_, select

from leadpilot.crm import search
from leadpilot.crm.models import Deal
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import InvalidInput, not_found_error
from leadpilot.kit.pagination import MAX_LIMIT, decode_cursor, encode_cursor, paginate

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
        for column, value in filters.items():
            if value is not None:
                statement = statement.where(getattr(Deal, column) == value)
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
        if q:
            clause = search.matches(Deal, q, dialect=self.session.get_bind().dialect.name)
            if clause is not None:
                statement = statement.where(clause)
        if sort == "expected_close_date":
            return self._page_by_close_date(statement, descending=order == "desc", cursor=cursor, limit=limit)
        return paginate(
            statement,
            session=self.session,
            sort_column=getattr(Deal, sort),
            id_column=Deal.id,
            descending=order == "desc",
            cursor=cursor,
            limit=limit,
        )

    def _page_by_close_date(
        self, statement: Select[Any], *, descending: bool, cursor: str | None, limit: int
    ) -> tuple[list[Deal], str | None]:
        """Keyset pages over the nullable DATE column, with ``kit.pagination``'s ordering (NULLs last, then id).

        ``kit.pagination`` encodes datetime and Decimal sort values but not dates, so the date travels in the
        cursor as its ISO string here.
        """
        column, row_id = Deal.expected_close_date, Deal.id
        limit = max(1, min(limit, MAX_LIMIT))
        if cursor:
            raw, last_id = decode_cursor(cursor)
            try:
                last = date.fromisoformat(raw) if raw is not None else None
            except (TypeError, ValueError) as exc:
                raise InvalidInput("Invalid pagination cursor") from exc
            beyond_id = row_id < last_id if descending else row_id > last_id
            if last is None:
                statement = statement.where(column.is_(None), beyond_id)
            else:
                beyond = column < last if descending else column > last
                statement = statement.where(or_(beyond, and_(column == last, beyond_id), column.is_(None)))
        direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
        statement = statement.order_by(column.is_(None), direction(column), direction(row_id))
        rows = list(self.session.scalars(statement.limit(limit + 1)))
        if len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        last_row = rows[-1]
        close = last_row.expected_close_date
        return rows, encode_cursor(close.isoformat() if close else None, last_row.id)

    def id_by_external_id(self, external_id: str) -> int | None:
        return self.session.scalar(select(Deal.id).where(Deal.org_id == self.org_id, Deal.external_id == external_id))
