"""Company rules: one company per domain and per external id in an org, checked references, search text, audit
and events. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm import search
from leadpilot.crm.companies.repository import CompanyRepository
from leadpilot.crm.companies.schemas import CompanyCreate, CompanyRead, CompanyUpdate
from leadpilot.crm.models import Company
from leadpilot.crm.references import check_reference
from leadpilot.errors import Conflict
from leadpilot.orgs.models import User
from leadpilot.webhooks.events import emit_event

UNIQUE_FIELDS = ("domain", "external_id")


def company_search_text(company: Company) -> str:
    return search.normalize(
        company.name, company.domain, company.industry, company.city, company.country, company.external_id
    )


class CompanyService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.companies = CompanyRepository(session, principal)

    def _apply(self, company: Company, fields: dict[str, Any]) -> None:
        if "owner_id" in fields:
            check_reference(self.session, self.principal, User, fields["owner_id"], "owner_id")
        for column in UNIQUE_FIELDS:
            value = fields.get(column)
            existing = self.companies.id_by(column, value) if value is not None else None
            if existing is not None and existing != company.id:
                raise Conflict(
                    f"Another company already has {column} {value!r}", extra={"field": column, "existing_id": existing}
                )
        for key, value in fields.items():
            setattr(company, key, value)
        company.search_text = company_search_text(company)

    def _event(self, action: str, company: Company, **audit: Any) -> CompanyRead:
        record(self.session, self.principal, f"company.{action}", entity_type="company", entity_id=company.id, **audit)
        read = CompanyRead.model_validate(company)
        emit_event(self.session, self.principal.org_id, f"company.{action}", read.model_dump(mode="json"))
        return read

    def create(self, data: CompanyCreate) -> CompanyRead:
        company = Company(org_id=self.principal.org_id)
        self._apply(company, data.model_dump())
        self.companies.add(company)
        return self._event("created", company)

    def update(self, company_id: int, data: CompanyUpdate) -> CompanyRead:
        company = self.companies.access_by_id(company_id)
        self._apply(company, data.changes())
        self.session.flush()
        return self._event("updated", company, data={"fields": sorted(data.model_fields_set)})

    def delete(self, company_id: int) -> None:
        company = self.companies.access_by_id(company_id)
        self.companies.delete(company)
        record(self.session, self.principal, "company.deleted", entity_type="company", entity_id=company_id)
        emit_event(self.session, self.principal.org_id, "company.deleted", {"id": company_id})

    def get(self, company_id: int) -> CompanyRead:
        return CompanyRead.model_validate(self.companies.access_by_id(company_id))

    def list_page(self, **filters: Any) -> tuple[list[CompanyRead], str | None]:
        """One page of companies; ``filters`` are those of ``CompanyRepository.list_page``."""
        rows, next_cursor = self.companies.list_page(**filters)
        return [CompanyRead.model_validate(row) for row in rows], next_cursor
