"""Every query of the scoring domain, filtered to the principal's org.

``crm_tables`` reads the CRM rows features are built from (columns only, no ORM objects): for a list of leads when
serving, or the whole org when training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, or_, select
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


@dataclass(frozen=True)
class VersionRef:
    """What serving needs of a version (its metrics JSON is large and not needed to score)."""

    id: int
    version: str
    artifact_path: str
    artifact_sha256: str


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

    def ref(self, kind: str, status: str) -> VersionRef | None:
        """The active version (or newest candidate) of ``kind``, without its metrics."""
        order = ModelVersion.promoted_at.desc() if status == "active" else ModelVersion.number.desc()
        row = self.session.execute(
            select(ModelVersion.id, ModelVersion.version, ModelVersion.artifact_path, ModelVersion.artifact_sha256)
            .where(ModelVersion.org_id == self.org_id, ModelVersion.kind == kind, ModelVersion.status == status)
            .order_by(order)
            .limit(1)
        ).first()
        return VersionRef(*row) if row is not None else None

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


def _by_ids(*columns: Any, key: Any, extra: Sequence[Any] = (), model: Any = None) -> Any:
    """A statement built once: ``columns`` of the org's rows whose ``key`` is in ``:ids`` (an expanding parameter)."""
    table = model if model is not None else key.class_
    return select(*columns).where(table.org_id == bindparam("org"), key.in_(bindparam("ids", expanding=True)), *extra)


_STAGE_COLUMNS = (StageChange.entity_type, StageChange.entity_id, StageChange.to_stage, StageChange.changed_at)
_LEADS_WITH_CONTACTS = (
    select(*_LEAD_COLUMNS, *(c.label(f"contact__{c.key}") for c in _CONTACT_COLUMNS))
    .join(Contact, Contact.id == Lead.contact_id)
    .where(Lead.org_id == bindparam("org"), Lead.id.in_(bindparam("ids", expanding=True)))
)
_COMPANIES = _by_ids(*_COMPANY_COLUMNS, key=Company.id)
_ACTIVITIES_OF_CONTACTS = _by_ids(*_ACTIVITY_COLUMNS, key=Activity.contact_id)
_PURCHASES_OF_COMPANIES = _by_ids(*_ACTIVITY_COLUMNS, key=Activity.company_id, extra=[Activity.type == "purchase"])
_STAGE_CHANGES = _by_ids(*_STAGE_COLUMNS, key=StageChange.entity_id, extra=[StageChange.entity_type == "lead"])
_MESSAGES = _by_ids(*_MESSAGE_COLUMNS, key=Message.contact_id)
_NOTES = _by_ids(Note.contact_id, Note.created_at, key=Note.contact_id)
_WON_DEALS = _by_ids(*_DEAL_COLUMNS, key=Deal.company_id, extra=[or_(Deal.stage == "closed_won", Deal.status == "won")])
_COMPANY_LEADS = _by_ids(Lead.id, Lead.company_id, Lead.created_at, key=Lead.company_id)
_CURRENT_SCORES = _by_ids(
    Lead.id, Lead.score, Lead.score_tier, Lead.score_model_version, Lead.status, Lead.updated_at, key=Lead.id
)


class ScoringDataRepository:
    """Reads of CRM rows for features (tenant-scoped like every repository).

    Serving a lead runs about nine small queries; they are built once at import and executed through Core, which
    keeps the per-lead cost in the database rather than in building expressions.
    """

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.org_id = principal.org_id

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in self.session.execute(statement).mappings()]

    def _fetch(self, statement: Any, ids: Iterable[int]) -> list[dict[str, Any]]:
        unique = sorted(set(ids))
        rows: list[dict[str, Any]] = []
        connection = self.session.connection()
        for chunk in _chunks(unique):
            result = connection.execute(statement, {"org": self.org_id, "ids": chunk})
            rows.extend(dict(row) for row in result.mappings())
        return rows

    def lead_ids(self, *, open_only: bool = False, unscored_only: bool = False) -> list[int]:
        statement = select(Lead.id).where(Lead.org_id == self.org_id)
        if open_only:
            statement = statement.where(Lead.status == "open")
        if unscored_only:
            statement = statement.where(Lead.scored_at.is_(None))
        return list(self.session.scalars(statement.order_by(Lead.id)))

    def current_scores(self, lead_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        return {row["id"]: row for row in self._fetch(_CURRENT_SCORES, lead_ids)}

    def crm_tables(self, lead_ids: Sequence[int] | None = None) -> CrmTables:
        """The rows behind ``lead_ids`` (None: the whole org, for training and batch scoring)."""
        org = self.org_id
        if lead_ids is None:
            return CrmTables(
                leads=self._rows(select(*_LEAD_COLUMNS).where(Lead.org_id == org)),
                contacts=self._rows(select(*_CONTACT_COLUMNS).where(Contact.org_id == org)),
                companies=self._rows(select(*_COMPANY_COLUMNS).where(Company.org_id == org)),
                activities=self._rows(select(*_ACTIVITY_COLUMNS).where(Activity.org_id == org)),
                stage_changes=self._rows(
                    select(*_STAGE_COLUMNS).where(StageChange.org_id == org, StageChange.entity_type == "lead")
                ),
                messages=self._rows(select(*_MESSAGE_COLUMNS).where(Message.org_id == org)),
                notes=self._rows(select(Note.contact_id, Note.created_at).where(Note.org_id == org)),
                deals=self._rows(select(*_DEAL_COLUMNS).where(Deal.org_id == org)),
            )
        leads: list[dict[str, Any]] = []
        contacts: dict[int, dict[str, Any]] = {}
        for row in self._fetch(_LEADS_WITH_CONTACTS, lead_ids):
            lead = {key: value for key, value in row.items() if not key.startswith("contact__")}
            leads.append(lead)
            contacts[lead["contact_id"]] = {
                k.removeprefix("contact__"): v for k, v in row.items() if k.startswith("contact__")
            }
        contact_ids = set(contacts)
        company_ids = {
            c for c in (*(r["company_id"] for r in leads), *(r["company_id"] for r in contacts.values())) if c
        }
        activities = self._fetch(_ACTIVITIES_OF_CONTACTS, contact_ids)
        deals: list[dict[str, Any]] = []
        companies: list[dict[str, Any]] = []
        company_leads: list[dict[str, Any]] = [
            {"id": r["id"], "company_id": r["company_id"], "created_at": r["created_at"]} for r in leads
        ]
        if company_ids:
            companies = self._fetch(_COMPANIES, company_ids)
            # purchases of colleagues tell whether the account already buys
            activities += [
                {**row, "contact_id": None}
                for row in self._fetch(_PURCHASES_OF_COMPANIES, company_ids)
                if row["contact_id"] not in contact_ids
            ]
            deals = self._fetch(_WON_DEALS, company_ids)
            company_leads = self._fetch(_COMPANY_LEADS, company_ids)
        return CrmTables(
            leads=leads,
            contacts=list(contacts.values()),
            companies=companies,
            activities=activities,
            stage_changes=self._fetch(_STAGE_CHANGES, lead_ids),
            messages=self._fetch(_MESSAGES, contact_ids),
            notes=self._fetch(_NOTES, contact_ids),
            deals=deals,
            company_leads=company_leads,
        )
