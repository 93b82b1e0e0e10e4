"""Contact rules: normalised identities (one contact per email / phone / external id in an org), consent and
opt-out bookkeeping, search text, audit and events. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm import search, stages, validation
from leadpilot.crm.contacts.repository import ContactRepository
from leadpilot.crm.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from leadpilot.crm.models import Company, Contact, ContactIdentity
from leadpilot.crm.references import check_reference
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org, User
from leadpilot.webhooks.events import emit_event

IDENTITY_KINDS = ("email", "phone", "external")


def contact_search_text(contact: Contact, emails: list[str], phones: list[str]) -> str:
    phone_terms = [term for phone in phones for term in search.phone_search_terms(phone)]
    return search.normalize(
        contact.first_name, contact.last_name, contact.title, contact.city, contact.source,
        contact.external_id, *emails, *phone_terms,
    )  # fmt: skip


def _phones(values: list[str], *, region: str) -> list[str]:
    try:
        return [validation.normalize_phone(v, default_region=region) for v in values]
    except ValueError as exc:
        raise InvalidInput(str(exc), extra={"field": "phone"}) from exc


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def to_read(contact: Contact, identities: Sequence[Row[Any]]) -> ContactRead:
    read = ContactRead.model_validate(contact)
    read.emails = [i.value for i in identities if i.kind == "email"]
    read.phones = [i.value for i in identities if i.kind == "phone"]
    return read


class ContactService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.contacts = ContactRepository(session, principal)

    def _org(self) -> Org:
        org = self.session.get(Org, self.principal.org_id)
        assert org is not None
        return org

    def _identity_values(self, contact: Contact, emails: list[str], phones: list[str]) -> dict[str, list[str]]:
        return {
            "email": _unique(emails),
            "phone": _unique(phones),
            "external": [contact.external_id] if contact.external_id else [],
        }

    def _check_unique(self, wanted: dict[str, list[str]], *, contact_id: int | None) -> None:
        for kind, values in wanted.items():
            for value in values:
                owner = self.contacts.identity_owner(kind, value)
                if owner is not None and owner != contact_id:
                    raise Conflict(
                        f"Another contact already has {kind} {value!r}",
                        extra={"field": kind, "existing_id": owner},
                    )

    def _sync_identities(self, contact: Contact, wanted: dict[str, list[str]]) -> None:
        self.session.execute(
            delete(ContactIdentity).where(
                ContactIdentity.org_id == contact.org_id, ContactIdentity.contact_id == contact.id
            )
        )
        for kind, values in wanted.items():
            for index, value in enumerate(values):
                self.session.add(
                    ContactIdentity(
                        org_id=contact.org_id, contact_id=contact.id, kind=kind, value=value, is_primary=index == 0
                    )
                )
        contact.search_text = contact_search_text(contact, wanted["email"], wanted["phone"])
        self.session.flush()

    def _apply(self, contact: Contact, fields: dict[str, Any]) -> None:
        if "company_id" in fields:
            check_reference(self.session, self.principal, Company, fields["company_id"], "company_id")
        if "owner_id" in fields:
            check_reference(self.session, self.principal, User, fields["owner_id"], "owner_id")
        if "consent" in fields:
            now = utcnow()
            consent = dict(contact.consent or {})
            for channel, value in (fields.pop("consent") or {}).items():
                at = value.get("at") or now
                consent[str(channel)] = {"status": str(value["status"]), "source": value.get("source"),
                                         "at": at.isoformat()}  # fmt: skip
            contact.consent = consent
        if "opted_out" in fields:
            contact.opted_out = sorted({str(c) for c in fields.pop("opted_out") or []})
        for key, value in fields.items():
            setattr(contact, key, value)

    def create(self, data: ContactCreate) -> ContactRead:
        region = self._org().default_phone_region
        fields = data.model_dump(exclude={"other_emails", "other_phones", "phone"})
        emails = _unique([data.email or "", *data.other_emails])
        phones = _phones([p for p in [data.phone, *data.other_phones] if p], region=region)
        contact = Contact(org_id=self.principal.org_id, phone=phones[0] if phones else None)
        self._apply(contact, fields)
        wanted = self._identity_values(contact, emails, phones)
        self._check_unique(wanted, contact_id=None)
        self.contacts.add(contact)
        self._sync_identities(contact, wanted)
        record(self.session, self.principal, "contact.created", entity_type="contact", entity_id=contact.id)
        read = self.read(contact)
        emit_event(self.session, self.principal.org_id, "contact.created", read.model_dump(mode="json"))
        return read

    def update(self, contact_id: int, data: ContactUpdate) -> ContactRead:
        contact = self.contacts.access_by_id(contact_id)
        sent = data.model_fields_set
        identities = self.contacts.identities([contact.id])[contact.id]
        emails = [i.value for i in identities if i.kind == "email"]
        phones = [i.value for i in identities if i.kind == "phone"]
        if "email" in sent or "other_emails" in sent:
            primary = data.email if "email" in sent else contact.email
            others = data.other_emails if "other_emails" in sent else [e for e in emails if e != contact.email]
            emails = _unique([primary or "", *others])
        if "phone" in sent or "other_phones" in sent:
            region = self._org().default_phone_region
            primary_phone = data.phone if "phone" in sent else contact.phone
            other_phones = data.other_phones if "other_phones" in sent else [p for p in phones if p != contact.phone]
            phones = _phones([p for p in [primary_phone, *other_phones] if p], region=region)
            contact.phone = phones[0] if phones else None
        fields = data.model_dump(include=sent - {"other_emails", "other_phones", "phone"})
        if fields.get("lifecycle_stage", "") is None:
            raise InvalidInput("lifecycle_stage cannot be null", extra={"field": "lifecycle_stage"})
        self._apply(contact, fields)
        wanted = self._identity_values(contact, emails, phones)
        self._check_unique(wanted, contact_id=contact.id)
        self._sync_identities(contact, wanted)
        record(self.session, self.principal, "contact.updated", entity_type="contact", entity_id=contact.id,
               data={"fields": sorted(sent)})  # fmt: skip
        read = self.read(contact)
        emit_event(self.session, self.principal.org_id, "contact.updated", read.model_dump(mode="json"))
        return read

    def delete(self, contact_id: int) -> None:
        contact = self.contacts.access_by_id(contact_id)
        # The database cascades the contact's leads away; their stage history is not a foreign key, so it goes here.
        for lead_id in self.contacts.lead_ids(contact.id):
            stages.delete_history(self.session, self.principal, "lead", lead_id)
        self.contacts.delete(contact)
        record(self.session, self.principal, "contact.deleted", entity_type="contact", entity_id=contact_id)
        emit_event(self.session, self.principal.org_id, "contact.deleted", {"id": contact_id})

    def get(self, contact_id: int) -> ContactRead:
        return self.read(self.contacts.access_by_id(contact_id))

    def read(self, contact: Contact) -> ContactRead:
        return to_read(contact, self.contacts.identities([contact.id])[contact.id])

    def read_many(self, contacts: list[Contact]) -> list[ContactRead]:
        identities = self.contacts.identities([c.id for c in contacts])
        return [to_read(c, identities[c.id]) for c in contacts]
