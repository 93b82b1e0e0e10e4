"""One time-ordered history of a lead or a contact, newest first, merged from four tables:

    activity      the contact's activities (and those logged on the lead or its deals)
    message       messages of the contact's conversations (and of conversations about the lead)
    note          notes on the contact, the lead(s) or their deals
    stage_change  stage changes of the lead(s) and their deals

Each source is read with the same keyset condition and at most ``limit + 1`` rows, then merged, so a page costs
four indexed range scans however long the history is. Items tie-break on (kind, id); the cursor carries
(at, kind, id) of the last item.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.crm.activities.schemas import ActivityRead
from leadpilot.crm.conversations.schemas import MessageRead
from leadpilot.crm.models import Activity, Conversation, Deal, Lead, Message, Note, StageChange
from leadpilot.crm.notes.schemas import NoteRead
from leadpilot.crm.schemas import ReadModel
from leadpilot.errors import InvalidInput
from leadpilot.kit.pagination import MAX_LIMIT

TimelineKind = Literal["activity", "message", "note", "stage_change"]
SUMMARY_LENGTH = 160


class TimelineItem(ReadModel):
    kind: TimelineKind
    at: datetime
    id: int
    summary: str
    data: dict[str, Any]


class StageChangeRead(ReadModel):
    id: int
    entity_type: str
    entity_id: int
    from_stage: str | None
    to_stage: str
    changed_at: datetime
    changed_by_id: int | None


@dataclass(frozen=True)
class _Scope:
    """Whose history: one contact (may be None) plus sets of lead and deal ids, as subqueries of the org."""

    contact_id: int | None
    lead_ids: Select[Any]
    deal_ids: Select[Any]


def _shorten(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _activity_item(row: Activity) -> TimelineItem:
    summary = row.type.replace("_", " ")
    if row.subject:
        summary += f": {row.subject}"
    if row.amount is not None:
        summary += f" ({row.amount} {row.currency or ''})".replace(" )", ")")
    data = ActivityRead.model_validate(row).model_dump(mode="json")
    return TimelineItem(kind="activity", at=row.occurred_at, id=row.id, summary=_shorten(summary), data=data)


def _message_item(row: Message) -> TimelineItem:
    summary = f"{row.direction} {row.channel} message: {row.text or '(audio)'}"
    data = MessageRead.model_validate(row).model_dump(mode="json")
    return TimelineItem(kind="message", at=row.created_at, id=row.id, summary=_shorten(summary), data=data)


def _note_item(row: Note) -> TimelineItem:
    data = NoteRead.model_validate(row).model_dump(mode="json")
    return TimelineItem(kind="note", at=row.created_at, id=row.id, summary=_shorten(f"note: {row.body}"), data=data)


def _stage_item(row: StageChange) -> TimelineItem:
    what = row.entity_type.capitalize()
    summary = (
        f"{what} created in stage {row.to_stage}"
        if row.from_stage is None
        else f"{what} stage {row.from_stage} → {row.to_stage}"
    )
    data = StageChangeRead.model_validate(row).model_dump(mode="json")
    return TimelineItem(kind="stage_change", at=row.changed_at, id=row.id, summary=summary, data=data)


@dataclass(frozen=True)
class _Source:
    kind: TimelineKind
    model: Any
    at: Any
    where: Callable[[int, _Scope], ColumnElement[bool]]
    to_item: Callable[[Any], TimelineItem]


def _contact_is(column: Any, scope: _Scope) -> ColumnElement[bool]:
    return column == scope.contact_id if scope.contact_id is not None else false()


def _messages_where(org_id: int, scope: _Scope) -> ColumnElement[bool]:
    conversations = select(Conversation.id).where(
        Conversation.org_id == org_id,
        or_(_contact_is(Conversation.contact_id, scope), Conversation.lead_id.in_(scope.lead_ids)),
    )
    return Message.conversation_id.in_(conversations)


# Ordered by tie-break rank: at equal times, a later source in this list comes first (newest-first order).
_SOURCES: tuple[_Source, ...] = (
    _Source(
        "activity",
        Activity,
        Activity.occurred_at,
        lambda org_id, scope: or_(
            _contact_is(Activity.contact_id, scope),
            Activity.lead_id.in_(scope.lead_ids),
            Activity.deal_id.in_(scope.deal_ids),
        ),
        _activity_item,
    ),
    _Source("message", Message, Message.created_at, _messages_where, _message_item),
    _Source(
        "note",
        Note,
        Note.created_at,
        lambda org_id, scope: or_(
            _contact_is(Note.contact_id, scope), Note.lead_id.in_(scope.lead_ids), Note.deal_id.in_(scope.deal_ids)
        ),
        _note_item,
    ),
    _Source(
        "stage_change",
        StageChange,
        StageChange.changed_at,
        lambda org_id, scope: or_(
            and_(StageChange.entity_type == "lead", StageChange.entity_id.in_(scope.lead_ids)),
            and_(StageChange.entity_type == "deal", StageChange.entity_id.in_(scope.deal_ids)),
        ),
        _stage_item,
    ),
)
_RANK = {source.kind: rank for rank, source in enumerate(_SOURCES)}


def _encode(item: TimelineItem) -> str:
    raw = json.dumps([item.at.isoformat(), item.kind, item.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int, int]:
    try:
        at, kind, row_id = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, _RANK[kind], int(row_id)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput("Invalid pagination cursor") from exc


def _before(source: _Source, rank: int, last: tuple[datetime, int, int]) -> ColumnElement[bool]:
    """Rows of ``source`` that come after ``last`` in newest-first (at, rank, id) order."""
    last_at, last_rank, last_id = last
    if rank < last_rank:
        return source.at <= last_at
    if rank > last_rank:
        return source.at < last_at
    return or_(source.at < last_at, and_(source.at == last_at, source.model.id < last_id))


def _page(
    session: Session, principal: Principal, scope: _Scope, *, limit: int, cursor: str | None
) -> tuple[list[TimelineItem], str | None]:
    limit = max(1, min(limit, MAX_LIMIT))
    last = _decode(cursor) if cursor else None
    keyed: list[tuple[tuple[datetime, int, int], TimelineItem]] = []
    for rank, source in enumerate(_SOURCES):
        statement = select(source.model).where(
            source.model.org_id == principal.org_id, source.where(principal.org_id, scope)
        )
        if last is not None:
            statement = statement.where(_before(source, rank, last))
        statement = statement.order_by(source.at.desc(), source.model.id.desc()).limit(limit + 1)
        for row in session.scalars(statement):
            item = source.to_item(row)
            keyed.append(((item.at, rank, item.id), item))
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    items = [item for _, item in keyed[: limit + 1]]
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, _encode(items[-1])


def lead_timeline(
    session: Session, principal: Principal, lead: Lead, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[TimelineItem], str | None]:
    """The history of ``lead`` (already access-checked): its contact's activities, messages and notes, the
    lead's own notes and activities, and the stage changes of the lead and of its deals."""
    lead_ids = select(Lead.id).where(Lead.org_id == principal.org_id, Lead.id == lead.id)
    deal_ids = select(Deal.id).where(Deal.org_id == principal.org_id, Deal.lead_id == lead.id)
    scope = _Scope(contact_id=lead.contact_id, lead_ids=lead_ids, deal_ids=deal_ids)
    return _page(session, principal, scope, limit=limit, cursor=cursor)


def contact_timeline(
    session: Session, principal: Principal, contact_id: int, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[TimelineItem], str | None]:
    """The history of a contact (already access-checked): its activities, messages and notes, and everything on
    its leads and deals, including their stage changes."""
    lead_ids = select(Lead.id).where(Lead.org_id == principal.org_id, Lead.contact_id == contact_id)
    deal_ids = select(Deal.id).where(
        Deal.org_id == principal.org_id, or_(Deal.contact_id == contact_id, Deal.lead_id.in_(lead_ids))
    )
    scope = _Scope(contact_id=contact_id, lead_ids=lead_ids, deal_ids=deal_ids)
    return _page(session, principal, scope, limit=limit, cursor=cursor)
