"""Deals: the pipeline list and the deal page (stage, amount, people, notes, activity)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from leadpilot.crm.activities.service import ActivityService
from leadpilot.crm.deals.schemas import DealUpdate
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.crm.schemas import DealStage
from leadpilot.errors import AppError
from leadpilot.web.auth import Editor, Viewer
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lists import PAGE_SIZE, read_list_query, render_list
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter()

DEAL_STAGES = [s.value for s in DealStage]
DEAL_STATUSES = ["open", "won", "lost"]
DEAL_SORTS = ("created_at", "updated_at", "amount", "expected_close_date", "stage_changed_at", "name")


@router.get("/deals")
def deal_list(request: Request, ctx: Viewer) -> Response:
    query = read_list_query(request, sorts=DEAL_SORTS, filters={"stage": DEAL_STAGES, "status": DEAL_STATUSES})
    deals, next_cursor = DealService(ctx.session, ctx.principal).list_page(
        q=query.q or None, sort=query.sort, order=query.order, cursor=query.cursor, limit=PAGE_SIZE,
        **query.filter_kwargs(),
    )  # fmt: skip
    lookups = Lookups(ctx)
    return render_list(
        request, ctx, page="deals/list.html", table="deals/_table.html", query=query, items=deals,
        next_cursor=next_cursor, contacts=lookups.contacts(d.contact_id for d in deals),
        companies=lookups.company_names(d.company_id for d in deals),
        owners=lookups.user_names(d.owner_id for d in deals), stages=DEAL_STAGES, statuses=DEAL_STATUSES,
        nav="deals",
    )  # fmt: skip


@router.get("/deals/{deal_id}")
def deal_detail(request: Request, ctx: Viewer, deal_id: int) -> Response:
    deal = DealService(ctx.session, ctx.principal).get(deal_id)
    notes, _ = NoteService(ctx.session, ctx.principal).list_page(deal_id=deal.id, limit=50)
    activities, _ = ActivityService(ctx.session, ctx.principal).list_page(deal_id=deal.id, limit=20)
    lookups = Lookups(ctx)
    return render(
        request, "deals/detail.html", ctx=ctx, deal=deal, contact=lookups.contact(deal.contact_id),
        company=lookups.company(deal.company_id), notes=notes, activities=activities,
        users=lookups.user_names([deal.owner_id, *(n.author_id for n in notes)]), stages=DEAL_STAGES, nav="deals",
    )  # fmt: skip


@router.post("/deals/{deal_id}/stage")
def change_stage(
    request: Request,
    ctx: Editor,
    deal_id: int,
    stage: Annotated[str, Form(max_length=32)] = "",
    lost_reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    back = f"/deals/{deal_id}"
    try:
        fields: dict[str, object] = {"stage": stage}
        if stage == DealStage.closed_lost and lost_reason.strip():
            fields["lost_reason"] = lost_reason.strip()
        data = DealUpdate.model_validate(fields)
        with ctx.session.begin_nested():
            deal = DealService(ctx.session, ctx.principal).update(deal_id, data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, back, "error", f"Could not change the stage — {describe(exc)}")
    return redirect_with(request, back, "success", f"Stage set to {deal.stage.replace('_', ' ')}.")


@router.post("/deals/{deal_id}/notes")
def add_note(
    request: Request, ctx: Editor, deal_id: int, body: Annotated[str, Form(max_length=20_000)] = ""
) -> Response:
    back = f"/deals/{deal_id}#notes"
    if not body.strip():
        return redirect_with(request, back, "error", "A note cannot be empty.")
    try:
        with ctx.session.begin_nested():
            NoteService(ctx.session, ctx.principal).create(NoteCreate(deal_id=deal_id, body=body))
    except (AppError, ValidationError) as exc:
        return redirect_with(request, back, "error", f"Could not add the note — {describe(exc)}")
    return redirect_with(request, back, "success", "Note added.")
