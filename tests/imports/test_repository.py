from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from psycopg.types.json import Json
from sqlalchemy import event, insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from leadpilot.crm import search
from leadpilot.crm.models import Activity, Contact
from leadpilot.imports import repository
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


def test_many_rows_go_in_several_statements_with_ids_in_row_order_and_searchable(
    db: Session, org_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, _ = org_a
    monkeypatch.setattr(repository, "SQLITE_ROWS_PER_STATEMENT", 5)
    rows_per_insert: dict[str, list[int]] = {"contacts": [], "activities": []}

    def count_rows(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        for table in rows_per_insert:
            if statement.startswith(f"INSERT INTO {table} ("):
                rows_per_insert[table].append(statement.count("), (") + 1)

    event.listen(db.get_bind(), "before_cursor_execute", count_rows)
    try:
        store = RecordStore(db, org.id)
        now = datetime.now(UTC)
        contacts = [{"org_id": org.id, "email": f"m{i}@example.com", "search_text": f"m{i}", "consent": {},
                     "opted_out": [], "custom_fields": {}, "lifecycle_stage": "lead", "created_at": now,
                     "updated_at": now} for i in range(7)]  # fmt: skip
        ids = store.insert_returning_ids(Contact, contacts)
        activities = [{"org_id": org.id, "contact_id": ids[i % 7], "type": "web_visit", "occurred_at": now,
                       "properties": {}, "external_id": f"m-{i}", "search_text": f"web visit page{i}",
                       "created_at": now} for i in range(11)]  # fmt: skip
        store.insert(Activity, activities)
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", count_rows)
    if db.get_bind().dialect.name == "sqlite":
        # Powers of two only, so that the driver's statement cache holds a few sizes rather than every tail size.
        assert rows_per_insert == {"contacts": [4, 2, 1], "activities": [4, 4, 2, 1]}
    emails = dict(db.execute(select(Contact.id, Contact.email).where(Contact.id.in_(ids))).all())
    assert [emails[i] for i in ids] == [c["email"] for c in contacts]
    stored = db.execute(select(Activity.external_id, Activity.contact_id).where(Activity.org_id == org.id)).all()
    assert sorted(stored) == sorted((a["external_id"], a["contact_id"]) for a in activities)
    dialect = db.get_bind().dialect.name
    for i in (0, 5, 9, 10):  # a row of every statement: the search index saw them all
        condition = search.matches(Activity, f"page{i}", dialect=dialect)
        assert condition is not None
        found = db.scalars(select(Activity.external_id).where(Activity.org_id == org.id, condition)).all()
        assert found == [f"m-{i}"]


def test_a_repeated_value_is_processed_once_and_none_is_left_alone() -> None:
    calls: list[object] = []

    def process(value: object) -> str:
        calls.append(value)
        return f"<{value}>"

    shared: dict[str, int] = {}
    values = [shared, shared, None, 1, shared, "x", "x"]
    assert repository._processed(values, process) == ["<{}>", "<{}>", None, "<1>", "<{}>", "<x>", "<x>"]
    assert calls == [shared, 1, shared, "x"]


def test_binary_copy_only_for_values_of_the_exact_type_of_their_column() -> None:
    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
    table = Activity.__table__
    columns = [table.c.org_id, table.c.type, table.c.occurred_at, table.c.amount, table.c.properties,
               table.c.duration_seconds]  # fmt: skip
    good = (1, "purchase", datetime(2025, 1, 1, tzinfo=UTC), Decimal("9.99"), Json({}), 30)
    assert repository._binary_copy_types(dialect, columns, [good, (1, "call", good[2], None, Json({}), None)]) == [
        "int8", "varchar", "timestamptz", "numeric", "json", "int4"
    ]  # fmt: skip
    for index, odd in ((5, True), (5, 2**31), (3, 9.99), (2, datetime(2025, 1, 1)), (1, 7), (4, {})):
        row = (*good[:index], odd, *good[index + 1 :])
        assert repository._binary_copy_types(dialect, columns, [good, row]) is None, (index, odd)
    assert repository._binary_copy_types(dialect, [Contact.__table__.c.id, table.c.id], [(1, 2)]) == ["int8", "int8"]
