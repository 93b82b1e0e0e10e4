from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.crm.models import Company, Contact, ContactIdentity
from leadpilot.crm.search import matches
from leadpilot.imports.service import ImportService
from tests.fixtures.factories import principal_for
from tests.imports.conftest import Importer, errors_by_row

MIXED = """First Name,Last Name,E-mail,Phone Number,Company,Time Zone,Lifecycle,External ID
Jane,Doe,Jane.Doe@Example.com,(415) 555-0132,Acme,America/Los_Angeles,customer,crm-1
John,Roe,john@example.com,,Acme,,,crm-2
Bad,Email,not-an-email,,,,,
Bad,Phone,badphone@example.com,12,,,,
Bad,Zone,zone@example.com,,,Mars/Olympus,,
No,Identifier,,,,,,
Dup,Licate,JANE.DOE@example.com,,,,,
Bad,Stage,stage@example.com,,,,emperor,
Ann,Lee,ann@example.org,+44 20 7946 0958,Globex,Europe/London,lead,
"""


def _contacts(db: Session, org_id: int) -> dict[str | None, Contact]:
    return {c.email: c for c in db.scalars(select(Contact).where(Contact.org_id == org_id))}


def test_good_rows_are_imported_once_and_bad_rows_are_reported(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    job = importer(principal, MIXED)

    assert job.status == "completed", job.failure
    assert (job.total_rows, job.processed_rows) == (9, 9)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (3, 0, 0, 6)
    assert job.progress == 100.0
    errors = errors_by_row(db, principal, job)
    assert sorted(errors) == [4, 5, 6, 7, 8, 9]
    assert errors[4][0][0] == "email"
    assert errors[5] == [("phone", "not a valid phone number for region US: '12'")]
    assert errors[6][0][0] == "timezone"
    assert errors[7][0][0] == "email"
    assert "needs an email" in errors[7][0][1]
    assert errors[8][0] == ("email", "duplicate of row 2 of this file")
    assert errors[9][0][0] == "lifecycle_stage"

    contacts = _contacts(db, org.id)
    assert set(contacts) == {"jane.doe@example.com", "john@example.com", "ann@example.org"}
    jane = contacts["jane.doe@example.com"]
    assert (jane.first_name, jane.phone, jane.timezone) == ("Jane", "+14155550132", "America/Los_Angeles")
    assert jane.lifecycle_stage == "customer"
    assert contacts["ann@example.org"].phone == "+442079460958"
    assert contacts["john@example.com"].lifecycle_stage == "lead"
    companies = {c.name: c.id for c in db.scalars(select(Company).where(Company.org_id == org.id))}
    assert set(companies) == {"Acme", "Globex"}
    assert jane.company_id == contacts["john@example.com"].company_id == companies["Acme"]
    identities = set(
        db.execute(
            select(ContactIdentity.kind, ContactIdentity.value).where(ContactIdentity.contact_id == jane.id)
        ).all()
    )
    assert identities == {("email", "jane.doe@example.com"), ("phone", "+14155550132"), ("external", "crm-1")}
    error = next(e for e in ImportService(db, principal).errors(job.id) if e.row_number == 5)
    assert error.column == "Phone Number"
    assert error.raw["E-mail"] == "badphone@example.com"


def test_reimport_changes_nothing_and_a_changed_row_updates(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, MIXED)
    count = db.scalar(select(func.count()).select_from(Contact).where(Contact.org_id == org.id))

    again = importer(principal, MIXED)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.error_count) == (0, 0, 3, 6)
    assert db.scalar(select(func.count()).select_from(Contact).where(Contact.org_id == org.id)) == count

    changed = MIXED.replace("John,Roe,john@example.com,,Acme,,,crm-2", "Johnny,Roe,john@example.com,,Acme,,,crm-2")
    third = importer(principal, changed)
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 2)
    john = _contacts(db, org.id)["john@example.com"]
    assert john.first_name == "Johnny"
    assert "johnny" in john.search_text.split()


