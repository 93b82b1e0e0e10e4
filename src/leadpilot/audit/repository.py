from __future__ import annotations

from datetime import datetime

from leadpilot.audit.models import AuditEvent
from leadpilot.db.repository import OrgRepository
from leadpilot.kit.pagination import paginate


class AuditEventRepository(OrgRepository[AuditEvent]):
    model = AuditEvent

    def list_page(
        self,
        *,
        action: str | None = None,
        entity_type: str | None = None,
        entity_id: int | None = None,
        actor_user_id: int | None = None,
        actor_api_key_id: int | None = None,
        request_id: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[AuditEvent], str | None]:
        """Newest first. ``action`` matches exactly, or by prefix when it ends with ``.*`` (``"auth.*"``)."""
        statement = self.select()
        if action:
            if action.endswith(".*"):
                statement = statement.where(AuditEvent.action.startswith(action[:-1], autoescape=True))
            else:
                statement = statement.where(AuditEvent.action == action)
        exact = {
            AuditEvent.entity_type: entity_type,
            AuditEvent.entity_id: entity_id,
            AuditEvent.actor_user_id: actor_user_id,
            AuditEvent.actor_api_key_id: actor_api_key_id,
            AuditEvent.request_id: request_id,
        }
        for column, value in exact.items():
            if value is not None:
                statement = statement.where(column == value)
        if created_after is not None:
            statement = statement.where(AuditEvent.created_at >= created_after)
        if created_before is not None:
            statement = statement.where(AuditEvent.created_at < created_before)
        # Ids grow with time, so paging by id is newest-first without a second sort key.
        return paginate(
            statement,
            session=self.session,
            sort_column=AuditEvent.id,
            id_column=AuditEvent.id,
            descending=True,
            cursor=cursor,
            limit=limit,
        )
