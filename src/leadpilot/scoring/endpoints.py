"""Scoring API: scores of leads (by id or ad-hoc features), a lead's score with its explanation and history, and
the model registry (versions, training, promotion, rollback, drift)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmRead, SessionDep, require
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.errors import PermissionDenied
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.scoring import tasks
from leadpilot.scoring.features import FEATURES
from leadpilot.scoring.schemas import (
    BatchItem,
    BatchScoreRequest,
    BatchScoreResponse,
    DriftReportRead,
    FeatureInfo,
    LeadScoreDetail,
    ModelKind,
    ModelStatus,
    ModelVersionDetail,
    ModelVersionRead,
    RollbackRequest,
    RollbackResponse,
    ScoreHistoryItem,
    ScoreRead,
    ScoreRequest,
    ScoreResponse,
    TrainRequest,
    TrainResponse,
)
from leadpilot.scoring.scorer import ScoreResult
from leadpilot.scoring.service import ScoringService

ModelsManage = Annotated[Principal, require(Permission.models_manage)]

leads_router = APIRouter(prefix="/leads", tags=["scoring"])
models_router = APIRouter(prefix="/models", tags=["models"])


def _read(result: ScoreResult) -> ScoreRead:
    return ScoreRead.model_validate(result.to_json())


def _require_write(principal: Principal, persist: bool) -> None:
    if persist and not principal.can(Permission.crm_write):
        raise PermissionDenied(f"Your role ({principal.role}) lacks the permission {Permission.crm_write}; "
                               "send persist: false to score without storing")  # fmt: skip


@leads_router.post("/score", response_model=ScoreResponse)
def score(session: SessionDep, principal: CrmRead, body: ScoreRequest) -> ScoreResponse:
    """Score leads by id (stored unless ``persist`` is false), or ad-hoc ``features`` / ``records`` (never stored).

    Ad-hoc values are forgiving: unknown names, unknown categories and unusable numbers are ignored and listed in
    ``warnings``; numbers outside the range seen in training are clipped to it."""
    service = ScoringService(session, principal)
    if body.lead_ids is not None:
        _require_write(principal, body.persist)
        results = service.score_leads(body.lead_ids, persist=body.persist, trigger="api")
    else:
        items = [body.features] if body.features is not None else [r.features for r in body.records or []]
        results = service.score_features(items)
    return ScoreResponse(items=[_read(r) for r in results])


@leads_router.post("/batch-score", response_model=BatchScoreResponse)
def batch_score(session: SessionDep, principal: CrmRead, body: BatchScoreRequest, response: Response) -> Any:
    """Score many leads at once (compact answer), or queue a re-score of every lead with ``all_leads`` (202)."""
    _require_write(principal, body.persist)
    if body.all_leads:
        enqueue_after_commit(session, tasks.score_org, principal.org_id, "api")
        response.status_code = 202
        return BatchScoreResponse(queued=True)
    started = time.perf_counter()
    results = ScoringService(session, principal).score_leads(body.lead_ids or [], persist=body.persist,
                                                             trigger="batch")  # fmt: skip
    items = [BatchItem(lead_id=r.lead_id or 0, probability=round(r.probability, 4), score=round(r.score, 1),
                       tier=r.tier, interval=[round(r.lower, 4), round(r.upper, 4)]) for r in results]  # fmt: skip
    return BatchScoreResponse(
        scored=len(results), model=results[0].model if results else None,
        model_version=results[0].model_version if results else None, seconds=time.perf_counter() - started,
        items=items,
    )  # fmt: skip


@leads_router.get("/{lead_id}/score", response_model=LeadScoreDetail)
def lead_score(
    session: SessionDep, principal: CrmRead, lead_id: int, history: Annotated[int, Query(ge=0, le=500)] = 50
) -> LeadScoreDetail:
    """The lead's score as of now with reasons and dimensions (computed for this request), and its stored history."""
    service = ScoringService(session, principal)
    current, rows = service.lead_score(lead_id)
    items = [ScoreHistoryItem.model_validate(row) for row in rows[:history]]
    return LeadScoreDetail(lead_id=lead_id, current=_read(current), stored=items[0] if items else None,
                           history=items)  # fmt: skip


@models_router.get("", response_model=list[ModelVersionRead])
def list_models(
    session: SessionDep, principal: CrmRead, kind: ModelKind | None = None, status: ModelStatus | None = None
) -> list[ModelVersionRead]:
    versions = ScoringService(session, principal).list_versions(kind=kind, status=status)
    return [ModelVersionRead.model_validate(v) for v in versions]


@models_router.get("/features", response_model=list[FeatureInfo])
def list_features(principal: CrmRead) -> list[FeatureInfo]:
    """The features a score is computed from (names for ad-hoc scoring)."""
    return [FeatureInfo(name=f.name, group=f.group, kind=f.kind,
                        categories=list(f.vocabulary) if f.vocabulary else None) for f in FEATURES]  # fmt: skip


@models_router.get("/drift", response_model=list[DriftReportRead])
def drift_reports(
    session: SessionDep, principal: CrmRead, limit: Annotated[int, Query(ge=1, le=200)] = 30
) -> list[DriftReportRead]:
    reports = ScoringService(session, principal).latest_drift(limit=limit)
    return [DriftReportRead.model_validate(r) for r in reports]


@models_router.post("/drift", response_model=DriftReportRead | None)
def run_drift_check(session: SessionDep, principal: ModelsManage) -> DriftReportRead | None:
    """Compare the open leads with the active version's reference now (null without an active version)."""
    report = ScoringService(session, principal).check_drift()
    return DriftReportRead.model_validate(report) if report is not None else None


@models_router.post("/train", response_model=TrainResponse)
def train(session: SessionDep, principal: ModelsManage, body: TrainRequest, response: Response) -> TrainResponse:
    """Train a new candidate version (queued: 202; ``wait``: in this request, 201 with the version, or 200 with why
    no model could be trained yet)."""
    if not body.wait:
        enqueue_after_commit(session, tasks.train, principal.org_id, "manual", principal.user_id, body.promote)
        response.status_code = 202
        return TrainResponse(queued=True, detail="training queued")
    outcome = ScoringService(session, principal).train(kind=body.kind, trigger="manual", promote=body.promote)
    if outcome.version is None:
        return TrainResponse(trained=False, detail=outcome.detail)
    response.status_code = 201
    return TrainResponse(trained=True, detail=outcome.detail, version=ModelVersionRead.model_validate(outcome.version))


@models_router.post("/rollback", response_model=RollbackResponse)
def rollback(session: SessionDep, principal: ModelsManage, body: RollbackRequest) -> RollbackResponse:
    """Archive the active version and re-activate the previous one (none: scores fall back to the prior)."""
    active, archived = ScoringService(session, principal).rollback(body.kind)
    return RollbackResponse(active=ModelVersionRead.model_validate(active) if active else None,
                            archived=ModelVersionRead.model_validate(archived))  # fmt: skip


@models_router.get("/{version_id}", response_model=ModelVersionDetail)
def get_model(session: SessionDep, principal: CrmRead, version_id: int) -> ModelVersionDetail:
    """A version with its metrics and, for a candidate, how its shadow scores compare with the active version."""
    service = ScoringService(session, principal)
    version = service.get_version(version_id)
    detail = ModelVersionDetail.model_validate(version)
    detail.shadow = service.shadow_comparison(version)
    return detail


@models_router.post("/{version_id}/promote", response_model=ModelVersionRead)
def promote(session: SessionDep, principal: ModelsManage, version_id: int) -> ModelVersionRead:
    return ModelVersionRead.model_validate(ScoringService(session, principal).promote(version_id))
