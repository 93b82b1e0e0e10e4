from __future__ import annotations

from datetime import datetime
from typing import Any

from leadpilot.crm.schemas import ReadModel


class AuditEventRead(ReadModel):
    id: int
    action: str
    actor_user_id: int | None
    actor_api_key_id: int | None
    entity_type: str | None
    entity_id: int | None
    data: dict[str, Any]
    ip: str | None
    request_id: str | None
    created_at: datetime
