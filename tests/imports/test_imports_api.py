from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from leadpilot.auth.roles import Role
from tests.fixtures.factories import auth_headers, make_user

CONTACTS = "First Name,Last Name,E-mail,Phone Number\nJane,Doe,jane@example.com,4155550132\nBad,Row,nope,\n"


def _upload(client: TestClient, headers: dict[str, str], content: str | bytes, *, filename: str = "contacts.csv",
            **form: str) -> dict:  # fmt: skip
    data = {"entity": "contacts", **form}
    body = content.encode() if isinstance(content, str) else content
    response = client.post("/api/v1/imports", files={"file": (filename, body, "text/csv")}, data=data, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()


def test_upload_then_poll_until_completed(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    created = _upload(client, headers, CONTACTS)
    assert created["status"] == "queued"
    assert created["total_rows"] == 2
    assert created["mapping"] == {"First Name": "first_name", "Last Name": "last_name", "E-mail": "email",
                                  "Phone Number": "phone"}  # fmt: skip

    job = client.get(f"/api/v1/imports/{created['id']}", headers=headers).json()
    assert job["status"] == "completed"
    assert job["progress"] == 100.0
    assert (job["created_count"], job["error_count"], job["processed_rows"]) == (1, 1, 2)
    assert job["started_at"] is not None
    assert job["finished_at"] is not None

    listed = client.get("/api/v1/imports", headers=headers).json()["items"]
    assert [j["id"] for j in listed] == [created["id"]]

    errors = client.get(f"/api/v1/imports/{created['id']}/errors", headers=headers).json()
    assert errors["total"] == 1
    [error] = errors["items"]
    assert (error["row_number"], error["field"], error["column"]) == (3, "email", "E-mail")
    assert error["raw"] == {"First Name": "Bad", "Last Name": "Row", "E-mail": "nope", "Phone Number": ""}

    report = client.get(f"/api/v1/imports/{created['id']}/errors", params={"format": "csv"}, headers=headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert rows[0]["row_number"] == "3"
    assert rows[0]["E-mail"] == "nope"
    assert rows[0]["field"] == "email"

    found = client.get("/api/v1/contacts", params={"q": "jane"}, headers=headers).json()["items"]
    assert [c["email"] for c in found] == ["jane@example.com"]


def test_mapping_and_options_are_json_form_fields(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    job = _upload(
        client, headers, "Mail,Tel\nx@example.de,030 901820\n",
        mapping=json.dumps({"Mail": "email", "Tel": "phone"}), options=json.dumps({"phone_region": "DE"}),
    )  # fmt: skip
    contacts = client.get("/api/v1/contacts", headers=headers).json()["items"]
    assert [(c["email"], c["phone"]) for c in contacts] == [("x@example.de", "+4930901820")]
    assert job["options"]["phone_region"] == "DE"


@pytest.mark.parametrize(
    ("form", "content", "filename", "status", "detail"),
    [
        ({"entity": "unicorns"}, CONTACTS, "c.csv", 400, "Unknown entity"),
        ({"entity": "contacts"}, CONTACTS, "c.xlsx", 400, "file_format"),
        ({"entity": "contacts", "file_format": "xml"}, CONTACTS, "c", 400, "Unknown file_format"),
        ({"entity": "contacts"}, "", "c.csv", 400, "empty"),
        ({"entity": "contacts"}, "jane@example.com,Jane\njohn@example.com,John\n", "c.csv", 400, "header"),
        ({"entity": "contacts"}, "email\n", "c.csv", 400, "no rows"),
        ({"entity": "contacts"}, "Name,City\nJane,Paris\n", "c.csv", 400, "No column maps to email"),
        ({"entity": "contacts", "mapping": '{"Nope": "email"}'}, CONTACTS, "c.csv", 400, "not in the file"),
        ({"entity": "contacts", "mapping": '{"E-mail": "shoe_size"}'}, CONTACTS, "c.csv", 400, "not a field"),
        ({"entity": "contacts", "mapping": "{not json"}, CONTACTS, "c.csv", 400, "not valid JSON"),
        ({"entity": "contacts", "options": '{"phone_region": "XX"}'}, CONTACTS, "c.csv", 400, "phone region"),
        ({"entity": "contacts", "options": '{"colour": "red"}'}, CONTACTS, "c.csv", 400, "options.colour"),
        ({"entity": "contacts"}, "Email,E-mail\na@example.com,b@example.com\n", "c.csv", 400, "both map"),
        ({"entity": "contacts"}, '[{"email": "a@example.com"}, 3]', "c.json", 400, "not an object"),
        ({"entity": "contacts"}, '[{"email": "a@example.com"}', "c.json", 400, "not closed"),
    ],
)
def test_bad_uploads_are_a_clear_400(
    client: TestClient, org_a, form: dict, content: str, filename: str, status: int, detail: str
) -> None:
    _, owner = org_a
    response = client.post("/api/v1/imports", files={"file": (filename, content.encode(), "application/octet-stream")},
                           data=form, headers=auth_headers(owner))  # fmt: skip
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]
    assert client.get("/api/v1/imports", headers=auth_headers(owner)).json()["items"] == []


def test_upload_over_the_size_limit_is_413(client: TestClient, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    from leadpilot.config import get_settings

    _, owner = org_a
    monkeypatch.setattr(get_settings(), "import_max_bytes", 20)
    response = client.post("/api/v1/imports", files={"file": ("c.csv", CONTACTS.encode(), "text/csv")},
                           data={"entity": "contacts"}, headers=auth_headers(owner))  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


def test_encodings_latin1_and_utf8_with_bom(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    latin = "email,first_name\nrene@example.com,René\n".encode("latin-1")
    assert _upload(client, headers, latin)["options"]["encoding"] == "latin-1"
    bom = "\ufeffemail,first_name\nzoe@example.com,Zoë\n".encode()
    assert _upload(client, headers, bom)["options"]["encoding"] == "utf-8-sig"
    names = {c["email"]: c["first_name"] for c in client.get("/api/v1/contacts", headers=headers).json()["items"]}
    assert names == {"rene@example.com": "René", "zoe@example.com": "Zoë"}


def test_org_b_cannot_see_org_a_imports(client: TestClient, org_a, org_b) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    job = _upload(client, auth_headers(owner_a), CONTACTS)
    headers_b = auth_headers(owner_b)
    foreign = client.get(f"/api/v1/imports/{job['id']}", headers=headers_b)
    missing = client.get("/api/v1/imports/987654321", headers=headers_b)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == {"error": "ImportNotFound", "detail": "Import not found"}
    for path in (f"/api/v1/imports/{job['id']}/errors", f"/api/v1/imports/{job['id']}/errors?format=csv"):
        assert client.get(path, headers=headers_b).json() == missing.json()
    assert client.post(f"/api/v1/imports/{job['id']}/retry", headers=headers_b).status_code == 404
    assert client.get("/api/v1/imports", headers=headers_b).json()["items"] == []
    assert client.get("/api/v1/contacts", headers=headers_b).json()["items"] == []


def test_roles_without_import_permission_are_refused(client: TestClient, db, org_a) -> None:
    org, _ = org_a
    viewer = make_user(db, org, Role.viewer)
    db.commit()
    response = client.post("/api/v1/imports", files={"file": ("c.csv", CONTACTS.encode(), "text/csv")},
                           data={"entity": "contacts"}, headers=auth_headers(viewer))  # fmt: skip
    assert response.status_code == 403
    assert client.get("/api/v1/exports/contacts.csv", headers=auth_headers(viewer)).status_code == 403
    assert client.get("/api/v1/imports").status_code == 401
