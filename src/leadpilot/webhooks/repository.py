"""Every query on webhook endpoints and deliveries.

API reads go through the org-scoped repositories. The delivery job and the sweep act on ids they were handed
(each row carries its own ``org_id``); they use the module functions below, which change a delivery only while it
is still in the state the caller saw (optimistic locking on ``status`` + ``attempts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.kit.pagination import paginate
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint

WebhookEndpointNotFound = not_found_error("WebhookEndpoint")
WebhookDeliveryNotFound = not_found_error("WebhookDelivery")

DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookEndpointRepository(OrgRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    not_found = WebhookEndpointNotFound

    def list_all(self) -> list[WebhookEndpoint]:
        return list(self.session.scalars(self.select().order_by(WebhookEndpoint.id)))


class WebhookDeliveryRepository(OrgRepository[WebhookDelivery]):
    model = WebhookDelivery
    not_found = WebhookDeliveryNotFound

    def access_for_endpoint(self, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
        delivery = self.get(delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise self.not_found()
        return delivery

    def list_page(
        self, *, endpoint_id: int, status: DeliveryStatus | None, cursor: str | None, limit: int
    ) -> tuple[list[WebhookDelivery], str | None]:
        statement = self.select().where(WebhookDelivery.endpoint_id == endpoint_id)
        if status is not None:
            statement = statement.where(WebhookDelivery.status == status)
        return paginate(
            statement,
            session=self.session,
            sort_column=WebhookDelivery.id,
            id_column=WebhookDelivery.id,
            descending=True,
            cursor=cursor,
            limit=limit,
        )


def active_endpoints(session: Session, org_id: int) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.org_id == org_id, WebhookEndpoint.is_active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
    )


def delivery_with_endpoint(session: Session, delivery_id: int) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    row = session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id, WebhookEndpoint.org_id == WebhookDelivery.org_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def update_if_unchanged(session: Session, delivery_id: int, *, attempts: int, values: dict[str, Any]) -> bool:
    """Apply ``values`` if the delivery is still pending with ``attempts`` attempts; return whether it was."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.attempts == attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def overdue_pending_ids(session: Session, *, due_before: datetime, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == "pending",
                or_(
                    WebhookDelivery.next_attempt_at < due_before,
                    and_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.created_at < due_before),
                ),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
    )
