"""Every query of the scoring domain, filtered to the principal's org.

``crm_tables`` reads the CRM rows features are built from (columns only, no ORM objects): for a list of leads when
serving, or the whole org when training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Activity, Company, Contact, Deal, Lead, Message, Note, StageChange
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.scoring.dataset import CrmTables
from leadpilot.scoring.models import DriftReport, LeadScore, ModelVersion, ScoringRequest

ModelVersionNotFound = not_found_error("ModelVersion")
_CHUNK = 500

_LEAD_COLUMNS = (
    Lead.id,
    Lead.contact_id,
    Lead.company_id,
    Lead.source,
    Lead.custom_fields,
    Lead.stage,
    Lead.status,
    Lead.converted_at,
    Lead.stage_changed_at,
    Lead.created_at,
    Lead.updated_at,
    Lead.budget_amount,
    Lead.authority,
    Lead.need,
    Lead.timeline,
    Lead.bant_evidence,
)
_CONTACT_COLUMNS = (
    Contact.id,
    Contact.created_at,
    Contact.seniority,
    Contact.department,
    Contact.title,
    Contact.phone,
    Contact.email,
    Contact.consent,
    Contact.opted_out,
    Contact.timezone,
    Contact.company_id,
    Contact.country,
    Contact.source,
)
_COMPANY_COLUMNS = (
    Company.id,
    Company.name,
    Company.employee_count,
    Company.annual_revenue,
    Company.industry,
    Company.country,
)
_ACTIVITY_COLUMNS = (
    Activity.contact_id,
    Activity.company_id,
    Activity.type,
    Activity.occurred_at,
    Activity.url,
    Activity.properties,
    Activity.user_id,
    Activity.amount,
)
_MESSAGE_COLUMNS = (Message.contact_id, Message.direction, Message.sender_type, Message.created_at, Message.annotations)
_DEAL_COLUMNS = (Deal.company_id, Deal.stage, Deal.status, Deal.closed_at, Deal.amount)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


class ModelVersionRepository(OrgRepository[ModelVersion]):
    model = ModelVersion
    not_found = ModelVersionNotFound

    def _own(self) -> Select[ModelVersion]:
        return select(ModelVersion).where(ModelVersion.org_id == self.org_id)

    def list(self, *, kind: str | None = None, status: str | None = None, limit: int = 100) -> list[ModelVersion]:
        statement = self._own().order_by(ModelVersion.number.desc(), ModelVersion.id.desc()).limit(limit)
        if kind is not None:
            statement = statement.where(ModelVersion.kind == kind)
        if status is not None:
            statement = statement.where(ModelVersion.status == status)
        return list(self.session.scalars(statement))

    def active(self, kind: str) -> ModelVersion | None:
        return self.session.scalar(
            self._own()
            .where(ModelVersion.kind == kind, ModelVersion.status == "active")
            .order_by(ModelVersion.promoted_at.desc())
            .limit(1)
        )

    def latest_candidate(self, kind: str) -> ModelVersion | None:
        return self.session.scalar(
            self._own()
            .where(ModelVersion.kind == kind, ModelVersion.status == "candidate")
            .order_by(ModelVersion.number.desc())
            .limit(1)
        )

    def next_number(self) -> int:
        current = self.session.scalar(select(func.max(ModelVersion.number)).where(ModelVersion.org_id == self.org_id))
        return int(current or 0) + 1

    def latest_created_at(self, kind: str) -> datetime | None:
        return self.session.scalar(
            select(func.max(ModelVersion.created_at)).where(
                ModelVersion.org_id == self.org_id, ModelVersion.kind == kind
            )
        )


class LeadScoreRepository(OrgRepository[LeadScore]):
    model = LeadScore

    def _own(self) -> Select[LeadScore]:
        return select(LeadScore).where(LeadScore.org_id == self.org_id)

    def history(self, lead_id: int, *, limit: int = 50, shadow: bool = False) -> list[LeadScore]:
        statement = (
            self._own()
            .where(LeadScore.lead_id == lead_id, LeadScore.shadow.is_(shadow))
            .order_by(LeadScore.scored_at.desc(), LeadScore.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def shadow_pairs(self, version_id: int, *, limit: int = 5000) -> list[tuple[LeadScore, LeadScore]]:
        """(active score, shadow score) pairs of the same lead and as-of time, newest first."""
        shadows = list(
            self.session.scalars(
                self._own()
                .where(LeadScore.model_version_id == version_id, LeadScore.shadow.is_(True))
                .order_by(LeadScore.id.desc())
                .limit(limit)
            )
        )
        if not shadows:
            return []
        keys = {(s.lead_id, s.as_of) for s in shadows}
        lead_ids = sorted({s.lead_id for s in shadows})
        actives: dict[tuple[int, Any], LeadScore] = {}
        for chunk in _chunks(lead_ids):
            for row in self.session.scalars(
                self._own().where(LeadScore.lead_id.in_(chunk), LeadScore.shadow.is_(False))
            ):
                key = (row.lead_id, row.as_of)
                if key in keys:
                    actives[key] = row
        return [(actives[(s.lead_id, s.as_of)], s) for s in shadows if (s.lead_id, s.as_of) in actives]


class DriftReportRepository(OrgRepository[DriftReport]):
    model = DriftReport

    def _own(self) -> Select[DriftReport]:
        return select(DriftReport).where(DriftReport.org_id == self.org_id)

    def latest(self, version_id: int | None = None, *, limit: int = 30) -> list[DriftReport]:
        statement = self._own().order_by(DriftReport.computed_at.desc(), DriftReport.id.desc()).limit(limit)
        if version_id is not None:
            statement = statement.where(DriftReport.model_version_id == version_id)
        return list(self.session.scalars(statement))


class ScoringRequestRepository(OrgRepository[ScoringRequest]):
    model = ScoringRequest

    def due(self, *, now: datetime, waited_before: datetime) -> list[int]:
        """Leads whose latest request is due, or whose oldest request has waited since before ``waited_before``."""
        rows = self.session.execute(
            select(ScoringRequest.lead_id, func.min(ScoringRequest.requested_at), func.max(ScoringRequest.due_at))
            .where(ScoringRequest.org_id == self.org_id)
            .group_by(ScoringRequest.lead_id)
        )
        return sorted(lead_id for lead_id, first, due in rows if due <= now or first <= waited_before)

    def consume(self, lead_ids: Sequence[int], *, until: datetime) -> None:
        for chunk in _chunks(list(lead_ids)):
            self.session.execute(
                delete(ScoringRequest).where(
                    ScoringRequest.org_id == self.org_id,
                    ScoringRequest.lead_id.in_(chunk),
                    ScoringRequest.requested_at <= until,
                )
            )


def orgs_with_requests(session: Session) -> list[int]:
    return list(session.scalars(select(ScoringRequest.org_id).distinct()))


class ScoringDataRepository:
    """Reads of CRM rows for features (tenant-scoped like every repository)."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.org_id = principal.org_id

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in self.session.execute(statement).mappings()]

    def _in(
        self, columns: Sequence[Any], model: Any, column: Any, ids: Sequence[int], *extra: Any
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(set(ids))):
            rows.extend(self._rows(select(*columns).where(model.org_id == self.org_id, column.in_(chunk), *extra)))
        return rows

    def lead_ids(self, *, open_only: bool = False, unscored_only: bool = False) -> list[int]:
        statement = select(Lead.id).where(Lead.org_id == self.org_id)
        if open_only:
            statement = statement.where(Lead.status == "open")
        if unscored_only:
            statement = statement.where(Lead.scored_at.is_(None))
        return list(self.session.scalars(statement.order_by(Lead.id)))

    def open_lead_ids_of_contact(self, contact_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(Lead.id).where(Lead.org_id == self.org_id, Lead.contact_id == contact_id, Lead.status == "open")
            )
        )

    def _leads_with_contacts(self, lead_ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The leads and their contacts in one query (contact columns come back prefixed)."""
        columns = (*_LEAD_COLUMNS, *(c.label(f"contact__{c.key}") for c in _CONTACT_COLUMNS))
        leads: list[dict[str, Any]] = []
        contacts: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(lead_ids))):
            statement = (
                select(*columns)
                .join(Contact, Contact.id == Lead.contact_id)
                .where(Lead.org_id == self.org_id, Lead.id.in_(chunk))
            )
            for row in self.session.execute(statement).mappings():
                lead = {key: value for key, value in row.items() if not key.startswith("contact__")}
                leads.append(lead)
                contacts[lead["contact_id"]] = {
                    key.removeprefix("contact__"): value for key, value in row.items() if key.startswith("contact__")
                }
        return leads, list(contacts.values())

    def current_scores(self, lead_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        columns = (Lead.id, Lead.score, Lead.score_tier, Lead.score_model_version, Lead.status, Lead.updated_at)
        return {row["id"]: row for row in self._in(columns, Lead, Lead.id, lead_ids)}

    def crm_tables(self, lead_ids: Sequence[int] | None = None) -> CrmTables:
        """The rows behind ``lead_ids`` (None: the whole org, for training and batch scoring)."""
        org = self.org_id
        if lead_ids is None:
            leads = self._rows(select(*_LEAD_COLUMNS).where(Lead.org_id == org))
            contacts = self._rows(select(*_CONTACT_COLUMNS).where(Contact.org_id == org))
            companies = self._rows(select(*_COMPANY_COLUMNS).where(Company.org_id == org))
            activities = self._rows(select(*_ACTIVITY_COLUMNS).where(Activity.org_id == org))
            changes = self._rows(
                select(
                    StageChange.entity_type, StageChange.entity_id, StageChange.to_stage, StageChange.changed_at
                ).where(StageChange.org_id == org, StageChange.entity_type == "lead")
            )
            messages = self._rows(select(*_MESSAGE_COLUMNS).where(Message.org_id == org))
            notes = self._rows(select(Note.contact_id, Note.created_at).where(Note.org_id == org))
            deals = self._rows(select(*_DEAL_COLUMNS).where(Deal.org_id == org))
            return CrmTables(
                leads=leads,
                contacts=contacts,
                companies=companies,
                activities=activities,
                stage_changes=changes,
                messages=messages,
                notes=notes,
                deals=deals,
            )
        leads, contacts = self._leads_with_contacts(lead_ids)
        contact_ids = [row["contact_id"] for row in leads]
        company_ids = [c for c in {*(r["company_id"] for r in leads), *(r["company_id"] for r in contacts)} if c]
        companies = self._in(_COMPANY_COLUMNS, Company, Company.id, company_ids) if company_ids else []
        seen_contacts = set(contact_ids)
        activities = []
        for chunk in _chunks(sorted(seen_contacts)):
            # with the contacts' own activities, the purchases of colleagues: does the account already buy?
            condition: Any = Activity.contact_id.in_(chunk)
            if company_ids:
                condition = or_(condition, and_(Activity.company_id.in_(company_ids), Activity.type == "purchase"))
            for row in self._rows(select(*_ACTIVITY_COLUMNS).where(Activity.org_id == org, condition)):
                activities.append(row if row["contact_id"] in seen_contacts else {**row, "contact_id": None})
        changes = self._in(
            (StageChange.entity_type, StageChange.entity_id, StageChange.to_stage, StageChange.changed_at),
            StageChange,
            StageChange.entity_id,
            lead_ids,
            StageChange.entity_type == "lead",
        )
        messages = self._in(_MESSAGE_COLUMNS, Message, Message.contact_id, contact_ids)
        notes = self._in((Note.contact_id, Note.created_at), Note, Note.contact_id, contact_ids)
        deals, company_leads = [], []
        if company_ids:
            deals = self._in(
                _DEAL_COLUMNS, Deal, Deal.company_id, company_ids, or_(Deal.stage == "closed_won", Deal.status == "won")
            )
            company_leads = self._in((Lead.id, Lead.company_id, Lead.created_at), Lead, Lead.company_id, company_ids)
        else:
            company_leads = [
                {"id": r["id"], "company_id": r["company_id"], "created_at": r["created_at"]} for r in leads
            ]
        return CrmTables(
            leads=leads,
            contacts=contacts,
            companies=companies,
            activities=activities,
            stage_changes=changes,
            messages=messages,
            notes=notes,
            deals=deals,
            company_leads=company_leads,
        )
