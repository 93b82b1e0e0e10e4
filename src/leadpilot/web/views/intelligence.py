"""Intelligence: an analysis box (HTMX) that shows every annotation of a text with its quotes highlighted, the org's
own labelled examples (managers add and delete them), and the classifiers' quality per task (retrain to measure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from leadpilot.auth.roles import Permission
from leadpilot.errors import AppError
from leadpilot.intelligence import tasks
from leadpilot.intelligence.dataset import OPEN_TASKS, TASKS
from leadpilot.intelligence.schemas import ExampleCreate
from leadpilot.intelligence.service import IntelligenceService
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.web.auth import Viewer, WebContext, web_require
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.templating import render

router = APIRouter()

IntelligenceEditor = Annotated[WebContext, web_require(Permission.intelligence_manage)]
INTELLIGENCE_URL = "/intelligence"
MAX_TEXT = 20_000
# highlight colours per kind of quote (objection, buying signal, BANT fact)
MARKS = {"objection": "#fde2e1", "signal": "#dcf5e7", "bant": "#e0e9ff"}


def highlight(text: str, annotations: dict[str, Any]) -> Markup:
    """The text with every quoted span wrapped in a <mark> (the first of overlapping spans wins), escaped."""
    spans: list[tuple[int, int, str, str]] = []
    for objection in annotations.get("objections", []):
        spans.append((*objection["span"], "objection", f"objection: {objection['type']}"))
    for signal in annotations.get("buying_signals", []):
        spans.append((*signal["span"], "signal", f"buying signal: {signal['type']}"))
    for name, fact in annotations.get("bant", {}).items():
        spans.append((*fact["span"], "bant", f"BANT: {name}"))
    out, cursor = [], 0
    for start, end, kind, title in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < cursor or end <= start:
            continue
        out.append(escape(text[cursor:start]))
        out.append(Markup('<mark style="background:{}" title="{}">{}</mark>').format(MARKS[kind], title,
                                                                                       text[start:end]))  # fmt: skip
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def _quality_rows(record: Any) -> list[dict[str, Any]]:
    if record is None:
        return []
    cv, heldout = record.metrics.get("cv", {}), record.metrics.get("heldout", {})
    return [{"task": task, "cv": cv.get(task, {}), "heldout": heldout.get(task, {}),
             "examples": record.examples.get(task, {})} for task in TASKS]  # fmt: skip


@router.get("/intelligence")
def intelligence_page(request: Request, ctx: Viewer) -> Response:
    service = IntelligenceService(ctx.session, ctx.principal)
    task = request.query_params.get("task") or ""
    task = task if task in TASKS else ""
    record = service.latest_record()
    current = service.examples_version()
    return render(
        request, "intelligence/index.html", ctx=ctx, nav="intelligence", tasks=TASKS, open_tasks=OPEN_TASKS,
        examples=service.list_examples(task=task or None, limit=500), task=task, record=record,
        quality=_quality_rows(record), current_version=current, stale=record is None or record.version != current,
        can_edit=ctx.can(Permission.intelligence_manage), result=None, text="",
    )  # fmt: skip


@router.post("/intelligence/analyze")
def analyze(request: Request, ctx: Viewer, text: Annotated[str, Form(max_length=MAX_TEXT)] = "") -> Response:
    """The result panel for the analysis box (nothing is stored)."""
    error, result = None, None
    try:
        result = IntelligenceService(ctx.session, ctx.principal).analyze(text, at=datetime.now(UTC))
    except AppError as exc:
        error = describe(exc)
    return render(request, "intelligence/_result.html", ctx=ctx, result=result, error=error, text=text,
                  highlighted=highlight(text, result) if result else None)  # fmt: skip


@router.post("/intelligence/examples")
def add_example(
    request: Request,
    ctx: IntelligenceEditor,
    task: Annotated[str, Form(max_length=32)] = "",
    label: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    if task not in TASKS:
        return redirect_with(request, INTELLIGENCE_URL, "error", f"Choose a task: {', '.join(TASKS)}.")
    try:
        with ctx.session.begin_nested():
            example = IntelligenceService(ctx.session, ctx.principal).add_example(
                ExampleCreate(task=task, label=label or "-", text=text or " ")  # type: ignore[arg-type]
            )
    except AppError as exc:
        return redirect_with(request, INTELLIGENCE_URL, "error", f"Could not add the example — {describe(exc)}")
    return redirect_with(request, INTELLIGENCE_URL, "success",
                         f"Example added ({example.task}: {example.label}); the next analysis uses it.")  # fmt: skip


@router.post("/intelligence/examples/{example_id}/delete")
def delete_example(request: Request, ctx: IntelligenceEditor, example_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            IntelligenceService(ctx.session, ctx.principal).delete_example(example_id)
    except AppError as exc:
        return redirect_with(request, INTELLIGENCE_URL, "error", f"Could not delete — {describe(exc)}")
    return redirect_with(request, INTELLIGENCE_URL, "success", "Example deleted.")


@router.post("/intelligence/retrain")
def retrain(request: Request, ctx: IntelligenceEditor) -> Response:
    enqueue_after_commit(ctx.session, tasks.retrain, ctx.principal.org_id, ctx.principal.user_id, "manual")
    return redirect_with(request, INTELLIGENCE_URL, "success",
                         "Retraining started: the quality table updates in a minute.")  # fmt: skip
