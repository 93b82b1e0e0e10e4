from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.imports.exports import cell
from tests.fixtures.factories import auth_headers, principal_for
from tests.imports.conftest import Importer

CONTACTS = (
    "email,other_emails,phone,first_name,last_name,title,company,company_domain,timezone,lifecycle_stage,"
    "custom.plan,consent.email,opted_out\n"
    "jane@example.com,jane.doe@example.org,4155550132,Jane,Doe,CFO,Acme,acme.com,Europe/Paris,customer,gold,"
    "granted,sms\n"
    'john@example.com,,,John,"Roe, Jr.",=HYPERLINK("x"),Initech,,,lead,,denied,\n'
    ",,+14155550133,Phone,Only,,,,,subscriber,,,\n"
)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _without_ids(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")} for row in rows]


def test_export_then_import_into_a_fresh_org_gives_the_same_contacts(
    client: TestClient, org_a, org_b, importer: Importer
) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    first = importer(principal_for(owner_a), CONTACTS)
    assert (first.created_count, first.error_count) == (3, 0)

    exported = client.get("/api/v1/exports/contacts.csv", headers=auth_headers(owner_a))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = _rows(exported.text)
    assert len(rows) == 3
    jane = next(r for r in rows if r["email"] == "jane@example.com")
    assert (jane["other_emails"], jane["phone"], jane["company_name"], jane["custom.plan"]) == (
        "jane.doe@example.org", "+14155550132", "Acme", "gold")  # fmt: skip
    assert (jane["consent.email"], jane["opted_out"], jane["company_domain"]) == ("granted", "sms", "acme.com")
    john = next(r for r in rows if r["email"] == "john@example.com")
    assert john["title"] == '\'=HYPERLINK("x")'

    created = client.post(
        "/api/v1/imports", files={"file": ("contacts.csv", exported.content, "text/csv")},
        data={"entity": "contacts"}, headers=auth_headers(owner_b),
    )  # fmt: skip
    assert created.status_code == 202, created.text
    job = client.get(f"/api/v1/imports/{created.json()['id']}", headers=auth_headers(owner_b)).json()
    assert (job["status"], job["created_count"], job["error_count"]) == ("completed", 3, 0)

    again = _rows(client.get("/api/v1/exports/contacts.csv", headers=auth_headers(owner_b)).text)
    key = lambda row: row["email"] or row["phone"]  # noqa: E731
    assert sorted(_without_ids(again), key=key) == sorted(_without_ids(rows), key=key)
    assert next(r for r in again if r["email"] == "john@example.com")["title"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("entity", ["companies", "leads", "deals", "activities"])
def test_every_entity_exports_in_columns_the_importer_reads_back(
    client: TestClient, db: Session, org_a, importer: Importer, entity: str
) -> None:
    _, owner = org_a
    principal = principal_for(owner)
    importer(principal, "email,phone,external_id\nana@example.com,4155550132,c-1\n")
    importer(principal, "name,domain,employees,revenue\nAcme,acme.com,10,EUR 1000\n", entity="companies")
    importer(principal, "external_id,email,company,stage,budget\nL-1,ana@example.com,Acme,qualified,$500\n",
             entity="leads")  # fmt: skip
    importer(principal, "name,email,company,amount,stage,lead_external_id,close_date\n"
                        "Deal,ana@example.com,Acme,1200,proposal,L-1,2025-12-31\n", entity="deals")  # fmt: skip
    importer(principal, "email,type,occurred_at,amount,properties.page\n"
                        "ana@example.com,purchase,2025-01-02T03:04:05Z,9.99,/pricing\n"
                        "ana@example.com,web_visit,2025-01-02T03:05:05Z,,/home\n", entity="activities")  # fmt: skip
    exported = client.get(f"/api/v1/exports/{entity}.csv", headers=auth_headers(owner))
    assert exported.status_code == 200
    rows = _rows(exported.text)
    assert rows
    job = importer(principal, exported.text, entity=entity)
    assert job.status == "completed", job.failure
    assert (job.created_count, job.updated_count, job.error_count) == (0, 0, 0)
    assert job.unchanged_count == len(rows)


def test_export_filters_and_bad_entity(client: TestClient, org_a, importer: Importer) -> None:
    _, owner = org_a
    importer(principal_for(owner), "email\na@example.com\n")
    headers = auth_headers(owner)
    none = client.get("/api/v1/exports/contacts.csv", params={"created_after": "2999-01-01T00:00:00Z"},
                      headers=headers)  # fmt: skip
    assert _rows(none.text) == []
    assert none.text.startswith("external_id,email,")
    bad = client.get("/api/v1/exports/unicorns.csv", headers=headers)
    assert bad.status_code == 400
    assert "Unknown entity" in bad.json()["detail"]


def test_export_is_tenant_scoped(client: TestClient, org_a, org_b, importer: Importer) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    importer(principal_for(owner_a), "email\nsecret@example.com\n")
    text = client.get("/api/v1/exports/contacts.csv", headers=auth_headers(owner_b)).text
    assert "secret@example.com" not in text
    assert _rows(text) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("+14155550132", "+14155550132"), ("-12.5", "-12.5"),
     ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"), ("plain", "plain"), (None, "")],
)  # fmt: skip
def test_formula_like_cells_are_escaped(value: str | None, expected: str) -> None:
    assert cell(value) == expected
