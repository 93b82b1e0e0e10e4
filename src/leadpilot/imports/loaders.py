"""Turning the rows of one chunk into CRM records.

    records ─► Extractor: cells → values, one problem per bad field
            ─► Loader.check: the entity's rules (required fields, the owner named by e-mail, money + currency)
            ─► duplicates: a de-dup key already used by an earlier row of the file is reported, not applied
            ─► Loader.apply: look up what exists (one query per kind of key for the whole chunk), decide per row
               created / updated / unchanged / problem, then write with Core bulk inserts and updates

``apply`` decides everything before it writes anything, so a row it reports as a problem leaves no trace (no
contact or company created for it). It writes every row it accepted or raises; ``process_chunk`` runs it in a
savepoint and, when the database refuses the chunk, replays the rows one by one so a bad row never blocks the
good ones.

De-dup keys: contacts by e-mail / phone / external id (ContactIdentity); companies by external id, then domain,
then case-folded name; leads, deals and activities by external id, else by a natural key (lead: contact + source +
product interest; deal: name + contact, or name + company without a contact; activity: contact + type +
occurred_at). For contacts, companies, leads and deals a record met twice in one file is reported (the job
remembers the ids it wrote); activities only remember the rows of the current chunk.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, ClassVar

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from leadpilot.crm.activities.schemas import activity_rule_violation
from leadpilot.crm.activities.service import activity_search_text
from leadpilot.crm.companies.service import company_search_text
from leadpilot.crm.contacts.service import contact_search_text
from leadpilot.crm.deals.service import deal_search_text
from leadpilot.crm.leads.service import lead_search_text
from leadpilot.crm.models import Activity, Company, Contact, ContactIdentity, Deal, Lead, StageChange
from leadpilot.crm.stages import DEAL_STATUS, LEAD_STATUS
from leadpilot.imports.fields import Extractor, Normalizers
from leadpilot.imports.parsing import Record
from leadpilot.imports.repository import RecordStore
from leadpilot.imports.schemas import ImportEntity, ImportOptions
from leadpilot.kit.clock import utcnow

_CONTACT_CACHE_LIMIT = 500_000
_IDENTITY_FIELD = {"email": "email", "phone": "phone", "external": "external_id"}
_REF_FIELD = {"email": "contact_email", "phone": "contact_phone", "external": "contact_external_id"}
_REF_FIELDS = frozenset(_REF_FIELD.values())
_NO_FIELDS: frozenset[str] = frozenset()
# The JSON value of every inserted row without properties / custom fields: one object, so that the column's bind
# processor serialises it once per chunk (see RecordStore). Rows handed to the store are never changed afterwards.
_NO_OBJECT: dict[str, Any] = {}
_NO_LIST: list[Any] = []


@dataclass(slots=True)
class Problem:
    row_number: int
    field: str | None
    column: str | None
    message: str
    raw: dict[str, Any]


@dataclass(slots=True, eq=False)
class Row:
    number: int
    values: dict[str, Any]
    record: Record


@dataclass(slots=True)
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    touched: dict[int, int] = field(default_factory=dict)  # record id -> row number
    contacts: dict[tuple[str, str], int] = field(default_factory=dict)  # identity -> contact id

    def merge(self, other: Outcome) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.problems += other.problems
        self.touched.update(other.touched)
        self.contacts.update(other.contacts)


class Pending:
    """A row inserted later in the same chunk; its id is known once the insert ran."""

    __slots__ = ("id", "used")

    def __init__(self) -> None:
        self.id: int | None = None
        self.used = True


def _id(value: Any) -> Any:
    return value.id if isinstance(value, Pending) else value


@dataclass
class ImportContext:
    """What one job's loaders share: the org's defaults, the mapping and what earlier chunks learned."""

    org_id: int
    user_id: int | None
    entity: ImportEntity
    options: ImportOptions
    norm: Normalizers
    currency: str
    users: dict[str, int]
    header: list[str] | None
    columns: dict[str, str]  # field -> source column
    touched: dict[int, int] = field(default_factory=dict)
    contact_cache: dict[tuple[str, str], int] = field(default_factory=dict)

    def raw(self, record: Record) -> dict[str, Any]:
        if isinstance(record.cells, dict):
            return record.cells
        header = self.header or []
        return {
            name or f"column {i + 1}": value for i, (name, value) in enumerate(zip(header, record.cells, strict=False))
        }

    def problem(self, row: Row | Record, field_name: str | None, message: str, *, column: str | None = None) -> Problem:
        record = row.record if isinstance(row, Row) else row
        if column is None and field_name is not None:
            column = self.columns.get(field_name)
        return Problem(record.number, field_name, column, message, self.raw(record))

    def remember(self, outcome: Outcome) -> None:
        self.touched.update(outcome.touched)
        if len(self.contact_cache) + len(outcome.contacts) > _CONTACT_CACHE_LIMIT:
            self.contact_cache.clear()
        self.contact_cache.update(outcome.contacts)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _split_name(full: str) -> tuple[str | None, str | None]:
    first, _, last = full.strip().partition(" ")
    return (first[:120] or None), (last.strip()[:120] or None)


def _describe(kind: str, value: Any) -> str:
    return f"{_IDENTITY_FIELD.get(kind, kind).replace('_', ' ')} {value!r}"


class Loader(ABC):
    """One entity's rules. Subclasses implement ``check``, ``keys`` and ``apply``."""

    entity: ClassVar[ImportEntity]

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]: ...

    @abstractmethod
    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field, key) pairs: two rows of one file sharing a key are the same record."""

    @abstractmethod
    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome: ...

    # -- helpers shared by the loaders ------------------------------------------------------------------------

    def _owner(self, row: Row) -> list[Problem]:
        email = row.values.pop("owner_email", None)
        if email is None:
            return []
        user_id = self.ctx.users.get(email.lower())
        if user_id is None:
            return [self.ctx.problem(row, "owner_email", f"no user with the email {email!r} in this org")]
        row.values["owner_id"] = user_id
        return []

    def _money(self, row: Row, amount_field: str, currency_field: str) -> list[Problem]:
        values = row.values
        if amount_field not in values:
            return []
        amount, embedded = values[amount_field]
        explicit = values.get(currency_field)
        if embedded and explicit and embedded != explicit:
            return [
                self.ctx.problem(row, currency_field, f"the amount is in {embedded} but the currency is {explicit}")
            ]
        values[amount_field] = amount
        values[currency_field] = explicit or embedded or self.ctx.currency
        return []

    def _names(self, values: dict[str, Any]) -> None:
        full = values.pop("full_name", None)
        if full and "first_name" not in values and "last_name" not in values:
            first, last = _split_name(full)
            if first:
                values["first_name"] = first
            if last:
                values["last_name"] = last

    def _ref_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        if values.get("contact_external_id"):
            keys.append(("external", values["contact_external_id"]))
        if values.get("contact_email"):
            keys.append(("email", values["contact_email"]))
        if values.get("contact_phone"):
            keys.append(("phone", values["contact_phone"]))
        return keys


class ContactLinker:
    """Finds the contact a lead, deal or activity row names (by external id, e-mail or phone) and creates the
    missing ones when the import allows it. Rows naming the same new contact share one."""

    def __init__(self, loader: Loader, *, create: bool, cache: bool) -> None:
        self.loader = loader
        self.ctx = loader.ctx
        self.create = create
        self.cache = cache
        self.pending: list[tuple[Pending, Row, list[tuple[str, str]]]] = []
        self._pending_by_key: dict[tuple[str, str], Pending] = {}

    def resolve(self, store: RecordStore, rows: list[Row], out: Outcome) -> tuple[list[Row], dict[Row, Any]]:
        """Rows that name a usable contact, and {row: contact id or Pending}; the others become problems."""
        keys_of = {row: self.loader._ref_keys(row.values) for row in rows}
        owners: dict[tuple[str, str], int] = {}
        wanted: set[tuple[str, str]] = set()
        for keys in keys_of.values():
            for key in keys:
                if self.cache and key in self.ctx.contact_cache:
                    owners[key] = self.ctx.contact_cache[key]
                else:
                    wanted.add(key)
        if wanted:
            found = store.identity_owners(wanted)
            owners.update(found)
            if self.cache:
                out.contacts.update(found)
        kept: list[Row] = []
        contact_of: dict[Row, Any] = {}
        for row in rows:
            keys = keys_of[row]
            if not keys:
                kept.append(row)
                contact_of[row] = None
                continue
            ids = [(key, owners[key]) for key in keys if key in owners]
            if len({contact_id for _, contact_id in ids}) > 1:
                (first_key, first_id), (other_key, other_id) = ids[0], next(i for i in ids if i[1] != ids[0][1])
                out.problems.append(
                    self.ctx.problem(
                        row,
                        _REF_FIELD[other_key[0]],
                        f"{_describe(*other_key)} belongs to another contact (id {other_id}) than "
                        f"{_describe(*first_key)} (id {first_id})",
                    )
                )
                continue
            if ids:
                contact_of[row] = ids[0][1]
                kept.append(row)
                continue
            if not self.create:
                kind, value = keys[0]
                out.problems.append(
                    self.ctx.problem(row, _REF_FIELD[kind], f"no contact with {_describe(kind, value)}")
                )
                continue
            pending = next((self._pending_by_key[k] for k in keys if k in self._pending_by_key), None)
            if pending is None:
                pending = Pending()
                self.pending.append((pending, row, keys))
            for key in keys:
                self._pending_by_key.setdefault(key, pending)
            contact_of[row] = pending
            kept.append(row)
        return kept, contact_of

    def write(self, store: RecordStore, now: datetime, out: Outcome, *, company_of: dict[Row, Any]) -> None:
        """Insert the contacts still needed by the rows that are being applied."""
        needed = [(p, row, keys) for p, row, keys in self.pending if p.used]
        if not needed:
            return
        contacts = []
        for _, row, keys in needed:
            emails = [v for k, v in keys if k == "email"]
            phones = [v for k, v in keys if k == "phone"]
            fields = {
                "first_name": row.values.get("first_name"),
                "last_name": row.values.get("last_name"),
                "title": None,
                "city": None,
                "source": row.values.get("source"),
                "external_id": next((v for k, v in keys if k == "external"), None),
            }
            contacts.append(
                {
                    **fields,
                    "org_id": self.ctx.org_id,
                    "email": emails[0] if emails else None,
                    "phone": phones[0] if phones else None,
                    "company_id": _id(company_of.get(row)),
                    "lifecycle_stage": "lead",
                    "consent": _NO_OBJECT,
                    "opted_out": _NO_LIST,
                    "custom_fields": _NO_OBJECT,
                    "created_at": now,
                    "updated_at": now,
                    "search_text": contact_search_text(SimpleNamespace(**fields), emails, phones),  # type: ignore[arg-type]
                }
            )
        ids = store.insert_returning_ids(Contact, contacts)
        identities = []
        for (pending, _, keys), contact_id in zip(needed, ids, strict=True):
            pending.id = contact_id
            for index, (kind, value) in enumerate(keys):
                identities.append(
                    {
                        "org_id": self.ctx.org_id,
                        "contact_id": contact_id,
                        "kind": kind,
                        "value": value,
                        "is_primary": index == 0 or kind == "external",
                        "created_at": now,
                    }
                )
                if self.cache:
                    out.contacts[(kind, value)] = contact_id
        store.insert(ContactIdentity, identities)


class CompanyLinker:
    """Finds the company a row names (external id, then domain, then case-folded name); unknown ones are created
    (named after the domain when no name is given) unless the import says not to."""

    def __init__(self, loader: Loader, *, create: bool) -> None:
        self.loader = loader
        self.ctx = loader.ctx
        self.create = create
        self.pending: dict[tuple[str, str], tuple[Pending, dict[str, Any]]] = {}

    def resolve(self, store: RecordStore, rows: list[Row], out: Outcome) -> tuple[list[Row], dict[Row, Any]]:
        refs = {
            row: (
                row.values.get("company_external_id"),
                row.values.get("company_domain"),
                row.values.get("company_name"),
            )
            for row in rows
        }
        named = [ref for ref in refs.values() if any(ref)]
        by_external: dict[str, int] = {}
        by_domain: dict[str, int] = {}
        by_name: dict[str, int] = {}
        if named:
            found = store.companies_matching(
                external_ids={r[0] for r in named if r[0]},
                domains={r[1] for r in named if r[1]},
                names={r[2].lower() for r in named if r[2]},
            )
            for existing in found:
                if existing["external_id"]:
                    by_external[existing["external_id"]] = existing["id"]
                if existing["domain"]:
                    by_domain[existing["domain"]] = existing["id"]
                by_name.setdefault(existing["name"].lower(), existing["id"])
        kept: list[Row] = []
        company_of: dict[Row, Any] = {}
        for row in rows:
            external_id, domain, name = refs[row]
            company: Any = None
            if external_id and external_id in by_external:
                company = by_external[external_id]
            elif domain and domain in by_domain:
                company = by_domain[domain]
            elif name and name.lower() in by_name:
                company = by_name[name.lower()]
            elif external_id or domain or name:
                if not self.create:
                    label = name or domain or external_id
                    field_name = "company_name" if name else "company_domain" if domain else "company_external_id"
                    out.problems.append(self.ctx.problem(row, field_name, f"no company {label!r} in this org"))
                    continue
                key = (
                    ("external", external_id)
                    if external_id
                    else ("domain", domain)
                    if domain
                    else ("name", (name or "").lower())
                )
                if key not in self.pending:
                    self.pending[key] = (
                        Pending(),
                        {"name": name or domain or external_id, "domain": domain, "external_id": external_id},
                    )
                company = self.pending[key][0]
            company_of[row] = company
            kept.append(row)
        return kept, company_of

    def write(self, store: RecordStore, now: datetime, used: Iterable[Any]) -> None:
        used_ids = {id(value) for value in used if isinstance(value, Pending)}
        todo = [(pending, data) for pending, data in self.pending.values() if id(pending) in used_ids]
        if not todo:
            return
        rows = []
        for _, data in todo:
            namespace = SimpleNamespace(
                name=data["name"],
                domain=data["domain"],
                industry=None,
                city=None,
                country=None,
                external_id=data["external_id"],
            )
            rows.append(
                {
                    "org_id": self.ctx.org_id,
                    "name": data["name"],
                    "domain": data["domain"],
                    "external_id": data["external_id"],
                    "custom_fields": {},
                    "created_at": now,
                    "updated_at": now,
                    "search_text": company_search_text(namespace),  # type: ignore[arg-type]
                }
            )
        for (pending, _), company_id in zip(todo, store.insert_returning_ids(Company, rows), strict=True):
            pending.id = company_id


def _changes(existing: Any, values: dict[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    changes = {}
    for name in columns:
        if name in values:
            new = _id(values[name])
            if isinstance(values[name], Pending) or existing[name] != new:
                changes[name] = values[name]
    return changes


def _merged_json(existing: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any] | None:
    """The existing object with the new keys laid over it, or None when nothing changes."""
    if not new:
        return None
    merged = {**(existing or {}), **new}
    return merged if merged != (existing or {}) else None


def _resolved(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _id(value) for key, value in row.items()}


# --------------------------------------------------------------------------------------------------- contacts


_CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "seniority",
    "department",
    "owner_id",
    "timezone",
    "language",
    "country",
    "city",
    "lifecycle_stage",
    "source",
)


class ContactLoader(Loader):
    entity = ImportEntity.contacts

    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]:
        values = row.values
        values["emails"] = _unique([values.pop("email", None), *values.pop("other_emails", [])])
        values["phones"] = _unique([values.pop("phone", None), *values.pop("other_phones", [])])
        self._names(values)
        problems = self._owner(row)
        identifying = {"email", "phone", "external_id", "other_emails", "other_phones"}
        if not values["emails"] and not values["phones"] and not values.get("external_id") and not failed & identifying:
            problems.append(
                self.ctx.problem(row, "email", "a contact needs an email address, a phone number or an external id")
            )
        return problems

    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        return (
            [("email", ("email", e)) for e in values["emails"]]
            + [("phone", ("phone", p)) for p in values["phones"]]
            + ([("external_id", ("external", values["external_id"]))] if values.get("external_id") else [])
        )

    @staticmethod
    def _identity_keys(values: dict[str, Any]) -> list[tuple[str, str]]:
        keys = [("external", values["external_id"])] if values.get("external_id") else []
        return keys + [("email", e) for e in values["emails"]] + [("phone", p) for p in values["phones"]]

    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome:
        ctx = self.ctx
        out = Outcome()
        keys_of = {row: self._identity_keys(row.values) for row in rows}
        owners = store.identity_owners(key for keys in keys_of.values() for key in keys)
        match: dict[Row, int | None] = {}
        claimed: dict[int, Row] = {}
        for row in rows:
            ids = [(key, owners[key]) for key in keys_of[row] if key in owners]
            if len({contact_id for _, contact_id in ids}) > 1:
                (first_key, first_id) = ids[0]
                other_key, other_id = next(i for i in ids if i[1] != first_id)
                out.problems.append(
                    ctx.problem(
                        row,
                        _IDENTITY_FIELD[other_key[0]],
                        f"{_describe(*other_key)} belongs to another contact (id {other_id}) than "
                        f"{_describe(*first_key)} (id {first_id})",
                    )
                )
                continue
            contact_id = ids[0][1] if ids else None
            if contact_id is not None:
                earlier = ctx.touched.get(contact_id) or (claimed[contact_id].number if contact_id in claimed else None)
                if earlier is not None:
                    out.problems.append(
                        ctx.problem(row, _IDENTITY_FIELD[ids[0][0][0]], f"duplicate of row {earlier}: the same contact")
                    )
                    continue
                claimed[contact_id] = row
            match[row] = contact_id
        companies = CompanyLinker(self, create=ctx.options.create_companies)
        kept, company_of = companies.resolve(store, list(match), out)
        existing = store.contacts(cid for row in kept if (cid := match[row]) is not None)
        identities = store.identities(existing)

        inserts: list[tuple[Row, dict[str, Any], list[tuple[str, str]]]] = []
        updates: list[dict[str, Any]] = []
        new_identities: list[dict[str, Any]] = []
        primary_flags: list[dict[str, Any]] = []
        for row in kept:
            values = dict(row.values)
            if row in company_of and company_of[row] is not None:
                values["company_id"] = company_of[row]
            contact_id = match[row]
            if contact_id is None:
                inserts.append((row, values, keys_of[row]))
                continue
            current = existing[contact_id]
            if values.get("external_id") and current["external_id"] and values["external_id"] != current["external_id"]:
                out.problems.append(
                    ctx.problem(
                        row,
                        "external_id",
                        f"the matching contact (id {contact_id}) has the external id {current['external_id']!r}",
                    )
                )
                continue
            change = _changes(current, values, (*_CONTACT_FIELDS, "company_id", "external_id"))
            if (custom := _merged_json(current["custom_fields"], values.get("custom_fields"))) is not None:
                change["custom_fields"] = custom
            consent = dict(current["consent"] or {})
            for channel, status in (values.get("consent") or {}).items():
                if (consent.get(channel) or {}).get("status") != status:
                    consent[channel] = {"status": status, "source": "import", "at": now.isoformat()}
            if consent != (current["consent"] or {}):
                change["consent"] = consent
            opted_out = sorted(set(current["opted_out"] or []) | set(values.get("opted_out") or []))
            if opted_out != sorted(current["opted_out"] or []):
                change["opted_out"] = opted_out
            known = identities.get(contact_id, [])
            identities_before = len(new_identities)
            all_values: dict[str, list[str]] = {"email": [], "phone": []}
            for kind in ("email", "phone"):
                wanted = values[f"{kind}s"]
                have = [i["value"] for i in known if i["kind"] == kind]
                primary = wanted[0] if wanted else current[kind]
                for value in wanted:
                    if value not in have:
                        new_identities.append(
                            {
                                "org_id": ctx.org_id,
                                "contact_id": contact_id,
                                "kind": kind,
                                "value": value,
                                "is_primary": value == primary,
                                "created_at": now,
                            }
                        )
                if wanted and current[kind] != primary:
                    change[kind] = primary
                    primary_flags += [
                        {"pk": i["id"], "is_primary": i["value"] == primary}
                        for i in known
                        if i["kind"] == kind and i["is_primary"] != (i["value"] == primary)
                    ]
                all_values[kind] = _unique([primary, *have, *wanted])
            if values.get("external_id") and not current["external_id"]:
                new_identities.append(
                    {
                        "org_id": ctx.org_id,
                        "contact_id": contact_id,
                        "kind": "external",
                        "value": values["external_id"],
                        "is_primary": True,
                        "created_at": now,
                    }
                )
            if change or len(new_identities) > identities_before:
                merged = {**current, **{k: _id(v) for k, v in change.items()}}
                text = contact_search_text(SimpleNamespace(**merged), all_values["email"], all_values["phone"])  # type: ignore[arg-type]
                if text != current["search_text"]:
                    change["search_text"] = text
            out.touched[contact_id] = row.number
            if change:
                change["pk"] = contact_id
                change["updated_at"] = now
                updates.append(change)
                out.updated += 1
            else:
                out.unchanged += 1

        companies.write(
            store, now, [v.get("company_id") for _, v, _ in inserts] + [u.get("company_id") for u in updates]
        )
        contact_rows = []
        for _row, values, _keys in inserts:
            fields = {name: values.get(name) for name in _CONTACT_FIELDS}
            fields["lifecycle_stage"] = fields["lifecycle_stage"] or "lead"
            fields["external_id"] = values.get("external_id")
            search_text = contact_search_text(SimpleNamespace(**fields), values["emails"], values["phones"])  # type: ignore[arg-type]
            consent = {
                ch: {"status": st, "source": "import", "at": now.isoformat()}
                for ch, st in (values.get("consent") or {}).items()
            }
            contact_rows.append(
                {
                    **fields,
                    "org_id": ctx.org_id,
                    "email": values["emails"][0] if values["emails"] else None,
                    "phone": values["phones"][0] if values["phones"] else None,
                    "company_id": _id(values.get("company_id")),
                    "consent": consent or _NO_OBJECT,
                    "opted_out": values.get("opted_out") or _NO_LIST,
                    "custom_fields": values.get("custom_fields") or _NO_OBJECT,
                    "search_text": search_text,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for (row, _, keys), contact_id in zip(inserts, store.insert_returning_ids(Contact, contact_rows), strict=True):
            out.touched[contact_id] = row.number
            seen_kinds: set[str] = set()
            for kind, value in keys:
                new_identities.append(
                    {
                        "org_id": ctx.org_id,
                        "contact_id": contact_id,
                        "kind": kind,
                        "value": value,
                        "is_primary": kind not in seen_kinds,
                        "created_at": now,
                    }
                )
                seen_kinds.add(kind)
        out.created += len(inserts)
        store.insert(ContactIdentity, new_identities)
        store.update(ContactIdentity, primary_flags)
        store.update(Contact, [_resolved(u) for u in updates])
        return out


# -------------------------------------------------------------------------------------------------- companies


_COMPANY_FIELDS = (
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
    "owner_id",
    "external_id",
)


class CompanyLoader(Loader):
    entity = ImportEntity.companies

    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]:
        values = row.values
        if "website" in values and "domain" not in values and "domain" not in failed:
            # normalize_website has checked the host already, so this only fails for exotic hosts.
            with contextlib.suppress(ValueError):
                values["domain"] = self.ctx.norm.domain(values["website"])
        problems = self._owner(row) + self._money(row, "annual_revenue", "currency")
        if not values.get("name") and "name" not in failed:
            problems.append(self.ctx.problem(row, "name", "a company needs a name"))
        return problems

    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        if values.get("external_id"):
            return [("external_id", ("external", values["external_id"]))] + (
                [("domain", ("domain", values["domain"]))] if values.get("domain") else []
            )
        if values.get("domain"):
            return [("domain", ("domain", values["domain"]))]
        return [("name", ("name", values["name"].lower()))]

    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome:
        ctx = self.ctx
        out = Outcome()
        found = store.companies_matching(
            external_ids={r.values["external_id"] for r in rows if r.values.get("external_id")},
            domains={r.values["domain"] for r in rows if r.values.get("domain")},
            names={r.values["name"].lower() for r in rows},
            full=True,
        )
        by_external = {c["external_id"]: c for c in found if c["external_id"]}
        by_domain = {c["domain"]: c for c in found if c["domain"]}
        by_name: dict[str, Any] = {}
        for company in found:
            by_name.setdefault(company["name"].lower(), company)
        inserts: list[tuple[Row, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        claimed: dict[int, Row] = {}
        for row in rows:
            values = row.values
            external_id, domain, name = values.get("external_id"), values.get("domain"), values["name"]
            by_ext = by_external.get(external_id) if external_id else None
            by_dom = by_domain.get(domain) if domain else None
            if by_ext is not None and by_dom is not None and by_ext["id"] != by_dom["id"]:
                out.problems.append(
                    ctx.problem(row, "domain", f"the domain {domain!r} belongs to another company (id {by_dom['id']})")
                )
                continue
            current = by_ext or by_dom
            if current is None and name.lower() in by_name:
                candidate = by_name[name.lower()]
                different = (domain and candidate["domain"] and candidate["domain"] != domain) or (
                    external_id and candidate["external_id"] and candidate["external_id"] != external_id
                )
                current = None if different else candidate
            if current is None:
                inserts.append((row, values))
                continue
            earlier = ctx.touched.get(current["id"]) or (
                claimed[current["id"]].number if current["id"] in claimed else None
            )
            if earlier is not None:
                out.problems.append(ctx.problem(row, "name", f"duplicate of row {earlier}: the same company"))
                continue
            if external_id and current["external_id"] and current["external_id"] != external_id:
                out.problems.append(
                    ctx.problem(
                        row,
                        "external_id",
                        f"the matching company (id {current['id']}) has the external id {current['external_id']!r}",
                    )
                )
                continue
            claimed[current["id"]] = row
            change = _changes(current, values, _COMPANY_FIELDS)
            if (custom := _merged_json(current["custom_fields"], values.get("custom_fields"))) is not None:
                change["custom_fields"] = custom
            if change:
                text = company_search_text(SimpleNamespace(**{**current, **change}))  # type: ignore[arg-type]
                if text != current["search_text"]:
                    change["search_text"] = text
            out.touched[current["id"]] = row.number
            if change:
                updates.append({**change, "pk": current["id"], "updated_at": now})
                out.updated += 1
            else:
                out.unchanged += 1
        company_rows = []
        for _, values in inserts:
            fields = {name: values.get(name) for name in _COMPANY_FIELDS}
            company_rows.append(
                {
                    **fields,
                    "org_id": ctx.org_id,
                    "custom_fields": values.get("custom_fields") or {},
                    "search_text": company_search_text(SimpleNamespace(**fields)),  # type: ignore[arg-type]
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for (row, _), company_id in zip(inserts, store.insert_returning_ids(Company, company_rows), strict=True):
            out.touched[company_id] = row.number
        out.created += len(inserts)
        store.update(Company, updates)
        return out


# ------------------------------------------------------------------------------------------------------ leads


_LEAD_FIELDS = (
    "contact_id",
    "company_id",
    "owner_id",
    "title",
    "source",
    "source_detail",
    "product_interest",
    "lost_reason",
    "budget_amount",
    "budget_currency",
    "authority",
    "need",
    "timeline",
    "external_id",
)


class _StagedLoader(Loader):
    """Leads and deals: a stage that implies a status, with every change kept as a StageChange row."""

    model: ClassVar[Any]
    entity_type: ClassVar[str]
    status_of: ClassVar[dict[Any, str]]
    default_stage: ClassVar[str]

    def _stage_fields(self, current: Any, values: dict[str, Any], now: datetime) -> dict[str, Any]:
        stage = values.get("stage") or (current["stage"] if current is not None else self.default_stage)
        if current is not None and stage == current["stage"]:
            return {}
        status = self.status_of.get(stage, "open")
        fields: dict[str, Any] = {"stage": stage, "status": status, "stage_changed_at": now}
        if self.entity_type == "lead":
            fields["converted_at"] = now if status == "converted" else None
        else:
            fields["closed_at"] = (values.get("closed_at") or now) if status != "open" else None
        if current is not None and status == "open" and current["status"] != "open" and "lost_reason" not in values:
            fields["lost_reason"] = None
        return fields

    def _history(self, entity_id: int, from_stage: str | None, to_stage: str, now: datetime) -> dict[str, Any]:
        return {
            "org_id": self.ctx.org_id,
            "entity_type": self.entity_type,
            "entity_id": entity_id,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "changed_at": now,
            "changed_by_id": self.ctx.user_id,
        }


class LeadLoader(_StagedLoader):
    entity = ImportEntity.leads
    model = Lead
    entity_type = "lead"
    status_of = {str(k): v for k, v in LEAD_STATUS.items()}
    default_stage = "new"

    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]:
        self._names(row.values)
        problems = self._owner(row) + self._money(row, "budget_amount", "budget_currency")
        if not self._ref_keys(row.values) and not failed & _REF_FIELDS:
            problems.append(
                self.ctx.problem(row, "contact_email", "a lead needs its contact's email, phone or external id")
            )
        return problems

    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        if values.get("external_id"):
            return [("external_id", ("external", values["external_id"]))]
        ref = self._ref_keys(values)[0]
        return [(_REF_FIELD[ref[0]], ("natural", ref, values.get("source"), values.get("product_interest")))]

    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome:
        ctx = self.ctx
        out = Outcome()
        create = ctx.options.create_contacts if ctx.options.create_contacts is not None else True
        contacts = ContactLinker(self, create=create, cache=False)
        rows, contact_of = contacts.resolve(store, rows, out)
        companies = CompanyLinker(self, create=ctx.options.create_companies)
        rows, company_of = companies.resolve(store, rows, out)
        by_external = store.by_external_id(Lead, [r.values["external_id"] for r in rows if r.values.get("external_id")])
        of_contact = store.leads_of_contacts(
            c for r in rows if not r.values.get("external_id") and isinstance(c := contact_of[r], int)
        )
        # As in the API, a new lead without a company gets its contact's.
        contact_company = store.companies_of_contacts(
            c for r in rows if company_of.get(r) is None and isinstance(c := contact_of[r], int)
        )
        inserts: list[tuple[Row, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        history: list[tuple[Any, str | None, str]] = []
        claimed: dict[int, Row] = {}
        for row in rows:
            values = {**row.values, "contact_id": contact_of[row]}
            if company_of.get(row) is not None:
                values["company_id"] = company_of[row]
            current = None
            if values.get("external_id"):
                current = by_external.get(values["external_id"])
            elif isinstance(values["contact_id"], int):
                current = next(
                    (
                        lead
                        for lead in of_contact.get(values["contact_id"], [])
                        if lead["source"] == values.get("source")
                        and lead["product_interest"] == values.get("product_interest")
                    ),
                    None,
                )
            if current is None:
                if "company_id" not in values and isinstance(values["contact_id"], int):
                    values["company_id"] = contact_company.get(values["contact_id"])
                inserts.append((row, values))
                continue
            earlier = ctx.touched.get(current["id"]) or (
                claimed[current["id"]].number if current["id"] in claimed else None
            )
            if earlier is not None:
                out.problems.append(
                    ctx.problem(
                        row,
                        "external_id" if values.get("external_id") else "contact_email",
                        f"duplicate of row {earlier}: the same lead",
                    )
                )
                continue
            claimed[current["id"]] = row
            change = _changes(current, values, _LEAD_FIELDS)
            change.update(self._stage_fields(current, values, now))
            if "stage" in change:
                history.append((current["id"], current["stage"], change["stage"]))
            if (custom := _merged_json(current["custom_fields"], values.get("custom_fields"))) is not None:
                change["custom_fields"] = custom
            if change:
                text = lead_search_text(SimpleNamespace(**{**current, **change}))  # type: ignore[arg-type]
                if text != current["search_text"]:
                    change["search_text"] = text
            out.touched[current["id"]] = row.number
            if change:
                updates.append({**change, "pk": current["id"], "updated_at": now})
                out.updated += 1
            else:
                out.unchanged += 1
        used_contacts = {id(v["contact_id"]) for _, v in inserts} | {id(u.get("contact_id")) for u in updates}
        for pending, _, _ in contacts.pending:
            pending.used = id(pending) in used_contacts
        companies.write(store, now, [v.get("company_id") for _, v in inserts] + [u.get("company_id") for u in updates])
        contacts.write(store, now, out, company_of=company_of)
        lead_rows = []
        for _, values in inserts:
            fields = {name: _id(values.get(name)) for name in _LEAD_FIELDS}
            fields.update(self._stage_fields(None, values, now))
            lead_rows.append(
                {
                    **fields,
                    "org_id": ctx.org_id,
                    "custom_fields": values.get("custom_fields") or {},
                    "search_text": lead_search_text(SimpleNamespace(**fields)),  # type: ignore[arg-type]
                    "created_at": now,
                    "updated_at": now,
                }
            )
        stage_rows = []
        for (row, _), lead, lead_id in zip(
            inserts, lead_rows, store.insert_returning_ids(Lead, lead_rows), strict=True
        ):
            out.touched[lead_id] = row.number
            stage_rows.append(self._history(lead_id, None, lead["stage"], now))
        out.created += len(inserts)
        stage_rows += [self._history(lead_id, old, new, now) for lead_id, old, new in history]
        store.update(Lead, [_resolved(u) for u in updates])
        store.insert(StageChange, stage_rows)
        return out


# ------------------------------------------------------------------------------------------------------ deals


_DEAL_FIELDS = (
    "name",
    "contact_id",
    "company_id",
    "lead_id",
    "owner_id",
    "pipeline",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "lost_reason",
    "external_id",
)


class DealLoader(_StagedLoader):
    entity = ImportEntity.deals
    model = Deal
    entity_type = "deal"
    status_of = {str(k): v for k, v in DEAL_STATUS.items()}
    default_stage = "qualification"

    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]:
        values = row.values
        problems = self._owner(row) + self._money(row, "amount", "currency")
        if "currency" not in failed:
            values.setdefault("currency", self.ctx.currency)
        if not values.get("name") and "name" not in failed:
            problems.append(self.ctx.problem(row, "name", "a deal needs a name"))
        return problems

    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        if values.get("external_id"):
            return [("external_id", ("external", values["external_id"]))]
        refs = self._ref_keys(values)
        company = (values.get("company_external_id"), values.get("company_domain"),
                   (values.get("company_name") or "").lower())  # fmt: skip
        return [("name", ("natural", values["name"].lower(), refs[0] if refs else company))]

    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome:
        ctx = self.ctx
        out = Outcome()
        contacts = ContactLinker(self, create=bool(ctx.options.create_contacts), cache=False)
        rows, contact_of = contacts.resolve(store, rows, out)
        companies = CompanyLinker(self, create=ctx.options.create_companies)
        rows, company_of = companies.resolve(store, rows, out)
        lead_ids = store.ids_by_external_id(
            Lead, [r.values["lead_external_id"] for r in rows if r.values.get("lead_external_id")]
        )
        by_external = store.by_external_id(Deal, [r.values["external_id"] for r in rows if r.values.get("external_id")])
        named = store.deals_named(r.values["name"].lower() for r in rows if not r.values.get("external_id"))
        # As in the API, a new deal without a company gets its contact's.
        contact_company = store.companies_of_contacts(
            c for r in rows if company_of.get(r) is None and isinstance(c := contact_of.get(r), int)
        )
        inserts: list[tuple[Row, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        history: list[tuple[Any, str | None, str]] = []
        claimed: dict[int, Row] = {}
        for row in rows:
            values = {**row.values, "contact_id": contact_of.get(row), "company_id": company_of.get(row)}
            if values.get("lead_external_id"):
                if values["lead_external_id"] not in lead_ids:
                    out.problems.append(
                        ctx.problem(row, "lead_external_id", f"no lead with external id {values['lead_external_id']!r}")
                    )
                    continue
                values["lead_id"] = lead_ids[values["lead_external_id"]]
            current = None
            if values.get("external_id"):
                current = by_external.get(values["external_id"])
            elif values["contact_id"] is not None and not isinstance(values["contact_id"], Pending):
                candidates = named.get(values["name"].lower(), [])
                current = next((d for d in candidates if d["contact_id"] == values["contact_id"]), None)
            elif values["contact_id"] is None and not isinstance(values["company_id"], Pending):
                candidates = named.get(values["name"].lower(), [])
                current = next(
                    (d for d in candidates if d["contact_id"] is None and d["company_id"] == values["company_id"]), None
                )
            if current is None:
                if values["company_id"] is None and isinstance(values["contact_id"], int):
                    values["company_id"] = contact_company.get(values["contact_id"])
                inserts.append((row, values))
                continue
            earlier = ctx.touched.get(current["id"]) or (
                claimed[current["id"]].number if current["id"] in claimed else None
            )
            if earlier is not None:
                out.problems.append(
                    ctx.problem(
                        row,
                        "external_id" if values.get("external_id") else "name",
                        f"duplicate of row {earlier}: the same deal",
                    )
                )
                continue
            claimed[current["id"]] = row
            if values["contact_id"] is None:
                values.pop("contact_id")
            if values["company_id"] is None:
                values.pop("company_id")
            change = _changes(current, values, _DEAL_FIELDS)
            change.update(self._stage_fields(current, values, now))
            still_closed = change.get("status", current["status"]) != "open"
            if (
                still_closed
                and "closed_at" not in change
                and values.get("closed_at") not in (None, current["closed_at"])
            ):
                change["closed_at"] = values["closed_at"]
            if "stage" in change:
                history.append((current["id"], current["stage"], change["stage"]))
            if (custom := _merged_json(current["custom_fields"], values.get("custom_fields"))) is not None:
                change["custom_fields"] = custom
            if change:
                text = deal_search_text(SimpleNamespace(**{**current, **change}))  # type: ignore[arg-type]
                if text != current["search_text"]:
                    change["search_text"] = text
            out.touched[current["id"]] = row.number
            if change:
                updates.append({**change, "pk": current["id"], "updated_at": now})
                out.updated += 1
            else:
                out.unchanged += 1
        used_contacts = {id(v["contact_id"]) for _, v in inserts} | {id(u.get("contact_id")) for u in updates}
        for pending, _, _ in contacts.pending:
            pending.used = id(pending) in used_contacts
        companies.write(store, now, [v.get("company_id") for _, v in inserts] + [u.get("company_id") for u in updates])
        contacts.write(store, now, out, company_of=company_of)
        deal_rows = []
        for _, values in inserts:
            fields = {name: _id(values.get(name)) for name in _DEAL_FIELDS}
            fields["pipeline"] = fields["pipeline"] or "default"
            fields.update(self._stage_fields(None, values, now))
            deal_rows.append(
                {
                    **fields,
                    "org_id": ctx.org_id,
                    "custom_fields": values.get("custom_fields") or {},
                    "search_text": deal_search_text(SimpleNamespace(**fields)),  # type: ignore[arg-type]
                    "created_at": now,
                    "updated_at": now,
                }
            )
        stage_rows = []
        for (row, _), deal, deal_id in zip(
            inserts, deal_rows, store.insert_returning_ids(Deal, deal_rows), strict=True
        ):
            out.touched[deal_id] = row.number
            stage_rows.append(self._history(deal_id, None, deal["stage"], now))
        out.created += len(inserts)
        stage_rows += [self._history(deal_id, old, new, now) for deal_id, old, new in history]
        store.update(Deal, [_resolved(u) for u in updates])
        store.insert(StageChange, stage_rows)
        return out


# ------------------------------------------------------------------------------------------------- activities


_ACTIVITY_FIELDS = (
    "contact_id",
    "lead_id",
    "deal_id",
    "product_id",
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
    "external_id",
)


class ActivityLoader(Loader):
    """Activities are the bulk of most imports (millions of rows): no per-file memory of the rows seen, and the
    contacts they name are cached across chunks."""

    entity = ImportEntity.activities

    def check(self, row: Row, failed: AbstractSet[str]) -> list[Problem]:
        values = row.values
        problems = self._money(row, "amount", "currency")
        for name, label in (("type", "a type"), ("occurred_at", "the time it occurred")):
            if name not in values and name not in failed:
                problems.append(self.ctx.problem(row, name, f"an activity needs {label} ({name})"))
        if not self._ref_keys(values) and not failed & _REF_FIELDS:
            problems.append(
                self.ctx.problem(row, "contact_email", "an activity needs its contact's email, phone or external id")
            )
        if not problems and "type" in values and "occurred_at" in values:
            violation = activity_rule_violation(
                values["type"], values["occurred_at"], values.get("amount"), values.get("currency")
            )
            if violation is not None:
                problems.append(self.ctx.problem(row, violation[0], violation[1]))
        return problems

    def keys(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        if values.get("external_id"):
            return [("external_id", values["external_id"])]
        ref = self._ref_keys(values)[0]
        return [(_REF_FIELD[ref[0]], (ref, values["type"], values["occurred_at"]))]

    def apply(self, store: RecordStore, rows: list[Row], now: datetime) -> Outcome:
        ctx = self.ctx
        out = Outcome()
        contacts = ContactLinker(self, create=bool(ctx.options.create_contacts), cache=True)
        rows, contact_of = contacts.resolve(store, rows, out)
        refs: dict[str, dict[str, tuple[int, int | None]]] = {}
        for name, model in (("lead_external_id", Lead), ("deal_external_id", Deal)):
            wanted = {r.values[name] for r in rows if r.values.get(name)}
            refs[name] = store.contacts_by_external_id(model, wanted) if wanted else {}
        skus = {r.values["product_sku"] for r in rows if r.values.get("product_sku")}
        products = store.products_by_sku(skus) if skus else {}
        external_ids = [r.values["external_id"] for r in rows if r.values.get("external_id")]
        by_external = store.activities_by_external_id(external_ids) if external_ids else {}
        pairs = {
            (c, r.values["occurred_at"])
            for r in rows
            if not r.values.get("external_id") and isinstance(c := contact_of[r], int)
        }
        at_time = store.activities_at(pairs) if pairs else {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        claimed: set[int] = set()
        for row in rows:
            values = {**row.values, "contact_id": contact_of[row]}
            missing = None
            for name, target in (("lead_external_id", "lead_id"), ("deal_external_id", "deal_id")):
                if values.get(name):
                    if values[name] not in refs[name]:
                        missing = (name, f"no {target[:-3]} with external id {values[name]!r}")
                        break
                    values[target], owner = refs[name][values[name]]
                    if owner is not None and owner != _id(values["contact_id"]):
                        missing = (name, f"the {target[:-3]} {values[name]!r} belongs to another contact")
                        break
            if missing is None and values.get("product_sku"):
                if values["product_sku"] not in products:
                    missing = ("product_sku", f"no product with SKU {values['product_sku']!r}")
                else:
                    values["product_id"] = products[values["product_sku"]]
            if missing is not None:
                out.problems.append(ctx.problem(row, missing[0], missing[1]))
                continue
            current = None
            if values.get("external_id"):
                current = by_external.get(values["external_id"])
            elif isinstance(values["contact_id"], int):
                current = next(
                    (
                        a
                        for a in at_time.get((values["contact_id"], values["occurred_at"]), [])
                        if a["type"] == values["type"]
                    ),
                    None,
                )
            if current is None:
                inserts.append(values)
                continue
            if current["id"] in claimed:
                out.problems.append(
                    ctx.problem(
                        row,
                        "external_id" if values.get("external_id") else "occurred_at",
                        "duplicate of an earlier row: the same activity",
                    )
                )
                continue
            claimed.add(current["id"])
            change = _changes(current, values, _ACTIVITY_FIELDS)
            if (properties := _merged_json(current["properties"], values.get("properties"))) is not None:
                change["properties"] = properties
            if change:
                merged = {**current, **change}
                change["search_text"] = activity_search_text(SimpleNamespace(**merged))  # type: ignore[arg-type]
                updates.append({**change, "pk": current["id"]})
                out.updated += 1
            else:
                out.unchanged += 1
        used_contacts = {id(v["contact_id"]) for v in inserts} | {id(u.get("contact_id")) for u in updates}
        for pending, _, _ in contacts.pending:
            pending.used = id(pending) in used_contacts
        contacts.write(store, now, out, company_of={})
        activity_rows = []
        org_id = ctx.org_id
        for values in inserts:
            fields = {name: values.get(name) for name in _ACTIVITY_FIELDS}
            fields["contact_id"] = _id(fields["contact_id"])
            fields["org_id"] = org_id
            fields["properties"] = values.get("properties") or _NO_OBJECT
            fields["search_text"] = activity_search_text(SimpleNamespace(**fields))  # type: ignore[arg-type]
            fields["created_at"] = now
            activity_rows.append(fields)
        store.insert(Activity, activity_rows)
        out.created += len(inserts)
        store.update(Activity, [_resolved(u) for u in updates])
        return out


LOADERS: dict[ImportEntity, type[Loader]] = {
    ImportEntity.contacts: ContactLoader,
    ImportEntity.companies: CompanyLoader,
    ImportEntity.leads: LeadLoader,
    ImportEntity.deals: DealLoader,
    ImportEntity.activities: ActivityLoader,
}


def _database_message(exc: Exception) -> str:
    original = getattr(exc, "orig", exc)
    return str(original).strip().splitlines()[0][:300] if str(original).strip() else type(original).__name__


def process_chunk(session: Session, loader: Loader, extractor: Extractor, records: list[Record]) -> Outcome:
    """Check, de-duplicate and apply one chunk of records inside the caller's transaction."""
    ctx = loader.ctx
    outcome = Outcome()
    rows: list[Row] = []
    seen: dict[Any, int] = {}
    for record in records:
        if record.problem:
            outcome.problems.append(ctx.problem(record, None, record.problem))
            continue
        values, field_problems = extractor.extract(record.cells)
        row = Row(record.number, values, record)
        if field_problems:
            problems = [ctx.problem(row, name, message, column=column) for name, column, message in field_problems]
            problems += loader.check(row, {name for name, _, _ in field_problems})
        else:
            problems = loader.check(row, _NO_FIELDS)
        if problems:
            outcome.problems += problems
            continue
        keys = loader.keys(values)
        duplicate = None
        for name, key in keys:
            if key in seen:
                duplicate = (name, seen[key])
                break
        if duplicate is not None:
            outcome.problems.append(ctx.problem(row, duplicate[0], f"duplicate of row {duplicate[1]} of this file"))
            continue
        for _, key in keys:
            seen[key] = record.number
        rows.append(row)
    if not rows:
        return outcome
    store = RecordStore(session, ctx.org_id)
    now = utcnow()
    with store.bulk_writes():
        try:
            with session.begin_nested():
                applied = loader.apply(store, rows, now)
        except (IntegrityError, DataError):
            applied = Outcome()
            for row in rows:
                try:
                    with session.begin_nested():
                        one = loader.apply(store, [row], now)
                except (IntegrityError, DataError) as exc:
                    message = f"the database refused this row: {_database_message(exc)}"
                    applied.problems.append(ctx.problem(row, None, message))
                else:
                    applied.merge(one)
                    ctx.remember(one)
        else:
            ctx.remember(applied)
    outcome.merge(applied)
    return outcome