def test_a_new_email_for_a_known_contact_becomes_primary(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, "external_id,email,phone\nx-1,old@example.com,+14155550132\n")
    job = importer(principal, "external_id,email\nx-1,new@example.com\n")
    assert (job.updated_count, job.created_count) == (1, 0)
    contact = db.scalar(select(Contact).where(Contact.org_id == org.id))
    assert contact is not None
    assert (contact.email, contact.phone) == ("new@example.com", "+14155550132")
    rows = db.execute(
        select(ContactIdentity.value, ContactIdentity.is_primary)
        .where(ContactIdentity.contact_id == contact.id, ContactIdentity.kind == "email")
        .order_by(ContactIdentity.value)
    ).all()
    assert [tuple(r) for r in rows] == [("new@example.com", True), ("old@example.com", False)]
    assert "old" in contact.search_text.split()
    assert "new" in contact.search_text.split()


def test_conflicting_identities_are_reported_not_merged(db: Session, org_a, importer: Importer) -> None:
    _, owner = org_a
    principal = principal_for(owner)
    importer(principal, "email,phone\na@example.com,+14155550132\nb@example.com,+14155550133\n")
    job = importer(principal, "email,phone\na@example.com,+14155550133\n")
    assert job.error_count == 1
    [(field, message)] = errors_by_row(db, principal, job)[2]
    assert field == "phone"
    assert "belongs to another contact" in message


def test_explicit_mapping_options_and_custom_fields(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    content = "Mail;Tel;Vorname;Plan;Newsletter\nklaus@example.de;030 901820;Klaus;gold;yes\n"
    job = importer(
        principal, content,
        mapping={"Mail": "email", "Tel": "phone", "Plan": "custom.plan", "Newsletter": "consent.email"},
        options={"phone_region": "DE"},
    )  # fmt: skip
    assert job.status == "completed", job.failure
    assert job.mapping["Vorname"] == "first_name"
    assert job.options["delimiter"] == ";"
    contact = _contacts(db, org.id)["klaus@example.de"]
    assert contact.phone == "+4930901820"
    assert contact.first_name == "Klaus"
    assert contact.custom_fields == {"plan": "gold"}
    assert contact.consent["email"]["status"] == "granted"


def test_imported_contacts_are_found_by_full_text_search(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    importer(principal_for(owner), MIXED)
    dialect = db.get_bind().dialect.name
    for query in ("jan doe", "4155550132", "example org"):
        clause = matches(Contact, query, dialect=dialect)
        found = db.scalars(select(Contact.email).where(Contact.org_id == org.id, clause)).all()
        assert found, query


def test_chunks_commit_separately_and_duplicates_across_chunks_are_found(
    db: Session, org_a, importer: Importer
) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    rows = "".join(f"person{i}@example.com,Person {i}\n" for i in range(7))
    job = importer(principal, "email,name\n" + rows + "person1@example.com,Again\n", options={"chunk_size": 2})
    assert (job.created_count, job.error_count) == (7, 1)
    assert errors_by_row(db, principal, job)[9] == [("email", "duplicate of row 3: the same contact")]
    people = _contacts(db, org.id)
    assert people["person3@example.com"].first_name == "Person"
    assert people["person3@example.com"].last_name == "3"


def test_other_emails_and_phones_become_identities(db: Session, org_a, importer: Importer) -> None:
    org, owner = org_a
    principal = principal_for(owner)
    importer(principal, 'email,other_emails,phone\nmain@example.com,"alt@example.com;alt2@example.com",4155550132\n')
    job = importer(principal, "email\nalt2@example.com\n")
    assert (job.created_count, job.updated_count) == (0, 1)
    contact = db.scalar(select(Contact).where(Contact.org_id == org.id))
    assert contact is not None
    assert contact.email == "alt2@example.com"
