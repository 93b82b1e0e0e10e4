"""``/api/v1/webhooks``: endpoints an org registers, their deliveries, test pings and redeliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import SessionDep, WebhooksManage
from leadpilot.kit.pagination import Page
from leadpilot.webhooks.events import EVENT_TYPES, PING, PING_DESCRIPTION
from leadpilot.webhooks.repository import DeliveryStatus
from leadpilot.webhooks.schemas import (
    EventTypeRead,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)
from leadpilot.webhooks.service import WebhookService

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("/event-types", response_model=list[EventTypeRead])
def list_event_types(principal: WebhooksManage) -> list[EventTypeRead]:
    catalogue = [EventTypeRead(type=t, description=d) for t, d in sorted(EVENT_TYPES.items())]
    return [*catalogue, EventTypeRead(type=PING, description=PING_DESCRIPTION)]


@router.get("", response_model=list[WebhookEndpointRead])
def list_endpoints(session: SessionDep, principal: WebhooksManage) -> list[WebhookEndpointRead]:
    return [WebhookEndpointRead.model_validate(e) for e in WebhookService(session, principal).endpoints.list_all()]


@router.post("", response_model=WebhookEndpointCreated, status_code=201)
def create_endpoint(
    session: SessionDep, principal: WebhooksManage, body: WebhookEndpointCreate
) -> WebhookEndpointCreated:
    return WebhookService(session, principal).create(body)


@router.get("/{endpoint_id}", response_model=WebhookEndpointRead)
def get_endpoint(session: SessionDep, principal: WebhooksManage, endpoint_id: int) -> WebhookEndpointRead:
    return WebhookEndpointRead.model_validate(WebhookService(session, principal).endpoints.access_by_id(endpoint_id))


@router.patch("/{endpoint_id}", response_model=WebhookEndpointRead)
def update_endpoint(
    session: SessionDep, principal: WebhooksManage, endpoint_id: int, body: WebhookEndpointUpdate
) -> WebhookEndpointRead:
    return WebhookEndpointRead.model_validate(WebhookService(session, principal).update(endpoint_id, body))


@router.delete("/{endpoint_id}", status_code=204)
def delete_endpoint(session: SessionDep, principal: WebhooksManage, endpoint_id: int) -> Response:
    WebhookService(session, principal).delete(endpoint_id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=WebhookEndpointCreated)
def rotate_secret(session: SessionDep, principal: WebhooksManage, endpoint_id: int) -> WebhookEndpointCreated:
    return WebhookService(session, principal).rotate_secret(endpoint_id)


@router.post("/{endpoint_id}/test", response_model=WebhookDeliveryRead, status_code=202)
def send_test_event(session: SessionDep, principal: WebhooksManage, endpoint_id: int) -> WebhookDeliveryRead:
    return WebhookDeliveryRead.model_validate(WebhookService(session, principal).send_test(endpoint_id))


@router.get("/{endpoint_id}/deliveries", response_model=Page[WebhookDeliveryRead])
def list_deliveries(
    session: SessionDep,
    principal: WebhooksManage,
    endpoint_id: int,
    status: DeliveryStatus | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[WebhookDeliveryRead]:
    rows, next_cursor = WebhookService(session, principal).list_deliveries(
        endpoint_id, status=status, cursor=cursor, limit=limit
    )
    items = [WebhookDeliveryRead.model_validate(r) for r in rows]
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.get("/{endpoint_id}/deliveries/{delivery_id}", response_model=WebhookDeliveryRead)
def get_delivery(
    session: SessionDep, principal: WebhooksManage, endpoint_id: int, delivery_id: int
) -> WebhookDeliveryRead:
    return WebhookDeliveryRead.model_validate(WebhookService(session, principal).get_delivery(endpoint_id, delivery_id))


@router.post("/{endpoint_id}/deliveries/{delivery_id}/redeliver", response_model=WebhookDeliveryRead, status_code=202)
def redeliver(
    session: SessionDep, principal: WebhooksManage, endpoint_id: int, delivery_id: int
) -> WebhookDeliveryRead:
    return WebhookDeliveryRead.model_validate(WebhookService(session, principal).redeliver(endpoint_id, delivery_id))
