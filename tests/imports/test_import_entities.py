from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.crm.models import Activity, Company, Contact, Deal, Lead, StageChange
from tests.fixtures.factories import principal_for
from tests.imports.conftest import Importer, errors_by_row

LEADS = """external_id,email,phone,first_name,last_name,source,stage,budget,currency,timeline,company
L-1,ada@example.com,,Ada,Lovelace,webinar,qualified,"$12,000",,2025-09-30,Analytical Engines
L-2,bad-email,,Bad,Email,web,new,,,,
L-3,grace@example.com,,Grace,Hopper,web,new,5000,XYZ,,
L-4,linus@example.com,,Linus,T,web,new,,,someday,
L-5,,,Missing,Contact,web,new,,,,
L-1,ada@example.com,,Ada,Again,webinar,qualified,,,,
L-6,alan@example.com,,Alan,Turing,referral,contacted,900 EUR,,2025-10-01,
L-7,bob@example.com,12,Bad,Phone,web,new,,,,
L-8,carol@example.com,+1 415 555 0133,Carol,King,web,new,,,,
"""


def test_leads_bad_rows_are_reported_with_row_and_field(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    content = LEADS
    job = importer(principal, content, entity="leads")
    assert job.status == "completed", job.failure
    errors = errors_by_row(db, principal, job)
    assert {row: [f for f, _ in errs] for row, errs in errors.items()} == {
        3: ["contact_email"],  # bad email
        4: ["budget_currency"],  # unknown currency
        5: ["timeline"],  # bad date
        6: ["contact_email"],  # missing required contact
        7: ["external_id"],  # duplicate within the file
        9: ["contact_phone"],  # bad phone
    }
    assert "duplicate of row 2" in errors[7][0][1]
    assert (job.created_count, job.error_count) == (3, 6)

    leads = {lead.external_id: lead for lead in db.scalars(select(Lead).where(Lead.org_id == org.id))}
    assert set(leads) == {"L-1", "L-6", "L-8"}
    ada = leads["L-1"]
    assert (ada.stage, ada.status, ada.budget_amount, ada.budget_currency) == ("qualified", "open", Decimal("12000.00"),
                                                                              "USD")  # fmt: skip
    assert ada.timeline == date(2025, 9, 30)
    assert leads["L-6"].budget_currency == "EUR"
    contact = db.get(Contact, ada.contact_id)
    assert contact is not None
    assert (contact.email, contact.first_name, contact.last_name) == ("ada@example.com", "Ada", "Lovelace")
    assert ada.company_id is not None
    history = db.scalars(select(StageChange.to_stage).where(StageChange.entity_id == ada.id,
                                                            StageChange.entity_type == "lead")).all()  # fmt: skip
    assert history == ["qualified"]

    again = importer(principal, content, entity="leads")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)

    moved = importer(principal, "external_id,email,stage\nL-6,alan@example.com,converted\n", entity="leads")
    assert moved.updated_count == 1
    db.expire_all()
    alan = db.scalar(select(Lead).where(Lead.org_id == org.id, Lead.external_id == "L-6"))
    assert alan is not None
    assert (alan.stage, alan.status) == ("converted", "converted")
    assert alan.converted_at is not None
    stages = db.scalars(
        select(StageChange.to_stage).where(StageChange.entity_id == alan.id).order_by(StageChange.id)
    ).all()
    assert stages == ["contacted", "converted"]


