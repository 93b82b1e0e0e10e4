from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from leadpilot.crm.models import Company
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

CompanyNotFound = not_found_error("Company")

CompanySort = Literal["created_at", "updated_at", "name", "employee_count", "annual_revenue", "id"]


class CompanyRepository(OrgRepository[Company]):
    model = Company
    not_found = CompanyNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        industry: str | None = None,
        country: str | None = None,
        owner_id: int | None = None,
        domain: str | None = None,
        min_employees: int | None = None,
        max_employees: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: CompanySort = "created_at",
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Company], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {"industry": industry, "country": country, "owner_id": owner_id, "domain": domain}
        statement = self.where_equal(statement, filters)
        if min_employees is not None:
            statement = statement.where(Company.employee_count >= min_employees)
        if max_employees is not None:
            statement = statement.where(Company.employee_count <= max_employees)
        if created_after is not None:
            statement = statement.where(Company.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(Company.created_at < created_before)
        statement = self.where_matches(statement, q)
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def id_by(self, column: str, value: str) -> int | None:
        """The id of this org's company whose ``column`` (domain, external_id) equals ``value``."""
        return self.session.scalar(
            select(Company.id).where(Company.org_id == self.org_id, getattr(Company, column) == value)
        )
