from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.companies.repository import CompanySort
from leadpilot.crm.companies.schemas import CompanyCreate, CompanyRead, CompanyUpdate, Domain
from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.fields import Instant
from leadpilot.crm.schemas import Country, SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/companies", tags=["companies"])


@router.get("", response_model=Page[CompanyRead])
def list_companies(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    industry: str | None = None,
    country: Country | None = None,
    owner_id: int | None = None,
    domain: Domain | None = None,
    min_employees: Annotated[int | None, Query(ge=0)] = None,
    max_employees: Annotated[int | None, Query(ge=0)] = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: CompanySort = "created_at",
    order: SortOrder = "desc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[CompanyRead]:
    items, next_cursor = CompanyService(session, principal).list_page(
        q=q, industry=industry, country=country, owner_id=owner_id, domain=domain, min_employees=min_employees,
        max_employees=max_employees, created_after=created_after, created_before=created_before,
        sort=sort, order=order, cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=CompanyRead, status_code=201)
def create_company(session: SessionDep, principal: CrmWrite, body: CompanyCreate) -> CompanyRead:
    return CompanyService(session, principal).create(body)


@router.get("/{company_id}", response_model=CompanyRead)
def get_company(session: SessionDep, principal: CrmRead, company_id: int) -> CompanyRead:
    return CompanyService(session, principal).get(company_id)


@router.patch("/{company_id}", response_model=CompanyRead)
def update_company(session: SessionDep, principal: CrmWrite, company_id: int, body: CompanyUpdate) -> CompanyRead:
    return CompanyService(session, principal).update(company_id, body)


@router.delete("/{company_id}", status_code=204)
def delete_company(session: SessionDep, principal: CrmDelete, company_id: int) -> Response:
    CompanyService(session, principal).delete(company_id)
    return Response(status_code=204)
