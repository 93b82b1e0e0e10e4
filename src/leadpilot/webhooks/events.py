"""Domain events → outgoing webhooks (transactional outbox).

``emit_event`` writes one WebhookDelivery row per subscribed endpoint inside the caller's transaction and
enqueues the delivery job only after that transaction commits, so a rolled-back change sends nothing and a
committed one is delivered even if the process dies right after the commit (the periodic sweep re-enqueues
pending deliveries).

``EVENT_TYPES`` is the catalogue: every type passed to ``emit_event`` is listed there and in docs/webhooks.md.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.orm import Session

from leadpilot.kit.clock import utcnow
from leadpilot.webhooks import repository
from leadpilot.webhooks.models import WebhookDelivery

log = logging.getLogger("leadpilot.webhooks")

PING = "ping"

# resource → the path its data is shaped like (GET <path>/{id})
_CRM_RESOURCES = {
    "contact": "/contacts",
    "company": "/companies",
    "lead": "/leads",
    "deal": "/deals",
    "activity": "/activities",
    "note": "/notes",
    "product": "/products",
    "conversation": "/conversations",
}


def _crud_events() -> dict[str, str]:
    events: dict[str, str] = {}
    for resource, path in _CRM_RESOURCES.items():
        article = "An" if resource[0] in "aeiou" else "A"
        events[f"{resource}.created"] = (
            f"{article} {resource} was created. data: the {resource}, as GET /api/v1{path}/{{id}}."
        )
        events[f"{resource}.updated"] = f"{article} {resource} changed. data: the {resource} after the change."
        events[f"{resource}.deleted"] = f"{article} {resource} was deleted. data: {{id}}."
    return events


EVENT_TYPES: dict[str, str] = {
    **_crud_events(),
    "lead.stage_changed": "A lead moved to another stage (also sent with lead.updated). "
    "data: {id, from_stage, to_stage, status}.",
    "deal.stage_changed": "A deal moved to another pipeline stage (also sent with deal.updated). "
    "data: {id, from_stage, to_stage, status}.",
    "message.created": "A message was added to a conversation (inbound or outbound). data: the message.",
    "lead.scored": "A lead got its first score or moved to another tier. "
    "data: {id, score, probability, tier, previous_tier, model, model_version, reasons}.",
    "model.trained": "A scoring model version was trained (a candidate). "
    "data: {id, kind, version, status, auc, brier}.",
    "model.promoted": "A model version became the active one. "
    "data: {id, kind, version, status, auc, brier, previous_version}.",
    "model.rolled_back": "The active model version was rolled back. "
    "data: {id, kind, version, status, auc, brier, rolled_back, active}.",
    "model.drift_detected": "The leads being scored drifted away from the model's training population (PSI). "
    "data: {model_version_id, version, score_psi, drifted_features, rows, report_id}.",
    "import.completed": "A CSV/JSON import finished. "
    "data: {import_id, entity, rows, created, updated, unchanged, errors}.",
}
PING_DESCRIPTION = "Sent by POST /webhooks/{endpoint_id}/test only; endpoints cannot subscribe to it."


def event_domains() -> set[str]:
    return {event_type.partition(".")[0] for event_type in EVENT_TYPES}


def subscribed(patterns: list[str], event_type: str) -> bool:
    """Whether a subscription list (``"*"``, ``"contact.*"``, ``"contact.created"``) covers ``event_type``."""
    for pattern in patterns:
        if pattern in ("*", event_type):
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def event_payload(*, org_id: int, event_type: str, data: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The JSON body every delivery of an event carries; ``id`` is the same for every endpoint and redelivery."""
    return {
        "id": event_id or uuid.uuid4().hex,
        "type": event_type,
        "created_at": utcnow().isoformat(),
        "org_id": org_id,
        "data": data,
    }


def emit_event(session: Session, org_id: int, event_type: str, data: dict[str, Any]) -> list[int]:
    """Record ``event_type`` for every endpoint of ``org_id`` subscribed to it; delivered after commit."""
    if event_type not in EVENT_TYPES:
        # Not an error: the change itself must not fail; but endpoints can only subscribe to it with "*".
        log.warning("event type missing from the webhook catalogue", extra={"event_type": event_type})
    targets = [e for e in repository.active_endpoints(session, org_id) if subscribed(e.events or [], event_type)]
    if not targets:
        return []
    payload = event_payload(org_id=org_id, event_type=event_type, data=data)
    now = utcnow()
    deliveries = [
        WebhookDelivery(org_id=org_id, endpoint_id=e.id, event_id=payload["id"], event_type=event_type,
                        payload=payload, status="pending", attempts=0, next_attempt_at=now)
        for e in targets
    ]  # fmt: skip
    session.add_all(deliveries)
    session.flush()
    enqueue_deliveries(session, [d.id for d in deliveries])
    return [d.id for d in deliveries]


def enqueue_deliveries(session: Session, delivery_ids: list[int]) -> None:
    from leadpilot.jobs.queue import enqueue_after_commit
    from leadpilot.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        enqueue_after_commit(session, deliver_webhook, delivery_id)
