"""Scoring jobs: re-score on activity (debounced), batch re-scores, training, drift checks.

    CRM service changes a lead's data ──► request_rescore(session, org, lead / contact, delay)
        writes ScoringRequest rows due ``delay`` seconds later in the same transaction (never lost) and, after
        commit, schedules scoring.rescore_pending(org) for that moment (activities wait DEBOUNCE_SECONDS, a new
        lead is scored at once)
    scoring.rescore_pending(org) ──► scores the leads whose latest request is due (or whose first one has waited
        longer than MAX_WAIT_SECONDS), then deletes their requests: a burst of 20 events makes one re-score
    periodic (jobs/periodic.py): the pending sweep every minute, unscored leads every 10 minutes, every lead daily
        (recency features age), retraining weekly, drift daily

Each function opens its own transaction and may run twice: scoring is idempotent, a scheduled retrain is skipped
when the org trained within RETRAIN_MIN_HOURS, and a drift alert is only sent when the status turns to drift.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Lead
from leadpilot.db.session import new_session, transaction
from leadpilot.jobs.queue import enqueue_after_commit, job
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org
from leadpilot.scoring.models import ScoringRequest

if TYPE_CHECKING:
    from leadpilot.scoring.service import TrainOutcome

log = logging.getLogger("leadpilot.scoring")

DEBOUNCE_SECONDS = 20.0
MAX_WAIT_SECONDS = 120.0
RETRAIN_MIN_HOURS = 20.0


def request_rescore(
    session: Session,
    org_id: int,
    *,
    lead_id: int | None = None,
    contact_id: int | None = None,
    reason: str = "activity",
    delay: float = DEBOUNCE_SECONDS,
) -> None:
    """Ask for a re-score of the open leads of a contact (or of one lead) ``delay`` seconds after this transaction
    commits. With the immediate queue (tests) a delayed job never runs: ``process_pending`` does the work."""
    statement = select(Lead.id).where(Lead.org_id == org_id, Lead.status == "open")
    if contact_id is not None:
        statement = statement.where(Lead.contact_id == contact_id)
    elif lead_id is not None:
        statement = statement.where(Lead.id == lead_id)
    else:
        return
    lead_ids = list(session.scalars(statement))
    if not lead_ids:
        return
    now = utcnow()
    due = now + timedelta(seconds=delay)
    session.execute(
        insert(ScoringRequest),
        [{"org_id": org_id, "lead_id": i, "reason": reason[:32], "requested_at": now, "due_at": due} for i in lead_ids],
    )
    enqueue_after_commit(session, rescore_pending.schedule, (org_id,), delay=delay + 0.5)


@job("scoring.rescore_pending", retries=2, backoff_base=15.0)
def rescore_pending(org_id: int) -> int:
    return process_pending(org_id)


def process_pending(org_id: int, *, now: datetime | None = None) -> int:
    from leadpilot.scoring.repository import ScoringRequestRepository
    from leadpilot.scoring.service import ScoringService

    now = now or utcnow()
    principal = Principal.system(org_id)
    with transaction() as session:
        requests = ScoringRequestRepository(session, principal)
        due = requests.due(now=now, waited_before=now - timedelta(seconds=MAX_WAIT_SECONDS))
        if not due:
            return 0
        requests.consume(due, until=now)
        ScoringService(session, principal).score_leads(due, persist=True, trigger="activity", check=False)
    return len(due)


@job("scoring.score_org", retries=1, backoff_base=60.0)
def score_org(org_id: int, trigger: str = "batch") -> int:
    return score_org_now(org_id, trigger=trigger)


def score_org_now(org_id: int, *, trigger: str = "batch", unscored_only: bool = False) -> int:
    from leadpilot.scoring.service import ScoringService

    with transaction() as session:
        summary = ScoringService(session, Principal.system(org_id)).score_all(
            trigger=trigger, unscored_only=unscored_only
        )
    log.info(
        "scored leads",
        extra={
            "org_id": org_id,
            "scored": summary.scored,
            "stored": summary.stored,
            "seconds": round(summary.seconds, 2),
            "model_version": summary.model_version,
        },
    )
    return summary.scored


@job("scoring.train", retries=0)
def train(org_id: int, trigger: str = "manual", user_id: int | None = None, promote: bool | None = None) -> str:
    return train_org(org_id, trigger=trigger, user_id=user_id, promote=promote).detail


def train_org(
    org_id: int, *, trigger: str = "manual", user_id: int | None = None, promote: bool | None = None
) -> TrainOutcome:
    """Train outside any write transaction (reading in a read-only session), then register in a short one: on
    SQLite a long write transaction would hold every other writer back for the whole training."""
    from leadpilot.scoring.service import ScoringService, TrainOutcome, run_training

    principal = replace(Principal.system(org_id), user_id=user_id)
    with new_session(write=False) as session:
        prepared = ScoringService(session, principal).prepare_training()
        session.rollback()
    result = run_training(prepared)
    if isinstance(result, str):
        log.info("training refused", extra={"org_id": org_id, "detail": result})
        return TrainOutcome(False, result)
    with transaction() as session:
        version = ScoringService(session, principal).register(prepared, result, trigger=trigger, promote=promote)
        outcome = TrainOutcome(True, f"trained {version.version} ({version.status})", version)
    return outcome


def bootstrap_org(org_id: int) -> str:
    """Give a new org (or a freshly loaded one) its scores: train its first model when it has none and enough
    outcomes, then score every lead. Returns a line for the person who asked."""
    from leadpilot.scoring.models import ModelVersion

    with new_session(write=False) as session:
        trained_before = session.scalar(select(ModelVersion.id).where(ModelVersion.org_id == org_id).limit(1))
    detail = ""
    if trained_before is None:
        outcome = train_org(org_id, trigger="bootstrap")
        if outcome.version is not None:
            test = outcome.version.metrics.get("test", {})
            detail = f"{outcome.detail}, AUC {test.get('auc', 0):.3f} on the newest leads; "
        else:
            detail = "no model yet (the prior scores); "
    scored = score_org_now(org_id, trigger="bootstrap")
    return f"Scoring: {detail}{scored:,} leads scored."


@job("scoring.check_drift", retries=1, backoff_base=60.0)
def check_drift(org_id: int) -> str | None:
    return check_drift_now(org_id)


def check_drift_now(org_id: int) -> str | None:
    from leadpilot.scoring.service import ScoringService

    with transaction() as session:
        report = ScoringService(session, Principal.system(org_id)).check_drift()
        return report.status if report is not None else None


# --- periodic (jobs/periodic.py) -------------------------------------------------------------------------------------


def _org_ids(statement: Any = None) -> list[int]:
    with new_session(write=False) as session:
        return list(session.scalars(statement if statement is not None else select(Org.id).order_by(Org.id)))


def _each_org(org_ids: list[int], action: str, fn: Callable[[int], Any]) -> int:
    done = 0
    for org_id in org_ids:
        try:
            fn(org_id)
            done += 1
        except Exception:
            log.exception("scoring job failed for an org", extra={"org_id": org_id, "action": action})
    return done


def rescore_pending_all() -> int:
    """Safety net for lost schedules: process every org with pending requests."""
    return _each_org(_org_ids(select(ScoringRequest.org_id).distinct()), "rescore_pending", process_pending)


def score_unscored_all() -> int:
    """Score never-scored leads; an org that has never trained but has enough conversions is bootstrapped."""
    from leadpilot.scoring.config import ScoringConfig
    from leadpilot.scoring.models import ModelVersion

    def run(org_id: int) -> None:
        with new_session(write=False) as session:
            trained_before = session.scalar(select(ModelVersion.id).where(ModelVersion.org_id == org_id).limit(1))
            converted = session.scalar(
                select(func.count()).select_from(Lead).where(Lead.org_id == org_id, Lead.status == "converted")
            )
            org = session.get(Org, org_id)
            config = ScoringConfig.from_settings(org.settings if org is not None else None)
        if trained_before is None and (converted or 0) >= config.min_positives:
            bootstrap_org(org_id)
        else:
            score_org_now(org_id, trigger="batch", unscored_only=True)

    return _each_org(_org_ids(select(Lead.org_id).where(Lead.scored_at.is_(None)).distinct()), "score_unscored", run)


def score_all_orgs() -> int:
    return _each_org(_org_ids(select(Lead.org_id).distinct()), "score_all", lambda o: score_org_now(o))


def retrain_all_orgs() -> int:
    from leadpilot.scoring.models import ModelVersion

    def retrain(org_id: int) -> None:
        with new_session(write=False) as session:
            last = session.scalar(
                select(ModelVersion.created_at)
                .where(ModelVersion.org_id == org_id)
                .order_by(ModelVersion.created_at.desc())
                .limit(1)
            )
        if last is not None and utcnow() - last < timedelta(hours=RETRAIN_MIN_HOURS):
            return
        train_org(org_id, trigger="scheduled")

    return _each_org(_org_ids(select(Lead.org_id).distinct()), "retrain", retrain)


def check_drift_all_orgs() -> int:
    from leadpilot.scoring.models import ModelVersion

    orgs = _org_ids(select(ModelVersion.org_id).where(ModelVersion.status == "active").distinct())
    return _each_org(orgs, "check_drift", check_drift_now)
