"""Companies: the searchable list and a company's page (details, people, leads, deals, notes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.errors import AppError
from leadpilot.web.auth import Editor, Viewer
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lists import PAGE_SIZE, read_list_query, render_list
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter()

COMPANY_SORTS = ("created_at", "updated_at", "name", "employee_count", "annual_revenue")


@router.get("/companies")
def company_list(request: Request, ctx: Viewer) -> Response:
    query = read_list_query(request, sorts=COMPANY_SORTS)
    companies, next_cursor = CompanyService(ctx.session, ctx.principal).list_page(
        q=query.q or None, sort=query.sort, order=query.order, cursor=query.cursor, limit=PAGE_SIZE
    )
    return render_list(
        request, ctx, page="companies/list.html", table="companies/_table.html", query=query, items=companies,
        next_cursor=next_cursor, nav="companies",
    )  # fmt: skip


@router.get("/companies/{company_id}")
def company_detail(request: Request, ctx: Viewer, company_id: int) -> Response:
    company = CompanyService(ctx.session, ctx.principal).get(company_id)
    contact_service = ContactService(ctx.session, ctx.principal)
    contact_rows, more_contacts = contact_service.contacts.list_page(company_id=company.id, limit=25)
    leads, _ = LeadService(ctx.session, ctx.principal).list_page(company_id=company.id, limit=25)
    deals, _ = DealService(ctx.session, ctx.principal).list_page(company_id=company.id, limit=25)
    notes, _ = NoteService(ctx.session, ctx.principal).list_page(company_id=company.id, limit=50)
    lookups = Lookups(ctx)
    return render(
        request, "companies/detail.html", ctx=ctx, company=company, people=contact_service.read_many(contact_rows),
        more_people=more_contacts is not None, leads=leads, deals=deals, notes=notes,
        lead_contacts=lookups.contacts(lead.contact_id for lead in leads),
        users=lookups.user_names([company.owner_id, *(n.author_id for n in notes)]), nav="companies",
    )  # fmt: skip


@router.post("/companies/{company_id}/notes")
def add_note(
    request: Request, ctx: Editor, company_id: int, body: Annotated[str, Form(max_length=20_000)] = ""
) -> Response:
    back = f"/companies/{company_id}#notes"
    if not body.strip():
        return redirect_with(request, back, "error", "A note cannot be empty.")
    try:
        with ctx.session.begin_nested():
            NoteService(ctx.session, ctx.principal).create(NoteCreate(company_id=company_id, body=body))
    except (AppError, ValidationError) as exc:
        return redirect_with(request, back, "error", f"Could not add the note — {describe(exc)}")
    return redirect_with(request, back, "success", "Note added.")
