"""Intelligence API (``/api/v1/intelligence``): analyse a text (nothing stored), the org's labelled examples, and
the classifiers' quality per task."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmRead, SessionDep, require
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.intelligence import tasks
from leadpilot.intelligence.schemas import (
    AnalyzeRequest,
    ExampleCreate,
    ExampleRead,
    ModelRecordRead,
    ModelsResponse,
    RetrainRequest,
    RetrainResponse,
    Task,
)
from leadpilot.intelligence.service import IntelligenceService
from leadpilot.jobs.queue import enqueue_after_commit

IntelligenceManage = Annotated[Principal, require(Permission.intelligence_manage)]

router = APIRouter(prefix="/intelligence", tags=["intelligence"])


@router.post("/analyze")
def analyze(session: SessionDep, principal: CrmRead, body: AnalyzeRequest) -> dict[str, Any]:
    """Annotations of a text (sentiment, emotion, intent, buying signals, objections with strategies, BANT with
    evidence, language), exactly as a stored message would get them. Nothing is stored."""
    return IntelligenceService(session, principal).analyze(body.text, at=body.at, direction=body.direction)


@router.get("/examples", response_model=list[ExampleRead])
def list_examples(
    session: SessionDep,
    principal: CrmRead,
    task: Task | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[ExampleRead]:
    rows = IntelligenceService(session, principal).list_examples(task=task, limit=limit)
    return [ExampleRead.model_validate(r) for r in rows]


@router.post("/examples", response_model=ExampleRead, status_code=201)
def add_example(session: SessionDep, principal: IntelligenceManage, body: ExampleCreate) -> ExampleRead:
    """Teach the org's classifiers one labelled text (they use it from the next analysis on)."""
    return ExampleRead.model_validate(IntelligenceService(session, principal).add_example(body))


@router.delete("/examples/{example_id}", status_code=204)
def delete_example(session: SessionDep, principal: IntelligenceManage, example_id: int) -> Response:
    IntelligenceService(session, principal).delete_example(example_id)
    return Response(status_code=204)


@router.post("/retrain", response_model=RetrainResponse)
def retrain(session: SessionDep, principal: IntelligenceManage, body: RetrainRequest, response: Response) -> Any:
    """Rebuild the org's classifiers and measure them (k-fold CV on their data, and the held-out set): queued (202),
    or in this request with ``wait`` (201)."""
    if not body.wait:
        enqueue_after_commit(session, tasks.retrain, principal.org_id, principal.user_id, "manual")
        response.status_code = 202
        return RetrainResponse(queued=True)
    row = IntelligenceService(session, principal).retrain(trigger="manual")
    response.status_code = 201
    return RetrainResponse(record=ModelRecordRead.model_validate(row))


@router.get("/models", response_model=ModelsResponse)
def models(session: SessionDep, principal: CrmRead) -> ModelsResponse:
    service = IntelligenceService(session, principal)
    latest = service.latest_record()
    current = service.examples_version()
    return ModelsResponse(
        current_version=current,
        labels=service.labels(),
        org_examples=service.examples.count(),
        latest=ModelRecordRead.model_validate(latest) if latest else None,
        stale=latest is None or latest.version != current,
    )
