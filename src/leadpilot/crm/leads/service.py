"""Lead rules: a lead belongs to an existing contact of the org; references are checked; stage changes follow
``crm.stages`` and are kept in the stage history; BANT budget defaults to the org's currency. Flushes, never
commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm import search, stages
from leadpilot.crm.leads.repository import LeadRepository
from leadpilot.crm.leads.schemas import LeadCreate, LeadRead, LeadUpdate
from leadpilot.crm.models import Company, Contact, Lead
from leadpilot.crm.references import check_reference
from leadpilot.crm.schemas import LeadStage
from leadpilot.crm.timeline import TimelineItem, lead_timeline
from leadpilot.errors import Conflict
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org, User
from leadpilot.scoring.tasks import request_rescore
from leadpilot.webhooks.events import emit_event

_REFERENCES: dict[str, type[Any]] = {"contact_id": Contact, "company_id": Company, "owner_id": User}


def lead_search_text(lead: Lead) -> str:
    return search.normalize(
        lead.title,
        lead.source,
        lead.source_detail,
        lead.product_interest,
        lead.authority,
        lead.need,
        lead.external_id,
    )


class LeadService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.leads = LeadRepository(session, principal)

    def _default_currency(self) -> str:
        org = self.session.get(Org, self.principal.org_id)
        assert org is not None
        return org.default_currency

    def _check(self, lead: Lead, fields: dict[str, Any]) -> None:
        for field, model in _REFERENCES.items():
            if field in fields:
                check_reference(self.session, self.principal, model, fields[field], field)
        external_id = fields.get("external_id")
        existing = self.leads.id_by_external_id(external_id) if external_id else None
        if existing is not None and existing != lead.id:
            raise Conflict(
                f"Another lead already has external_id {external_id!r}",
                extra={"field": "external_id", "existing_id": existing},
            )

    def _set(self, lead: Lead, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            setattr(lead, key, value)
        if lead.budget_amount is not None and lead.budget_currency is None:
            lead.budget_currency = self._default_currency()
        lead.search_text = lead_search_text(lead)

    def _audit_and_emit(self, action: str, lead: Lead, **audit: Any) -> LeadRead:
        record(self.session, self.principal, f"lead.{action}", entity_type="lead", entity_id=lead.id, **audit)
        read = LeadRead.model_validate(lead)
        emit_event(self.session, self.principal.org_id, f"lead.{action}", read.model_dump(mode="json"))
        request_rescore(self.session, self.principal.org_id, lead_id=lead.id, reason=f"lead.{action}", delay=0)
        return read

    def _stage_changed(self, lead: Lead, from_stage: str | None) -> None:
        change = {"id": lead.id, "from_stage": from_stage, "to_stage": lead.stage, "status": lead.status}
        emit_event(self.session, self.principal.org_id, "lead.stage_changed", change)

    def create(self, data: LeadCreate) -> LeadRead:
        fields = data.model_dump(exclude={"stage"})
        check_reference(self.session, self.principal, Contact, data.contact_id, "contact_id")
        if "company_id" not in data.model_fields_set:
            contact = self.session.get(Contact, data.contact_id)
            fields["company_id"] = contact.company_id if contact is not None else None
        lead = Lead(org_id=self.principal.org_id)
        self._check(lead, fields)
        self._set(lead, fields)
        self.leads.add(lead)
        stages.move_lead(self.session, self.principal, lead, data.stage, at=utcnow(), initial=True)
        self.session.flush()
        return self._audit_and_emit("created", lead)

    def update(self, lead_id: int, data: LeadUpdate) -> LeadRead:
        lead = self.leads.access_by_id(lead_id)
        fields = data.changes()
        stage = fields.pop("stage", None)
        previous = lead.stage
        self._check(lead, fields)
        # The stage goes first so that a lost_reason sent with it is kept when the move would clear it.
        moved = stage is not None and stages.move_lead(
            self.session, self.principal, lead, LeadStage(stage), at=utcnow()
        )
        self._set(lead, fields)
        self.session.flush()
        read = self._audit_and_emit("updated", lead, data={"fields": sorted(data.model_fields_set)})
        if moved:
            self._stage_changed(lead, previous)
        return read

    def delete(self, lead_id: int) -> None:
        lead = self.leads.access_by_id(lead_id)
        stages.delete_history(self.session, self.principal, "lead", lead.id)
        self.leads.delete(lead)
        record(self.session, self.principal, "lead.deleted", entity_type="lead", entity_id=lead_id)
        emit_event(self.session, self.principal.org_id, "lead.deleted", {"id": lead_id})

    def get(self, lead_id: int) -> LeadRead:
        return LeadRead.model_validate(self.leads.access_by_id(lead_id))

    def list_page(self, **filters: Any) -> tuple[list[LeadRead], str | None]:
        """One page of leads; ``filters`` are those of ``LeadRepository.list_page``."""
        rows, next_cursor = self.leads.list_page(**filters)
        return [LeadRead.model_validate(row) for row in rows], next_cursor

    def count_by_stage(self) -> dict[str, int]:
        """Number of leads per stage; every stage is present."""
        counts = self.leads.count_by_stage()
        return {stage.value: counts.get(stage.value, 0) for stage in LeadStage}

    def timeline(
        self, lead_id: int, *, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[TimelineItem], str | None]:
        """Newest first: the contact's activities and messages, notes on the lead or its contact, and the stage
        changes of the lead and of its deals."""
        lead = self.leads.access_by_id(lead_id)
        return lead_timeline(self.session, self.principal, lead, limit=limit, cursor=cursor)
