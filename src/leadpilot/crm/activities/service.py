"""Activity rules: references are checked and must agree with each other (a lead's activity is about that lead's
contact); purchases and refunds carry money; an ``external_id`` makes posting idempotent per org (a repeat is a
409 naming the existing activity). Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm import search
from leadpilot.crm.activities.repository import ActivityRepository
from leadpilot.crm.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate, activity_rule_violation
from leadpilot.crm.models import Activity, Company, Contact, Deal, Lead, Product
from leadpilot.crm.references import check_reference
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.orgs.models import User
from leadpilot.scoring.tasks import request_rescore
from leadpilot.webhooks.events import emit_event

_REFERENCES: dict[str, type[Any]] = {
    "contact_id": Contact,
    "company_id": Company,
    "lead_id": Lead,
    "deal_id": Deal,
    "product_id": Product,
    "user_id": User,
}
SUBJECT_FIELDS = ("contact_id", "company_id", "lead_id", "deal_id")


def activity_search_text(activity: Activity) -> str:
    return search.normalize(
        activity.type.replace("_", " "),
        activity.subject,
        activity.channel,
        activity.source,
        activity.url,
        activity.external_id,
    )


class ActivityService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.activities = ActivityRepository(session, principal)

    def _duplicate(self, external_id: str, existing_id: int) -> Conflict:
        return Conflict(
            f"An activity with external_id {external_id!r} already exists",
            extra={"field": "external_id", "existing_id": existing_id},
        )

    def _apply(self, activity: Activity, fields: dict[str, Any]) -> None:
        for field, model in _REFERENCES.items():
            if field in fields:
                check_reference(self.session, self.principal, model, fields[field], field)
        external_id: str | None = fields.get("external_id")
        existing = self.activities.id_by_external_id(external_id) if external_id else None
        if external_id and existing is not None and existing != activity.id:
            raise self._duplicate(external_id, existing)
        for key, value in fields.items():
            setattr(activity, key, value)
        self._link_contact(activity)
        if not any(getattr(activity, field) is not None for field in SUBJECT_FIELDS):
            raise InvalidInput(
                "An activity needs a contact_id, company_id, lead_id or deal_id", extra={"field": "contact_id"}
            )
        violation = activity_rule_violation(activity.type, activity.occurred_at, activity.amount, activity.currency)
        if violation is not None:
            raise InvalidInput(violation[1], extra={"field": violation[0]})
        activity.search_text = activity_search_text(activity)

    def _link_contact(self, activity: Activity) -> None:
        """Fill the contact from the lead or deal, and refuse a lead or deal of another contact."""
        linked: list[tuple[str, Lead | Deal | None]] = [
            ("lead_id", self.session.get(Lead, activity.lead_id) if activity.lead_id is not None else None),
            ("deal_id", self.session.get(Deal, activity.deal_id) if activity.deal_id is not None else None),
        ]
        for field, row in linked:
            if row is None or row.contact_id is None:
                continue
            if activity.contact_id is None:
                activity.contact_id = row.contact_id
            elif activity.contact_id != row.contact_id:
                raise InvalidInput(
                    f"{field} {row.id} belongs to another contact than contact_id {activity.contact_id}",
                    extra={"field": field},
                )

    def _audit_and_emit(self, action: str, activity: Activity, **audit: Any) -> ActivityRead:
        record(
            self.session, self.principal, f"activity.{action}", entity_type="activity", entity_id=activity.id, **audit
        )
        read = ActivityRead.model_validate(activity)
        emit_event(self.session, self.principal.org_id, f"activity.{action}", read.model_dump(mode="json"))
        request_rescore(self.session, self.principal.org_id, contact_id=activity.contact_id, lead_id=activity.lead_id)
        return read

    def create(self, data: ActivityCreate) -> ActivityRead:
        activity = Activity(org_id=self.principal.org_id)
        self._apply(activity, data.model_dump())
        try:
            # A concurrent request with the same external_id can pass the check above; the unique constraint
            # decides, and the loser gets the same 409 as a sequential repeat.
            with self.session.begin_nested():
                self.activities.add(activity)
        except IntegrityError:
            external_id = activity.external_id
            existing = self.activities.id_by_external_id(external_id) if external_id else None
            if external_id is None or existing is None:
                raise
            raise self._duplicate(external_id, existing) from None
        return self._audit_and_emit("created", activity)

    def update(self, activity_id: int, data: ActivityUpdate) -> ActivityRead:
        activity = self.activities.access_by_id(activity_id)
        self._apply(activity, data.changes())
        self.session.flush()
        return self._audit_and_emit("updated", activity, data={"fields": sorted(data.model_fields_set)})

    def delete(self, activity_id: int) -> None:
        activity = self.activities.access_by_id(activity_id)
        request_rescore(self.session, self.principal.org_id, contact_id=activity.contact_id, lead_id=activity.lead_id)
        self.activities.delete(activity)
        record(self.session, self.principal, "activity.deleted", entity_type="activity", entity_id=activity_id)
        emit_event(self.session, self.principal.org_id, "activity.deleted", {"id": activity_id})

    def get(self, activity_id: int) -> ActivityRead:
        return ActivityRead.model_validate(self.activities.access_by_id(activity_id))

    def list_page(self, **filters: Any) -> tuple[list[ActivityRead], str | None]:
        """One page of activities; ``filters`` are those of ``ActivityRepository.list_page``."""
        rows, next_cursor = self.activities.list_page(**filters)
        return [ActivityRead.model_validate(row) for row in rows], next_cursor
