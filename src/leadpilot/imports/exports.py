"""CSV export of one org's CRM records, streamed in batches (never the whole table in memory).

The columns are the import fields of the entity (``imports.fields``), so an exported file imports back as it is:
contacts, companies, leads, deals and activities name their contact and company by e-mail / phone / external id /
domain, never by a LeadPilot id. ``id``, ``created_at`` and ``updated_at`` are added for reference; an import
ignores them. A cell that a spreadsheet would run as a formula (starting with = + - @, except plain numbers and
phone numbers) is written with a leading apostrophe, which the importer removes again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Activity, Company, Contact, ContactIdentity, Deal, Lead, Product
from leadpilot.imports.schemas import ImportEntity
from leadpilot.orgs.models import User

_BATCH = 2000
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]*\d[\d\s().-]*$")

_CONTACT_COLUMNS = [
    "external_id",
    "email",
    "other_emails",
    "phone",
    "other_phones",
    "first_name",
    "last_name",
    "title",
    "seniority",
    "department",
    "company_name",
    "company_domain",
    "company_external_id",
    "owner_email",
    "timezone",
    "language",
    "country",
    "city",
    "lifecycle_stage",
    "source",
    "opted_out",
]
_COMPANY_COLUMNS = [
    "external_id",
    "name",
    "domain",
    "website",
    "industry",
    "employee_count",
    "annual_revenue",
    "currency",
    "country",
    "city",
    "timezone",
    "owner_email",
]
_LEAD_COLUMNS = [
    "external_id",
    "contact_email",
    "contact_phone",
    "contact_external_id",
    "company_name",
    "company_domain",
    "company_external_id",
    "title",
    "source",
    "source_detail",
    "product_interest",
    "stage",
    "lost_reason",
    "budget_amount",
    "budget_currency",
    "authority",
    "need",
    "timeline",
    "owner_email",
]
_DEAL_COLUMNS = [
    "external_id",
    "name",
    "contact_email",
    "contact_phone",
    "contact_external_id",
    "company_name",
    "company_domain",
    "company_external_id",
    "lead_external_id",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "closed_at",
    "lost_reason",
    "owner_email",
]
_ACTIVITY_COLUMNS = [
    "external_id",
    "contact_email",
    "contact_phone",
    "contact_external_id",
    "type",
    "occurred_at",
    "channel",
    "subject",
    "url",
    "duration_seconds",
    "amount",
    "currency",
    "quantity",
    "source",
    "lead_external_id",
    "deal_external_id",
    "product_sku",
]


def cell(value: Any) -> str:
    """One value as CSV text (ISO 8601 times, plain decimals, ';'-separated lists, JSON objects)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return ";".join(cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class ExportService:
    """Reads one org's records for export. Read-only; the caller owns the session."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.org_id = principal.org_id

    def csv_chunks(
        self, entity: ImportEntity, *, created_after: datetime | None = None, created_before: datetime | None = None
    ) -> Iterator[str]:
        """The CSV text in pieces of about 64 kB. For activities the dates filter ``occurred_at``."""
        model: Any
        model, base_columns, json_field, prefix = {
            ImportEntity.contacts: (Contact, _CONTACT_COLUMNS, Contact.custom_fields, "custom."),
            ImportEntity.companies: (Company, _COMPANY_COLUMNS, Company.custom_fields, "custom."),
            ImportEntity.leads: (Lead, _LEAD_COLUMNS, Lead.custom_fields, "custom."),
            ImportEntity.deals: (Deal, _DEAL_COLUMNS, Deal.custom_fields, "custom."),
            ImportEntity.activities: (Activity, _ACTIVITY_COLUMNS, Activity.properties, "properties."),
        }[entity]
        time_column = Activity.occurred_at if entity == ImportEntity.activities else model.created_at
        conditions = [model.org_id == self.org_id]
        if created_after is not None:
            conditions.append(time_column >= created_after)
        if created_before is not None:
            conditions.append(time_column < created_before)
        extra_keys = self._json_keys(select(json_field).where(*conditions))
        consent_channels: list[str] = []
        if entity == ImportEntity.contacts:
            consent_channels = self._json_keys(select(Contact.consent).where(*conditions))
        tail = ["id"] if entity == ImportEntity.activities else ["id", "created_at", "updated_at"]
        header = [*base_columns, *(f"consent.{c}" for c in consent_channels), *(prefix + k for k in extra_keys), *tail]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        rows = {
            ImportEntity.contacts: self._contacts,
            ImportEntity.companies: self._companies,
            ImportEntity.leads: self._leads,
            ImportEntity.deals: self._deals,
            ImportEntity.activities: self._activities,
        }[entity](conditions)
        json_name = "properties" if entity == ImportEntity.activities else "custom_fields"
        for row in rows:
            extra = row.get(json_name) or {}
            consent = row.get("consent") or {}
            writer.writerow(
                [
                    *(cell(row.get(c)) for c in base_columns),
                    *(cell((consent.get(c) or {}).get("status")) for c in consent_channels),
                    *(cell(extra.get(k)) for k in extra_keys),
                    *(cell(row.get(c)) for c in tail),
                ]
            )
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def _json_keys(self, statement: Select[Any]) -> list[str]:
        keys: dict[str, None] = {}
        for (value,) in self.session.execute(statement.execution_options(yield_per=_BATCH)):
            if value:
                keys.update(dict.fromkeys(str(k) for k in value))
        return sorted(keys)

    def _stream(self, statement: Select[Any]) -> Iterator[dict[str, Any]]:
        result = self.session.execute(statement.execution_options(yield_per=_BATCH))
        for batch in result.mappings().partitions():
            yield from (dict(row) for row in batch)

    def _contacts(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        statement = (
            select(
                Contact.__table__,
                Company.name.label("company_name"),
                Company.domain.label("company_domain"),
                Company.external_id.label("company_external_id"),
                User.email.label("owner_email"),
            )
            .outerjoin(Company, Company.id == Contact.company_id)
            .outerjoin(User, User.id == Contact.owner_id)
            .where(*conditions)
            .order_by(Contact.id)
        )
        batch: list[dict[str, Any]] = []
        for row in self._stream(statement):
            batch.append(row)
            if len(batch) >= _BATCH:
                yield from self._with_identities(batch)
                batch = []
        yield from self._with_identities(batch)

    def _with_identities(self, batch: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if not batch:
            return
        others: dict[int, dict[str, list[str]]] = {row["id"]: {"email": [], "phone": []} for row in batch}
        statement = (
            select(ContactIdentity.contact_id, ContactIdentity.kind, ContactIdentity.value)
            .where(
                ContactIdentity.org_id == self.org_id,
                ContactIdentity.contact_id.in_(list(others)),
                ContactIdentity.kind.in_(["email", "phone"]),
            )
            .order_by(ContactIdentity.id)
        )
        primary = {row["id"]: (row["email"], row["phone"]) for row in batch}
        for contact_id, kind, value in self.session.execute(statement):
            if value != primary[contact_id][0 if kind == "email" else 1]:
                others[contact_id][kind].append(value)
        for row in batch:
            row["other_emails"] = others[row["id"]]["email"]
            row["other_phones"] = others[row["id"]]["phone"]
            yield row

    def _companies(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        statement = (
            select(Company.__table__, User.email.label("owner_email"))
            .outerjoin(User, User.id == Company.owner_id)
            .where(*conditions)
            .order_by(Company.id)
        )
        yield from self._stream(statement)

    def _people_and_companies(self) -> tuple[Any, Any, list[Any]]:
        person = aliased(Contact)
        company = aliased(Company)
        labels = [
            person.email.label("contact_email"),
            person.phone.label("contact_phone"),
            person.external_id.label("contact_external_id"),
            company.name.label("company_name"),
            company.domain.label("company_domain"),
            company.external_id.label("company_external_id"),
        ]
        return person, company, labels

    def _leads(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        person, company, labels = self._people_and_companies()
        statement = (
            select(Lead.__table__, *labels, User.email.label("owner_email"))
            .outerjoin(person, person.id == Lead.contact_id)
            .outerjoin(company, company.id == Lead.company_id)
            .outerjoin(User, User.id == Lead.owner_id)
            .where(*conditions)
            .order_by(Lead.id)
        )
        yield from self._stream(statement)

    def _deals(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        person, company, labels = self._people_and_companies()
        lead = aliased(Lead)
        statement = (
            select(Deal.__table__, *labels, lead.external_id.label("lead_external_id"), User.email.label("owner_email"))
            .outerjoin(person, person.id == Deal.contact_id)
            .outerjoin(company, company.id == Deal.company_id)
            .outerjoin(lead, lead.id == Deal.lead_id)
            .outerjoin(User, User.id == Deal.owner_id)
            .where(*conditions)
            .order_by(Deal.id)
        )
        yield from self._stream(statement)

    def _activities(self, conditions: list[Any]) -> Iterator[dict[str, Any]]:
        person = aliased(Contact)
        lead = aliased(Lead)
        deal = aliased(Deal)
        statement = (
            select(
                Activity.__table__,
                person.email.label("contact_email"),
                person.phone.label("contact_phone"),
                person.external_id.label("contact_external_id"),
                lead.external_id.label("lead_external_id"),
                deal.external_id.label("deal_external_id"),
                Product.sku.label("product_sku"),
            )
            .outerjoin(person, person.id == Activity.contact_id)
            .outerjoin(lead, lead.id == Activity.lead_id)
            .outerjoin(deal, deal.id == Activity.deal_id)
            .outerjoin(Product, Product.id == Activity.product_id)
            .where(*conditions)
            .order_by(Activity.id)
        )
        yield from self._stream(statement)
