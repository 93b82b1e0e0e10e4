"""Follow-up API: grounded follow-up messages for a lead (by id or inline context), and the org's generation mode.

POST /api/v1/followups            approach "rag" (knowledge base + the org's mode)
POST /api/v1/followups/rag        the same
POST /api/v1/followups/finetuned  the fine-tuned model (LEADPILOT_FOLLOWUP_FINETUNED_MODEL), from the lead's facts
POST /api/v1/followups/hybrid     the fine-tuned model writing from weighted knowledge-base sources
GET  /api/v1/followups/settings   the org's mode, the effective mode, thresholds
PUT  /api/v1/followups/settings   change the org's mode (admins)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from leadpilot.auth.dependencies import CrmRead, CrmWrite, SessionDep, require
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.db.session import commit, new_session
from leadpilot.followup.schemas import (
    Approach,
    DraftDetail,
    DraftRead,
    FollowupRequest,
    FollowupResponse,
    FollowupSettingsRead,
    FollowupSettingsUpdate,
)
from leadpilot.followup.service import FollowupService
from leadpilot.kit.pagination import Page

FollowupAdmin = Annotated[Principal, require(Permission.models_manage)]

router = APIRouter(prefix="/followups", tags=["followups"])


def generate_and_store(
    session: Session, principal: Principal, body: FollowupRequest, approach: Approach = "rag"
) -> FollowupResponse:
    """Generate in a read-only session, then store the draft in the request's transaction.

    A POST's session holds SQLite's write lock from its first statement; a model may take seconds to write a draft,
    and every other writer would wait that long. The request's transaction (authentication only, so far) is
    therefore committed first, and taken again only for the short insert of the draft."""
    commit(session)
    with new_session(write=False) as reader:
        response = FollowupService(reader, principal).generate(body, approach=approach)
    response.draft_id = FollowupService(session, principal).store(response)
    return response


def _generate(session: SessionDep, principal: Principal, body: FollowupRequest, approach: Approach) -> FollowupResponse:
    return generate_and_store(session, principal, body, approach)


@router.post("", response_model=FollowupResponse)
def create_followup(session: SessionDep, principal: CrmWrite, body: FollowupRequest) -> FollowupResponse:
    """A grounded follow-up from the knowledge base, in the org's generation mode (or ``mode``)."""
    return _generate(session, principal, body, "rag")


@router.post("/rag", response_model=FollowupResponse)
def create_rag_followup(session: SessionDep, principal: CrmWrite, body: FollowupRequest) -> FollowupResponse:
    """Retrieval-augmented: strict (playbook + verbatim extracts), assisted or generative."""
    return _generate(session, principal, body, "rag")


@router.post("/finetuned", response_model=FollowupResponse)
def create_finetuned_followup(session: SessionDep, principal: CrmWrite, body: FollowupRequest) -> FollowupResponse:
    """The fine-tuned model writes from the lead's facts; the claim check still verifies it against the knowledge
    base and the CRM record. 503 while ``LEADPILOT_FOLLOWUP_FINETUNED_MODEL`` is unset."""
    return _generate(session, principal, body, "finetuned")


@router.post("/hybrid", response_model=FollowupResponse)
def create_hybrid_followup(session: SessionDep, principal: CrmWrite, body: FollowupRequest) -> FollowupResponse:
    """Retrieval (weighted by category, ``source_weights``) fused with the fine-tuned model."""
    return _generate(session, principal, body, "hybrid")


@router.get("/settings", response_model=FollowupSettingsRead)
def read_settings(session: SessionDep, principal: CrmRead) -> FollowupSettingsRead:
    return FollowupService(session, principal).settings()


@router.put("/settings", response_model=FollowupSettingsRead)
def update_settings(
    session: SessionDep, principal: FollowupAdmin, body: FollowupSettingsUpdate
) -> FollowupSettingsRead:
    return FollowupService(session, principal).set_mode(body.mode)


@router.get("/drafts", response_model=Page[DraftRead])
def list_drafts(
    session: SessionDep,
    principal: CrmRead,
    lead_id: int | None = None,
    approach: Approach | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[DraftRead]:
    items, next_cursor = FollowupService(session, principal).list_drafts(
        lead_id=lead_id, approach=approach, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.get("/drafts/{draft_id}", response_model=DraftDetail)
def get_draft(session: SessionDep, principal: CrmRead, draft_id: int) -> DraftDetail:
    return FollowupService(session, principal).get_draft(draft_id)
