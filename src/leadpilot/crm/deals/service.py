"""Deal rules: references are checked and filled from the lead (contact, company); the currency defaults to the
org's; stage changes follow ``crm.stages`` (closing sets status and closed_at, reopening clears them) and are kept
in the stage history. Flushes, never commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm import search, stages
from leadpilot.crm.deals.repository import DealRepository
from leadpilot.crm.deals.schemas import DealCreate, DealRead, DealUpdate
from leadpilot.crm.models import Company, Contact, Deal, Lead
from leadpilot.crm.references import check_reference
from leadpilot.crm.schemas import DealStage
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org, User
from leadpilot.webhooks.events import emit_event

_REFERENCES: dict[str, type[Any]] = {"contact_id": Contact, "company_id": Company, "lead_id": Lead, "owner_id": User}


def deal_search_text(deal: Deal) -> str:
    return search.normalize(deal.name, deal.pipeline, deal.lost_reason, deal.external_id)


class DealService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.deals = DealRepository(session, principal)

    def _check(self, deal: Deal, fields: dict[str, Any]) -> None:
        for field, model in _REFERENCES.items():
            if field in fields:
                check_reference(self.session, self.principal, model, fields[field], field)
        external_id = fields.get("external_id")
        existing = self.deals.id_by_external_id(external_id) if external_id else None
        if existing is not None and existing != deal.id:
            raise Conflict(
                f"Another deal already has external_id {external_id!r}",
                extra={"field": "external_id", "existing_id": existing},
            )

    def _set(self, deal: Deal, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            setattr(deal, key, value)
        lead = self.session.get(Lead, deal.lead_id) if deal.lead_id is not None else None
        if lead is not None:
            if deal.contact_id is None:
                deal.contact_id = lead.contact_id
            elif deal.contact_id != lead.contact_id:
                raise InvalidInput(
                    f"lead_id {lead.id} belongs to another contact than contact_id {deal.contact_id}",
                    extra={"field": "lead_id"},
                )
            if deal.company_id is None:
                deal.company_id = lead.company_id
        if deal.company_id is None and deal.contact_id is not None:
            contact = self.session.get(Contact, deal.contact_id)
            deal.company_id = contact.company_id if contact is not None else None
        deal.search_text = deal_search_text(deal)

    def _audit_and_emit(self, action: str, deal: Deal, **audit: Any) -> DealRead:
        record(self.session, self.principal, f"deal.{action}", entity_type="deal", entity_id=deal.id, **audit)
        read = DealRead.model_validate(deal)
        emit_event(self.session, self.principal.org_id, f"deal.{action}", read.model_dump(mode="json"))
        return read

    def create(self, data: DealCreate) -> DealRead:
        fields = data.model_dump(exclude={"stage"})
        if fields["currency"] is None:
            org = self.session.get(Org, self.principal.org_id)
            assert org is not None
            fields["currency"] = org.default_currency
        deal = Deal(org_id=self.principal.org_id)
        self._check(deal, fields)
        self._set(deal, fields)
        self.deals.add(deal)
        stages.move_deal(self.session, self.principal, deal, data.stage, at=utcnow(), initial=True)
        self.session.flush()
        return self._audit_and_emit("created", deal)

    def update(self, deal_id: int, data: DealUpdate) -> DealRead:
        deal = self.deals.access_by_id(deal_id)
        fields = data.changes()
        stage = fields.pop("stage", None)
        previous = deal.stage
        self._check(deal, fields)
        # The stage goes first so that a lost_reason sent with it is kept when the move would clear it.
        moved = stage is not None and stages.move_deal(
            self.session, self.principal, deal, DealStage(stage), at=utcnow()
        )
        self._set(deal, fields)
        self.session.flush()
        read = self._audit_and_emit("updated", deal, data={"fields": sorted(data.model_fields_set)})
        if moved:
            change = {"id": deal.id, "from_stage": previous, "to_stage": deal.stage, "status": deal.status}
            emit_event(self.session, self.principal.org_id, "deal.stage_changed", change)
        return read

    def delete(self, deal_id: int) -> None:
        deal = self.deals.access_by_id(deal_id)
        stages.delete_history(self.session, self.principal, "deal", deal.id)
        self.deals.delete(deal)
        record(self.session, self.principal, "deal.deleted", entity_type="deal", entity_id=deal_id)
        emit_event(self.session, self.principal.org_id, "deal.deleted", {"id": deal_id})

    def get(self, deal_id: int) -> DealRead:
        return DealRead.model_validate(self.deals.access_by_id(deal_id))

    def totals_by_stage(self) -> list[tuple[str, str, int, Decimal]]:
        """(stage, currency, number of deals, summed amount) per stage and currency."""
        return self.deals.totals_by_stage()

    def list_page(self, **filters: Any) -> tuple[list[DealRead], str | None]:
        """One page of deals; ``filters`` are those of ``DealRepository.list_page``."""
        rows, next_cursor = self.deals.list_page(**filters)
        return [DealRead.model_validate(row) for row in rows], next_cursor
