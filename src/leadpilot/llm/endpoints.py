"""``GET /api/v1/llm/usage``: the org's model usage; ``GET /api/v1/llm/status``: which models generation uses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter

from leadpilot.auth.dependencies import SessionDep, require
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.kit.clock import utcnow
from leadpilot.llm import service
from leadpilot.llm.schemas import LlmStatus, LlmUsageReport

router = APIRouter(prefix="/llm", tags=["llm"])

# Usage and provider settings are operational data, read by the same admins who read the audit log.
LlmAdmin = Annotated[Principal, require(Permission.audit_read)]


@router.get("/usage", response_model=LlmUsageReport)
def read_usage(
    session: SessionDep, principal: LlmAdmin, start: date | None = None, end: date | None = None
) -> LlmUsageReport:
    """Calls, errors, tokens and mean latency per UTC day, kind (chat, embedding), provider and model. Defaults to
    the last 30 days."""
    end = end or utcnow().date()
    start = start or end - timedelta(days=29)
    return service.usage_for_org(session, principal, start=start, end=end)


@router.get("/status", response_model=LlmStatus)
def read_status(principal: LlmAdmin) -> LlmStatus:
    return service.provider_status(principal)
