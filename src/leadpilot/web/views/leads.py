"""Leads: the scored, filterable list and the lead page (contact, company, stage, BANT, score, notes, timeline,
and a grounded follow-up draft with its sources and claim check)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from leadpilot.crm.leads.schemas import LeadUpdate
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.crm.schemas import LeadStage
from leadpilot.errors import AppError, NotFound
from leadpilot.followup.endpoints import generate_and_store
from leadpilot.followup.schemas import FollowupRequest
from leadpilot.web.auth import Editor, Viewer
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lists import PAGE_SIZE, read_list_query, render_list
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter()

LEAD_STAGES = [s.value for s in LeadStage]
LEAD_STATUSES = ["open", "converted", "lost"]
LEAD_SORTS = ("created_at", "updated_at", "score", "stage_changed_at")
TIMELINE_LIMIT = 50


@router.get("/leads")
def lead_list(request: Request, ctx: Viewer) -> Response:
    query = read_list_query(request, sorts=LEAD_SORTS, filters={"stage": LEAD_STAGES, "status": LEAD_STATUSES})
    leads, next_cursor = LeadService(ctx.session, ctx.principal).list_page(
        q=query.q or None, sort=query.sort, order=query.order, cursor=query.cursor, limit=PAGE_SIZE,
        **query.filter_kwargs(),
    )  # fmt: skip
    lookups = Lookups(ctx)
    return render_list(
        request, ctx, page="leads/list.html", table="leads/_table.html", query=query, items=leads,
        next_cursor=next_cursor, contacts=lookups.contacts(lead.contact_id for lead in leads),
        companies=lookups.company_names(lead.company_id for lead in leads),
        owners=lookups.user_names(lead.owner_id for lead in leads), stages=LEAD_STAGES, statuses=LEAD_STATUSES,
        nav="leads",
    )  # fmt: skip


@router.get("/leads/{lead_id}")
def lead_detail(request: Request, ctx: Viewer, lead_id: int) -> Response:
    service = LeadService(ctx.session, ctx.principal)
    lead = service.get(lead_id)
    timeline, more = service.timeline(lead.id, limit=TIMELINE_LIMIT)
    lookups = Lookups(ctx)
    user_ids = [lead.owner_id, *(item.data.get("author_id") or item.data.get("changed_by_id") for item in timeline)]
    return render(
        request, "leads/detail.html", ctx=ctx, lead=lead, contact=lookups.contact(lead.contact_id),
        company=lookups.company(lead.company_id), timeline=timeline, more_timeline=more is not None,
        users=lookups.user_names(user_ids), stages=LEAD_STAGES, nav="leads",
    )  # fmt: skip


def _back(lead_id: int, anchor: str = "") -> str:
    return f"/leads/{lead_id}{anchor}"


@router.post("/leads/{lead_id}/stage")
def change_stage(
    request: Request,
    ctx: Editor,
    lead_id: int,
    stage: Annotated[str, Form(max_length=32)] = "",
    lost_reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        fields: dict[str, object] = {"stage": stage}
        if stage == LeadStage.disqualified and lost_reason.strip():
            fields["lost_reason"] = lost_reason.strip()
        data = LeadUpdate.model_validate(fields)
        with ctx.session.begin_nested():
            lead = LeadService(ctx.session, ctx.principal).update(lead_id, data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, _back(lead_id), "error", f"Could not change the stage — {describe(exc)}")
    return redirect_with(request, _back(lead_id), "success", f"Stage set to {lead.stage.replace('_', ' ')}.")


@router.post("/leads/{lead_id}/bant")
def update_bant(
    request: Request,
    ctx: Editor,
    lead_id: int,
    budget_amount: Annotated[str, Form(max_length=40)] = "",
    budget_currency: Annotated[str, Form(max_length=3)] = "",
    authority: Annotated[str, Form(max_length=200)] = "",
    need: Annotated[str, Form(max_length=5000)] = "",
    timeline: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    submitted = {"budget_amount": budget_amount.replace(",", ""), "budget_currency": budget_currency,
                 "authority": authority, "need": need, "timeline": timeline}  # fmt: skip
    try:
        data = LeadUpdate.model_validate({key: value.strip() or None for key, value in submitted.items()})
        with ctx.session.begin_nested():
            LeadService(ctx.session, ctx.principal).update(lead_id, data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, _back(lead_id), "error", f"Could not save BANT — {describe(exc)}")
    return redirect_with(request, _back(lead_id), "success", "Qualification (BANT) saved.")


@router.post("/leads/{lead_id}/notes")
def add_note(
    request: Request, ctx: Editor, lead_id: int, body: Annotated[str, Form(max_length=20_000)] = ""
) -> Response:
    if not body.strip():
        return redirect_with(request, _back(lead_id, "#notes"), "error", "A note cannot be empty.")
    try:
        with ctx.session.begin_nested():
            NoteService(ctx.session, ctx.principal).create(NoteCreate(lead_id=lead_id, body=body))
    except (AppError, ValidationError) as exc:
        return redirect_with(request, _back(lead_id), "error", f"Could not add the note — {describe(exc)}")
    return redirect_with(request, _back(lead_id, "#timeline"), "success", "Note added.")


@router.post("/leads/{lead_id}/followup")
def draft_followup(
    request: Request, ctx: Editor, lead_id: int, mode: Annotated[str, Form(max_length=16)] = ""
) -> Response:
    """The follow-up panel of the lead page (HTMX): message, strategy, confidence, claim check and sources."""
    try:
        body = FollowupRequest.model_validate({"lead_id": lead_id, "mode": mode.strip() or None})
        result = generate_and_store(ctx.session, ctx.principal, body)
    except NotFound:
        raise
    except (AppError, ValidationError) as exc:
        return render(request, "leads/_followup.html", ctx=ctx, result=None, error=describe(exc))
    return render(request, "leads/_followup.html", ctx=ctx, result=result, error=None)
