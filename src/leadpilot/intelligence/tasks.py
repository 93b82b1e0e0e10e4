"""Intelligence jobs.

    message stored (ConversationService.add_message) ──► after commit: intelligence.annotate_message(org, message)
        analyses the message outside any write transaction (the model may need building, a chat model may be asked),
        then stores the annotations in a short one, fills the lead's empty BANT fields and asks scoring to re-score
        the contact's leads (scoring.tasks.request_rescore)
    intelligence.retrain(org) ──► rebuilds the org's model and stores its measured quality
    periodic intelligence.annotate_missing ──► annotates messages left without annotations (a lost job, a bulk load)

Each job may run twice: annotating again overwrites with the same result.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from leadpilot.auth.principal import Principal
from leadpilot.db.session import new_session, transaction
from leadpilot.errors import NotFound
from leadpilot.jobs.queue import job
from leadpilot.kit.clock import utcnow

log = logging.getLogger("leadpilot.intelligence")

SWEEP_BATCH = 200
SWEEP_GRACE_SECONDS = 120


def annotate_now(org_id: int, message_id: int) -> bool:
    from leadpilot.intelligence.service import IntelligenceService

    principal = Principal.system(org_id)
    try:
        # Building the model (seconds, once) and a chat model's answer take time: never while holding the write lock.
        with new_session(write=False) as session:
            annotations = IntelligenceService(session, principal).annotations_for(message_id)
            session.rollback()
        with transaction() as session:
            IntelligenceService(session, principal).annotate(message_id, annotations=annotations)
    except NotFound:
        log.info("message gone before it was annotated", extra={"org_id": org_id, "message_id": message_id})
        return False
    return True


@job("intelligence.annotate_message", retries=2, backoff_base=30.0)
def annotate_message(org_id: int, message_id: int) -> bool:
    return annotate_now(org_id, message_id)


def retrain_now(org_id: int, *, user_id: int | None = None, trigger: str = "manual") -> int:
    from leadpilot.intelligence.service import IntelligenceService

    principal = replace(Principal.system(org_id), user_id=user_id)
    with new_session(write=False) as session:
        IntelligenceService(session, principal).model()
        session.rollback()
    with transaction() as session:
        return IntelligenceService(session, principal).retrain(trigger=trigger).id


@job("intelligence.retrain", retries=0)
def retrain(org_id: int, user_id: int | None = None, trigger: str = "manual") -> int:
    return retrain_now(org_id, user_id=user_id, trigger=trigger)


def annotate_missing(*, batch: int = SWEEP_BATCH, grace_seconds: float = SWEEP_GRACE_SECONDS) -> int:
    """Periodic: annotate up to ``batch`` messages that were stored without annotations at least ``grace_seconds``
    ago (younger ones still have their own job pending)."""
    from leadpilot.intelligence.repository import unannotated_messages

    with new_session(write=False) as session:
        pending = unannotated_messages(session, before=utcnow() - timedelta(seconds=grace_seconds), limit=batch)
    done = 0
    for org_id, message_id in pending:
        try:
            done += annotate_now(org_id, message_id)
        except Exception:
            log.exception("annotation failed", extra={"org_id": org_id, "message_id": message_id})
    return done
