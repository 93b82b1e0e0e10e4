"""Lead and deal stages: what a stage implies for the record's status, and the StageChange history.

Lead:  new → contacted → engaged → qualified → meeting_booked → converted (status converted),
       or disqualified at any point (status lost); any other stage means status open.
Deal:  qualification → needs_analysis → proposal → negotiation → closed_won (won) | closed_lost (lost);
       moving a closed deal back to an open stage reopens it.

Every change, including the first stage a record is created in, is one StageChange row, so the stage of a record
*as of* any moment can be read back (scoring and forecasting do).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Deal, Lead, StageChange
from leadpilot.crm.schemas import DealStage, LeadStage

LEAD_STATUS = {LeadStage.converted: "converted", LeadStage.disqualified: "lost"}
DEAL_STATUS = {DealStage.closed_won: "won", DealStage.closed_lost: "lost"}


def _history_row(
    session: Session,
    principal: Principal,
    entity_type: str,
    entity_id: int,
    from_stage: str | None,
    to_stage: str,
    at: datetime,
) -> StageChange:
    row = StageChange(
        org_id=principal.org_id,
        entity_type=entity_type,
        entity_id=entity_id,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=at,
        changed_by_id=principal.user_id,
    )
    session.add(row)
    return row


def move_lead(
    session: Session, principal: Principal, lead: Lead, stage: LeadStage, *, at: datetime, initial: bool = False
) -> bool:
    """Put a flushed lead in ``stage`` (``initial``: the stage it is created in); return False when it already was
    there. A reopened lead loses its conversion time and lost reason."""
    previous = None if initial else lead.stage
    if previous == stage:
        return False
    was_open = initial or lead.status == "open"
    lead.stage = stage.value
    lead.stage_changed_at = at
    lead.status = LEAD_STATUS.get(stage, "open")
    lead.converted_at = at if stage == LeadStage.converted else None
    if lead.status == "open" and not was_open:
        lead.lost_reason = None
    _history_row(session, principal, "lead", lead.id, previous, stage.value, at)
    return True


def move_deal(
    session: Session, principal: Principal, deal: Deal, stage: DealStage, *, at: datetime, initial: bool = False
) -> bool:
    """Put a flushed deal in ``stage`` (``initial``: the stage it is created in); return False when it already was
    there. Closing sets status and closed_at; reopening clears them and the lost reason."""
    previous = None if initial else deal.stage
    if previous == stage:
        return False
    was_open = initial or deal.status == "open"
    deal.stage = stage.value
    deal.stage_changed_at = at
    deal.status = DEAL_STATUS.get(stage, "open")
    deal.closed_at = at if deal.status != "open" else None
    if deal.status == "open" and not was_open:
        deal.lost_reason = None
    _history_row(session, principal, "deal", deal.id, previous, stage.value, at)
    return True


def delete_history(session: Session, principal: Principal, entity_type: str, entity_id: int) -> None:
    session.execute(
        delete(StageChange).where(
            StageChange.org_id == principal.org_id,
            StageChange.entity_type == entity_type,
            StageChange.entity_id == entity_id,
        )
    )