def test_leads_without_external_id_match_by_contact_and_source(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    content = "email,source,product\nzoe@example.com,web,Pro\nzoe@example.com,fair,Pro\n"
    assert importer(principal, content, entity="leads").created_count == 2
    job = importer(principal, content, entity="leads")
    assert (job.created_count, job.unchanged_count) == (0, 2)
    assert db.scalar(select(func.count()).select_from(Contact).where(Contact.org_id == org.id)) == 1


def test_leads_can_refuse_to_create_contacts(db: Session, org_a, importer: Importer) -> None:
    _, owner = org_a
    principal = principal_for(owner)
    job = importer(
        principal, "email,source\nnobody@example.com,web\n", entity="leads", options={"create_contacts": False}
    )
    assert errors_by_row(db, principal, job) == {2: [("contact_email", "no contact with email 'nobody@example.com'")]}


def test_companies_dedupe_by_external_id_domain_and_name(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    content = (
        "Company,Website,Employees,Revenue,Industry\n"
        "Acme,https://www.acme.com/about,120,€ 1.5,Tools\n"
        "Initech,,30,,Software\n"
        "Acme Corp,acme.com,,,\n"
        "Nameless,,abc,,\n"
    )
    job = importer(principal, content, entity="companies")
    assert (job.created_count, job.error_count) == (2, 2)
    errors = errors_by_row(db, principal, job)
    assert errors[4] == [("domain", "duplicate of row 2 of this file")]
    assert errors[5][0][0] == "employee_count"
    acme = db.scalar(select(Company).where(Company.org_id == org.id, Company.domain == "acme.com"))
    assert acme is not None
    assert (acme.name, acme.website, acme.employee_count, acme.annual_revenue, acme.currency) == (
        "Acme", "https://www.acme.com/about", 120, Decimal("1.50"), "EUR")  # fmt: skip

    renamed = importer(principal, "name,domain\nAcme Inc,acme.com\nInitech,\n", entity="companies")
    assert (renamed.created_count, renamed.updated_count, renamed.unchanged_count) == (0, 1, 1)
    db.refresh(acme)
    assert acme.name == "Acme Inc"


def test_deals_with_money_stage_and_links(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, "email,first_name\nbuyer@example.com,Bea\n")
    importer(principal, "external_id,email,source\nL-9,buyer@example.com,web\n", entity="leads")
    content = (
        "Deal Name,Contact Email,Company,Amount,Stage,Close Date,Probability,lead_external_id,owner\n"
        f"Big one,buyer@example.com,Acme,$25000,closed_won,2025-06-30,90%,L-9,{owner.email}\n"
        "Small one,,Acme,1000,proposal,2025-07-15,0.4,,\n"
        "Ghost,ghost@example.com,,10,proposal,,,,\n"
        "Unowned,,,10,proposal,,,,nobody@example.com\n"
    )
    job = importer(principal, content, entity="deals")
    assert (job.created_count, job.error_count) == (2, 2)
    errors = errors_by_row(db, principal, job)
    assert errors[4] == [("contact_email", "no contact with email 'ghost@example.com'")]
    assert errors[5][0][0] == "owner_email"
    deals = {d.name: d for d in db.scalars(select(Deal).where(Deal.org_id == org.id))}
    big = deals["Big one"]
    assert (big.amount, big.currency, big.stage, big.status, big.probability) == (
        Decimal("25000.00"), "USD", "closed_won", "won", 0.9)  # fmt: skip
    assert big.closed_at is not None
    assert big.owner_id == owner.id
    assert big.lead_id is not None
    assert big.company_id == deals["Small one"].company_id
    assert deals["Small one"].expected_close_date == date(2025, 7, 15)

    again = importer(principal, content, entity="deals")
    assert (again.created_count, again.unchanged_count) == (0, 2)


def test_activities_link_to_contacts_by_email_phone_or_external_id(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, "email,phone,external_id\nana@example.com,+14155550132,c-1\nbo@example.com,,c-2\n")
    content = (
        "Email,Phone,contact_external_id,Type,Timestamp,Subject,Amount\n"
        "ana@example.com,,,email_opened,2025-03-01T10:00:00+01:00,Spring offer,\n"
        ",4155550132,,purchase,2025-03-02 09:30,,$49.90\n"
        ",,c-2,page view,2025-03-03T08:00:00Z,,\n"
        "ghost@example.com,,,email_opened,2025-03-01T10:00:00Z,,\n"
        "ana@example.com,,,teleport,2025-03-01T10:00:00Z,,\n"
        "ana@example.com,,,call,yesterday-ish,,\n"
        "ana@example.com,,,email_opened,2025-03-01T09:00:00Z,Spring offer,\n"
    )
    job = importer(principal, content, entity="activities", options={"timezone": "Europe/Berlin"})
    assert job.status == "completed", job.failure
    errors = errors_by_row(db, principal, job)
    assert {row: errs[0][0] for row, errs in errors.items()} == {
        5: "contact_email",
        6: "type",
        7: "occurred_at",
        8: "contact_email",
    }
    assert "duplicate of row 2" in errors[8][0][1]  # 10:00+01:00 is 09:00Z: the same event
    contacts = {c.email: c.id for c in db.scalars(select(Contact).where(Contact.org_id == org.id))}
    activities = db.scalars(select(Activity).where(Activity.org_id == org.id).order_by(Activity.occurred_at)).all()
    assert [(a.type, a.contact_id) for a in activities] == [
        ("email_opened", contacts["ana@example.com"]),
        ("purchase", contacts["ana@example.com"]),
        ("web_visit", contacts["bo@example.com"]),
    ]
    assert activities[0].occurred_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert activities[1].occurred_at == datetime(2025, 3, 2, 8, 30, tzinfo=UTC)  # naive: read in Europe/Berlin
    assert (activities[1].amount, activities[1].currency) == (Decimal("49.90"), "USD")
    assert "spring" in activities[0].search_text.split()

    again = importer(principal, content, entity="activities", options={"timezone": "Europe/Berlin"})
    assert (again.created_count, again.unchanged_count, again.error_count) == (0, 3, 4)
    changed = content.replace("Spring offer,\n", "Summer offer,\n", 1)
    third = importer(principal, changed, entity="activities", options={"timezone": "Europe/Berlin"})
    assert (third.created_count, third.updated_count) == (0, 1)


def test_activities_with_external_ids_update_in_place(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, "email\nana@example.com\n")
    rows = [
        {"event_id": f"e-{i}", "email": "ana@example.com", "type": "email_sent",
         "occurred_at": f"2025-01-01T00:00:0{i}Z", "properties": {"campaign": "jan"}}
        for i in range(3)
    ]  # fmt: skip
    job = importer(principal, json.dumps(rows), entity="activities", file_format="json")
    assert job.created_count == 3
    rows[1]["properties"] = {"campaign": "feb"}
    job = importer(principal, "\n".join(json.dumps(r) for r in rows), entity="activities", file_format="json")
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    activity = db.scalar(select(Activity).where(Activity.org_id == org.id, Activity.external_id == "e-1"))
    assert activity is not None
    assert activity.properties == {"campaign": "feb"}


def test_json_array_and_json_lines(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    array = json.dumps([
        {"email": "a@example.com", "first_name": "A", "custom_fields": {"tier": 1}},
        {"email": "b@example.com", "phone": 4155550132, "consent": {"sms": "denied"}},
        {"email": "nope"},
    ])  # fmt: skip
    job = importer(principal, array, file_format="json")
    assert (job.created_count, job.error_count) == (2, 1)
    assert errors_by_row(db, principal, job)[3][0][0] == "email"
    lines = '{"email": "c@example.com"}\n\nnot json\n{"email": "a@example.com", "first_name": "Alice"}\n'
    job = importer(principal, lines, file_format="json", filename="more.jsonl")
    assert (job.created_count, job.updated_count, job.error_count) == (1, 1, 1)
    assert list(errors_by_row(db, principal, job)) == [3]
    contacts = {c.email: c for c in db.scalars(select(Contact).where(Contact.org_id == org.id))}
    assert contacts["a@example.com"].first_name == "Alice"
    assert contacts["a@example.com"].custom_fields == {"tier": 1}
    assert contacts["b@example.com"].phone == "+14155550132"
    assert contacts["b@example.com"].consent["sms"]["status"] == "denied"
