"""From CRM rows to point-in-time records and labelled training snapshots.

    CrmTables (row dicts, from the database or the demo simulator)
      └ build(tables) → records {lead_id: LeadRecord}, outcomes {lead_id: LeadOutcome}, customers
          └ lead_snapshots(records, outcomes, horizon, data_end) → [Snapshot(lead, as_of, label)]
               └ split_by_time(snapshots) → train / calibration / test (by lead creation time)

A snapshot is a lead seen at ``as_of`` while it was still open. Its label is whether it converted in the window
``[as_of, as_of + horizon)`` — strictly after the features' cut-off — and a snapshot is used only when that window
has fully passed (``as_of + horizon <= data_end``), so recent leads whose fate is unknown never count as failures.
Outcomes (``converted_at``, the time a lead was lost) live in ``LeadOutcome`` only; records never see them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadpilot.scoring.features import (
    DAY,
    PERSONAL_EMAIL_DOMAINS,
    LeadRecord,
    activity_event,
    add_events,
    message_event,
    message_signal,
    seniority_of,
    timestamp,
)

# Ages (days after creation) at which a lead is seen for training: scores are asked for at any age, so the model
# learns from every one of them.
SNAPSHOT_AGES_DAYS = (1 / 24, 1, 3, 7, 14, 21, 30, 45, 60, 90, 120, 180)
DEFAULT_HORIZON_DAYS = 60
PAID_MEDIUMS = frozenset({"cpc", "ppc", "paid", "paid_search", "paid_social", "display", "cpm"})


@dataclass
class CrmTables:
    """Rows as dicts with the columns of the CRM tables (ids already resolved)."""

    leads: Sequence[Mapping[str, Any]]
    contacts: Sequence[Mapping[str, Any]]
    companies: Sequence[Mapping[str, Any]] = field(default_factory=list)
    activities: Sequence[Mapping[str, Any]] = field(default_factory=list)
    stage_changes: Sequence[Mapping[str, Any]] = field(default_factory=list)
    messages: Sequence[Mapping[str, Any]] = field(default_factory=list)
    notes: Sequence[Mapping[str, Any]] = field(default_factory=list)
    deals: Sequence[Mapping[str, Any]] = field(default_factory=list)
    # (id, company_id, created_at) of every lead of the companies involved; default: ``leads``
    company_leads: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class LeadOutcome:
    lead_id: int
    created_at: float
    converted_at: float | None
    resolved_at: float | None  # converted or lost
    group: int  # the account: company id, or minus the contact id without a company


@dataclass
class CustomerHistory:
    """A buying contact: orders (time, amount) and product-use visits, for the churn-risk dimension."""

    contact_id: int
    orders: list[tuple[float, float]]
    app_times: list[float]


@dataclass(frozen=True, slots=True)
class Snapshot:
    lead_id: int
    as_of: float
    label: int
    group: int
    created_at: float


@dataclass
class Built:
    records: dict[int, LeadRecord]
    outcomes: dict[int, LeadOutcome]
    customers: dict[int, CustomerHistory]
    won_deals: list[tuple[float, float, float | None]]  # (closed_at, amount, employees)
    last_event_at: float | None = None  # the newest fact in the data: history is known up to here

    def data_end(self, now: float) -> float:
        """Where labels stop being knowable: now, or the newest fact if the data stops earlier (an old export)."""
        return min(now, self.last_event_at) if self.last_event_at is not None else now


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _evidence_time(evidence: Any, key: str) -> float | None:
    if not isinstance(evidence, Mapping):
        return None
    item = evidence.get(key)
    if not isinstance(item, Mapping) or not isinstance(item.get("at"), str):
        return None
    try:
        parsed = datetime.fromisoformat(item["at"])
    except ValueError:
        return None
    return parsed.timestamp() if parsed.tzinfo is not None else None


def _opt_out_time(contact: Mapping[str, Any]) -> float | None:
    consent = contact.get("consent") or {}
    email = consent.get("email") if isinstance(consent, Mapping) else None
    opted = set(contact.get("opted_out") or [])
    if not (opted & {"email", "all"}) and not (isinstance(email, Mapping) and email.get("status") == "denied"):
        return None
    if isinstance(email, Mapping) and isinstance(email.get("at"), str):
        try:
            parsed = datetime.fromisoformat(email["at"])
            if parsed.tzinfo is not None:
                return parsed.timestamp()
        except ValueError:
            pass
    # An opt-out without a time is only known from now on: it must not colour the past.
    return math.inf


def build(tables: CrmTables) -> Built:
    contacts = {c["id"]: c for c in tables.contacts}
    companies = {c["id"]: c for c in tables.companies}

    events: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    orders: dict[int, dict[Any, list[float]]] = defaultdict(dict)
    app_times: dict[int, list[float]] = defaultdict(list)
    company_first_purchase: dict[int, float] = {}
    for activity in tables.activities:
        contact_id = activity.get("contact_id")
        event = activity_event(activity)
        if event is None:
            continue
        if contact_id is not None:
            events[contact_id].append(event)
        if activity.get("type") == "purchase":
            company_id = activity.get("company_id")
            if company_id is not None:
                company_first_purchase[company_id] = min(company_first_purchase.get(company_id, math.inf), event[0])
            if contact_id is not None:
                properties = activity.get("properties") or {}
                key = properties.get("order_id") if isinstance(properties, Mapping) else None
                key = key or round(event[0] / DAY)
                entry = orders[contact_id].setdefault(key, [event[0], 0.0])
                entry[0] = min(entry[0], event[0])
                entry[1] += _float(activity.get("amount")) or 0.0
        elif event[1] == 4 and contact_id is not None:  # WEB_APP
            app_times[contact_id].append(event[0])
    for message in tables.messages:
        contact_id = message.get("contact_id")
        event = message_event(message)
        if contact_id is not None and event is not None:
            events[contact_id].append(event)
    for note in tables.notes:
        at = timestamp(note.get("created_at"))
        if at is not None and note.get("contact_id") is not None:
            events[note["contact_id"]].append((at, 17, 0))  # NOTE

    signals: dict[int, list[Any]] = defaultdict(list)
    for message in tables.messages:
        if message.get("direction") != "inbound" or message.get("contact_id") is None:
            continue
        at = timestamp(message.get("created_at"))
        signal = message_signal(at, message.get("annotations")) if at is not None else None
        if signal is not None:
            signals[message["contact_id"]].append(signal)

    stages: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for change in tables.stage_changes:
        if change.get("entity_type") == "lead":
            at = timestamp(change.get("changed_at"))
            if at is not None:
                stages[change["entity_id"]].append((at, change["to_stage"]))

    company_won: dict[int, float] = {}
    won_deals: list[tuple[float, float, float | None]] = []
    for deal in tables.deals:
        closed = timestamp(deal.get("closed_at"))
        if deal.get("stage") != "closed_won" and deal.get("status") != "won":
            continue
        if closed is None:
            continue
        company_id = deal.get("company_id")
        if company_id is not None:
            company_won[company_id] = min(company_won.get(company_id, math.inf), closed)
        amount = _float(deal.get("amount"))
        if amount is not None and amount > 0:
            company = companies.get(company_id) if company_id is not None else None
            won_deals.append((closed, amount, _float(company.get("employee_count")) if company else None))

    company_leads: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for lead in tables.company_leads if tables.company_leads is not None else tables.leads:
        created = timestamp(lead.get("created_at"))
        if lead.get("company_id") is not None and created is not None:
            company_leads[lead["company_id"]].append((lead["id"], created))

    records: dict[int, LeadRecord] = {}
    outcomes: dict[int, LeadOutcome] = {}
    for lead in tables.leads:
        contact = contacts.get(lead["contact_id"], {})
        company_id = lead.get("company_id") or contact.get("company_id")
        company = companies.get(company_id, {}) if company_id is not None else {}
        created = timestamp(lead["created_at"]) or 0.0
        updated = timestamp(lead.get("updated_at")) or created
        email = contact.get("email") or ""
        custom = lead.get("custom_fields") or {}
        medium = str(custom.get("utm_medium", "")).lower() if isinstance(custom, Mapping) else ""
        customer_since = (
            min(company_won.get(company_id, math.inf), company_first_purchase.get(company_id, math.inf))
            if company_id is not None
            else math.inf
        )
        evidence = lead.get("bant_evidence") or {}
        known: dict[str, float] = {}
        for key, column in (
            ("budget", "budget_amount"),
            ("authority", "authority"),
            ("need", "need"),
            ("timeline", "timeline"),
        ):
            if lead.get(column) not in (None, ""):
                known[key] = _evidence_time(evidence, key) or updated
        record = LeadRecord(
            lead_id=lead["id"],
            created_at=created,
            updated_at=updated,
            contact_created_at=timestamp(contact.get("created_at")) or created,
            source=(lead.get("source") or contact.get("source") or None),
            paid_medium=medium in PAID_MEDIUMS,
            seniority=seniority_of(contact.get("seniority"), contact.get("title")),
            department=contact.get("department") or None,
            title=contact.get("title") or None,
            has_phone=bool(contact.get("phone")),
            personal_email=email.rpartition("@")[2].lower() in PERSONAL_EMAIL_DOMAINS,
            email_opt_out_at=_opt_out_time(contact),
            timezone=contact.get("timezone") or None,
            company_id=company_id,
            company_name=company.get("name"),
            employees=_float(company.get("employee_count")),
            revenue=_float(company.get("annual_revenue")),
            industry=company.get("industry") or None,
            country=company.get("country") or contact.get("country") or None,
            company_customer_since=customer_since if customer_since < math.inf else None,
            company_lead_times=sorted(t for other, t in company_leads.get(company_id, []) if other != lead["id"])
            if company_id is not None
            else [],
            signals=sorted(signals.get(lead["contact_id"], []), key=lambda s: s.at),
            stages=sorted(stages.get(lead["id"], [])),
            bant_known_since=known,
            budget_amount=_float(lead.get("budget_amount")),
            timeline_at=timestamp(lead.get("timeline")),
            purchases=sorted((t, a) for t, a in orders.get(lead["contact_id"], {}).values()),
        )
        add_events(record, events.get(lead["contact_id"], []))
        records[lead["id"]] = record
        outcomes[lead["id"]] = _outcome(lead, created, stages.get(lead["id"], []), company_id)

    customers = {
        contact_id: CustomerHistory(
            contact_id, sorted((t, a) for t, a in by_order.values()), sorted(app_times.get(contact_id, []))
        )
        for contact_id, by_order in orders.items()
    }
    last = max((r.times[-1] for r in records.values() if r.times), default=None)
    stage_last = max((s[-1][0] for s in stages.values() if s), default=None)
    created_last = max((o.created_at for o in outcomes.values()), default=None)
    newest = [t for t in (last, stage_last, created_last) if t is not None]
    return Built(
        records=records,
        outcomes=outcomes,
        customers=customers,
        won_deals=sorted(won_deals),
        last_event_at=max(newest) if newest else None,
    )


def _outcome(
    lead: Mapping[str, Any], created: float, changes: Sequence[tuple[float, str]], company: Any
) -> LeadOutcome:
    converted = timestamp(lead.get("converted_at"))
    lost: float | None = None
    if converted is None:
        for at, stage in changes:
            if stage == "converted":
                converted = at
    if lead.get("status") == "lost" or lead.get("stage") == "disqualified":
        for at, stage in changes:
            if stage == "disqualified":
                lost = at
        lost = lost or timestamp(lead.get("stage_changed_at"))
    resolved = converted if converted is not None else lost
    group = int(company) if company is not None else -int(lead["contact_id"])
    return LeadOutcome(lead["id"], created, converted, resolved, group)


def lead_snapshots(
    outcomes: Iterable[LeadOutcome],
    *,
    data_end: float,
    horizon_days: float = DEFAULT_HORIZON_DAYS,
    ages_days: Sequence[float] = SNAPSHOT_AGES_DAYS,
) -> list[Snapshot]:
    """Every (lead, age) at which the lead was open and its label window has closed by ``data_end``."""
    horizon = horizon_days * DAY
    snapshots: list[Snapshot] = []
    for outcome in outcomes:
        for age in ages_days:
            as_of = outcome.created_at + age * DAY
            if as_of + horizon > data_end:
                break
            if outcome.resolved_at is not None and outcome.resolved_at <= as_of:
                break
            converted = outcome.converted_at
            label = int(converted is not None and as_of <= converted < as_of + horizon)
            snapshots.append(Snapshot(outcome.lead_id, as_of, label, outcome.group, outcome.created_at))
    return snapshots


@dataclass
class Split:
    train: list[Snapshot]
    calibration: list[Snapshot]
    test: list[Snapshot]
    train_until: float  # creation time of the first calibration lead
    test_from: float  # creation time of the first test lead


def split_by_time(snapshots: Sequence[Snapshot], *, calibration: float = 0.15, test: float = 0.15) -> Split:
    """Older leads train, the next ones calibrate, the newest ones test; all snapshots of a lead stay together."""
    created = sorted({(s.created_at, s.lead_id) for s in snapshots})
    if not created:
        return Split([], [], [], math.inf, math.inf)
    n = len(created)
    first_calibration = created[min(n - 1, int(n * (1 - calibration - test)))]
    first_test = created[min(n - 1, int(n * (1 - test)))]
    train: list[Snapshot] = []
    cal: list[Snapshot] = []
    tst: list[Snapshot] = []
    for s in snapshots:
        key = (s.created_at, s.lead_id)
        (tst if key >= first_test else cal if key >= first_calibration else train).append(s)
    return Split(train, cal, tst, first_calibration[0], first_test[0])


# --- the demo tenant as tables (tests and benchmarks) ----------------------------------------------------------------


def tables_from_demo(dataset: Any) -> CrmTables:
    """The simulator's rows with positional references turned into ids (position + 1)."""
    from leadpilot.demo.simulator import REFERENCES

    def resolve(name: str) -> list[dict[str, Any]]:
        rows = []
        references = REFERENCES.get(name, {})
        for index, row in enumerate(dataset.tables[name]):
            out = dict(row)
            out["id"] = index + 1
            for column in references:
                if out.get(column) is not None:
                    out[column] = out[column] + 1
            if name == "stage_changes":
                out["entity_id"] = out["entity_id"] + 1
            rows.append(out)
        return rows

    return CrmTables(
        leads=resolve("leads"),
        contacts=resolve("contacts"),
        companies=resolve("companies"),
        activities=resolve("activities"),
        stage_changes=resolve("stage_changes"),
        messages=resolve("messages"),
        notes=resolve("notes"),
        deals=resolve("deals"),
    )
