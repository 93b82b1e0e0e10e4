"""Contacts: the searchable list and a contact's page (details, consent, leads, deals, notes, timeline)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.crm.schemas import LifecycleStage
from leadpilot.crm.timeline import contact_timeline
from leadpilot.errors import AppError
from leadpilot.web.auth import Editor, Viewer
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lists import PAGE_SIZE, read_list_query, render_list
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter()

LIFECYCLE_STAGES = [s.value for s in LifecycleStage]
CONTACT_SORTS = ("created_at", "updated_at", "last_name")
TIMELINE_LIMIT = 50


@router.get("/contacts")
def contact_list(request: Request, ctx: Viewer) -> Response:
    query = read_list_query(request, sorts=CONTACT_SORTS, filters={"lifecycle_stage": LIFECYCLE_STAGES})
    service = ContactService(ctx.session, ctx.principal)
    rows, next_cursor = service.contacts.list_page(
        q=query.q or None, lifecycle_stage=query.filters["lifecycle_stage"] or None, sort=query.sort,  # type: ignore[arg-type]
        order=query.order, cursor=query.cursor, limit=PAGE_SIZE,  # type: ignore[arg-type]
    )  # fmt: skip
    contacts = service.read_many(rows)
    lookups = Lookups(ctx)
    return render_list(
        request, ctx, page="contacts/list.html", table="contacts/_table.html", query=query, items=contacts,
        next_cursor=next_cursor, companies=lookups.company_names(c.company_id for c in contacts),
        lifecycle_stages=LIFECYCLE_STAGES, nav="contacts",
    )  # fmt: skip


@router.get("/contacts/{contact_id}")
def contact_detail(request: Request, ctx: Viewer, contact_id: int) -> Response:
    contact = ContactService(ctx.session, ctx.principal).get(contact_id)
    leads, _ = LeadService(ctx.session, ctx.principal).list_page(contact_id=contact.id, limit=20)
    deals, _ = DealService(ctx.session, ctx.principal).list_page(contact_id=contact.id, limit=20)
    timeline, more = contact_timeline(ctx.session, ctx.principal, contact.id, limit=TIMELINE_LIMIT)
    lookups = Lookups(ctx)
    user_ids = [item.data.get("author_id") or item.data.get("changed_by_id") for item in timeline]
    return render(
        request, "contacts/detail.html", ctx=ctx, contact=contact, company=lookups.company(contact.company_id),
        leads=leads, deals=deals, timeline=timeline, more_timeline=more is not None,
        users=lookups.user_names([contact.owner_id, *user_ids]), nav="contacts",
    )  # fmt: skip


@router.post("/contacts/{contact_id}/notes")
def contact_add_note(
    request: Request, ctx: Editor, contact_id: int, body: Annotated[str, Form(max_length=20_000)] = ""
) -> Response:
    back = f"/contacts/{contact_id}#timeline"
    if not body.strip():
        return redirect_with(request, back, "error", "A note cannot be empty.")
    try:
        with ctx.session.begin_nested():
            NoteService(ctx.session, ctx.principal).create(NoteCreate(contact_id=contact_id, body=body))
    except (AppError, ValidationError) as exc:
        return redirect_with(request, back, "error", f"Could not add the note — {describe(exc)}")
    return redirect_with(request, back, "success", "Note added.")
