from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from leadpilot.crm.models import Activity, Contact
from leadpilot.imports.repository import RecordStore


def test_bulk_inserts_store_exactly_what_a_core_insert_stores(db: Session, org_a) -> None:
    org, _ = org_a
    store = RecordStore(db, org.id)
    [contact_id] = store.insert_returning_ids(
        Contact, [{"org_id": org.id, "email": "a@example.com", "consent": {"email": {"status": "granted"}},
                   "opted_out": ["sms"], "custom_fields": {"n": 1}, "lifecycle_stage": "lead", "search_text": "a",
                   "created_at": datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC),
                   "updated_at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)}],
    )  # fmt: skip
    assert db.scalar(select(Contact.email).where(Contact.id == contact_id)) == "a@example.com"
    row = {"org_id": org.id, "contact_id": contact_id, "type": "purchase", "subject": "Ünïcode",
           "occurred_at": datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC), "amount": Decimal("9.99"), "currency": "EUR",
           "properties": {"page": "/x", "n": [1, 2]}, "duration_seconds": None, "search_text": "purchase",
           "created_at": datetime(2025, 1, 2, tzinfo=UTC)}  # fmt: skip
    db.execute(insert(Activity), [{**row, "external_id": "core"}])
    store.insert(Activity, [{**row, "external_id": "bulk"}])
    columns = "type, subject, occurred_at, amount, currency, properties, duration_seconds, created_at, contact_id"
    stored = {
        external_id: values
        for external_id, *values in db.execute(
            text(f"SELECT external_id, {columns} FROM activities WHERE org_id = :org"), {"org": org.id}
        )
    }
    assert stored["bulk"] == stored["core"]
    activities = db.scalars(select(Activity).where(Activity.org_id == org.id)).all()
    assert {a.occurred_at for a in activities} == {row["occurred_at"]}
    assert {a.amount for a in activities} == {Decimal("9.99")}
    assert {tuple(a.properties["n"]) for a in activities} == {(1, 2)}


def test_ids_come_back_in_the_order_of_the_rows(db: Session, org_a) -> None:
    org, _ = org_a
    store = RecordStore(db, org.id)
    rows = [{"org_id": org.id, "email": f"p{i}@example.com", "search_text": f"p{i}", "consent": {}, "opted_out": [],
             "custom_fields": {}, "lifecycle_stage": "lead", "created_at": datetime.now(UTC),
             "updated_at": datetime.now(UTC)} for i in range(50)]  # fmt: skip
    ids = store.insert_returning_ids(Contact, rows)
    assert len(set(ids)) == 50
    emails = dict(db.execute(select(Contact.id, Contact.email).where(Contact.id.in_(ids))).all())
    assert [emails[i] for i in ids] == [r["email"] for r in rows]


def test_columns_left_out_get_their_defaults(db: Session, org_a) -> None:
    from leadpilot.crm.models import Lead

    org, _ = org_a
    store = RecordStore(db, org.id)
    [contact_id] = store.insert_returning_ids(
        Contact, [{"org_id": org.id, "email": "d@example.com", "search_text": "d", "created_at": datetime.now(UTC),
                   "updated_at": datetime.now(UTC)}],
    )  # fmt: skip
    [lead_id] = store.insert_returning_ids(
        Lead, [{"org_id": org.id, "contact_id": contact_id, "stage": "new", "search_text": "",
                "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}],
    )  # fmt: skip
    lead = db.get(Lead, lead_id)
    contact = db.get(Contact, contact_id)
    assert lead is not None
    assert contact is not None
    assert (lead.status, lead.score_reasons, lead.bant_evidence, lead.custom_fields) == ("open", [], {}, {})
    assert (contact.lifecycle_stage, contact.consent, contact.opted_out) == ("lead", {}, [])
