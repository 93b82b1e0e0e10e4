"""Writes to the audit log. Called by services inside the caller's transaction, so an audit row exists exactly
when the change it describes was committed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.auth.principal import Principal
from leadpilot.kit.context import client_ip_var, request_id_var


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
    org_id: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        org_id=principal.org_id if principal else org_id,
        actor_user_id=principal.user_id if principal else None,
        actor_api_key_id=principal.api_key_id if principal else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data or {},
        ip=client_ip_var.get(),
        request_id=request_id_var.get(),
    )
    session.add(event)
    return event
