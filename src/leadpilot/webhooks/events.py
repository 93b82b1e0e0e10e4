"""Domain events → outgoing webhooks (transactional outbox).

``emit_event`` writes one WebhookDelivery row per subscribed endpoint inside the caller's transaction and
enqueues the delivery job only after that transaction commits, so a rolled-back change sends nothing and a
committed one is delivered even if the process dies right after the commit (the periodic sweep re-enqueues
pending deliveries).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.kit.clock import utcnow
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint


def _subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    events = endpoint.events or []
    if "*" in events or event_type in events:
        return True
    return any(e.endswith(".*") and event_type.startswith(e[:-1]) for e in events)


def emit_event(session: Session, org_id: int, event_type: str, data: dict[str, Any]) -> list[int]:
    endpoints = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.org_id == org_id, WebhookEndpoint.is_active.is_(True))
    ).all()
    targets = [e for e in endpoints if _subscribed(e, event_type)]
    if not targets:
        return []
    event_id = uuid.uuid4().hex
    payload = {"id": event_id, "type": event_type, "created_at": utcnow().isoformat(), "data": data}
    deliveries = [
        WebhookDelivery(org_id=org_id, endpoint_id=e.id, event_id=event_id, event_type=event_type, payload=payload)
        for e in targets
    ]
    session.add_all(deliveries)
    session.flush()
    from leadpilot.jobs.queue import enqueue_after_commit
    from leadpilot.webhooks.tasks import deliver_webhook

    for delivery in deliveries:
        enqueue_after_commit(session, deliver_webhook, delivery.id)
    return [d.id for d in deliveries]
