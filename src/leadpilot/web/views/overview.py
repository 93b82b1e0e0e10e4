"""The overview: headline figures, leads per stage (chart), the open pipeline and the newest leads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leadpilot.crm.leads.service import LeadService
from leadpilot.web.auth import Viewer
from leadpilot.web.lookups import Lookups
from leadpilot.web.summary import summarize
from leadpilot.web.templating import BADGE_COLOR_HEX, badge_color, humanize, render

router = APIRouter()


@router.get("/")
def overview(request: Request, ctx: Viewer) -> Response:
    summary = summarize(ctx)
    recent_leads, _ = LeadService(ctx.session, ctx.principal).list_page(limit=6)
    lookups = Lookups(ctx)
    stages = list(summary.leads_by_stage)
    chart = {
        "type": "bar",
        "label": "Leads",
        "labels": [humanize(s) for s in stages],
        "values": [summary.leads_by_stage[s] for s in stages],
        "colors": [BADGE_COLOR_HEX[badge_color(s)] for s in stages],
    }
    largest_stage = max((total for _, total in summary.pipeline.values()), default=0)
    return render(
        request, "overview.html", ctx=ctx, summary=summary, chart=chart, recent_leads=recent_leads,
        contacts=lookups.contacts(lead.contact_id for lead in recent_leads), largest_stage=largest_stage,
        nav="overview",
    )  # fmt: skip
