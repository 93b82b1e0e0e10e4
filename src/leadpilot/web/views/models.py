"""Models: the lead-scoring versions of the org with their quality (metrics, reliability, validation), drift
alerts and shadow comparison; admins train, promote and roll back. Also the score card partial of a lead page
(dimensions and score history)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leadpilot.errors import AppError
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.scoring import tasks
from leadpilot.scoring.models import ModelVersion
from leadpilot.scoring.service import ScoringService
from leadpilot.web.auth import ModelAdmin, Viewer
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.templating import render

router = APIRouter()

MODELS_URL = "/models"
DRIFT_ROWS = 12


def _reliability_chart(metrics: dict[str, Any]) -> dict[str, Any] | None:
    rows = [row for row in metrics.get("test", {}).get("reliability", []) if row["rows"]]
    if not rows:
        return None
    return {
        "type": "bar",
        "label": "Observed conversion (%)",
        "labels": [f"{row['bin']} (n={row['rows']})" for row in rows],
        "values": [round(100 * row["observed"], 1) for row in rows],
    }


def _drift_rows(report: Any) -> list[tuple[str, float]]:
    if report is None:
        return []
    return sorted(report.feature_psi.items(), key=lambda kv: -kv[1])[:DRIFT_ROWS]


@router.get("/models")
def models_page(request: Request, ctx: Viewer) -> Response:
    service = ScoringService(ctx.session, ctx.principal)
    versions = service.list_versions()
    active = next((v for v in versions if v.status == "active"), None)
    candidate = next((v for v in versions if v.status == "candidate"), None)
    reports = service.latest_drift(active.id, limit=1) if active else []
    drift = reports[0] if reports else None
    return render(
        request, "models/index.html", ctx=ctx, versions=versions, active=active, candidate=candidate,
        shadow=service.shadow_comparison(candidate) if candidate else None, drift=drift,
        drift_rows=_drift_rows(drift), chart=_reliability_chart(active.metrics) if active else None,
        config=service.config(), nav="models",
    )  # fmt: skip


@router.post("/models/train")
def train(request: Request, ctx: ModelAdmin) -> Response:
    enqueue_after_commit(ctx.session, tasks.train, ctx.principal.org_id, "manual", ctx.principal.user_id, None)
    return redirect_with(request, MODELS_URL, "success", "Training started: the new version appears here in a minute.")


@router.post("/models/{version_id}/promote")
def promote(request: Request, ctx: ModelAdmin, version_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            version: ModelVersion = ScoringService(ctx.session, ctx.principal).promote(version_id)
    except AppError as exc:
        return redirect_with(request, MODELS_URL, "error", f"Could not promote — {describe(exc)}")
    return redirect_with(request, MODELS_URL, "success", f"{version.version} is active; leads are being re-scored.")


@router.post("/models/rollback")
def rollback(request: Request, ctx: ModelAdmin) -> Response:
    try:
        with ctx.session.begin_nested():
            active, archived = ScoringService(ctx.session, ctx.principal).rollback()
    except AppError as exc:
        return redirect_with(request, MODELS_URL, "error", f"Could not roll back — {describe(exc)}")
    now = active.version if active else "the prior (no model)"
    return redirect_with(request, MODELS_URL, "success", f"Rolled back {archived.version}; scores now use {now}.")


@router.post("/models/drift")
def drift_check(request: Request, ctx: ModelAdmin) -> Response:
    report = ScoringService(ctx.session, ctx.principal).check_drift()
    if report is None:
        return redirect_with(request, MODELS_URL, "error", "No active model to check.")
    message = f"Drift check: {report.status} ({report.rows} open leads)."
    if report.status == "drift":
        return redirect_with(request, MODELS_URL, "error", message)
    return redirect_with(request, MODELS_URL, "success", message)


@router.get("/leads/{lead_id}/score-card")
def score_card(request: Request, ctx: Viewer, lead_id: int) -> Response:
    """Dimensions and history of a lead's score (loaded into the lead page)."""
    history = ScoringService(ctx.session, ctx.principal).score_history(lead_id, limit=20)
    latest = history[0] if history else None
    chart = None
    if len(history) > 1:
        points = list(reversed(history))
        chart = {"type": "bar", "label": "Score", "labels": [h.scored_at.strftime("%b %d %H:%M") for h in points],
                 "values": [round(h.score, 1) for h in points]}  # fmt: skip
    return render(request, "models/_score_card.html", ctx=ctx, lead_id=lead_id, latest=latest, history=history,
                  chart=chart)  # fmt: skip
