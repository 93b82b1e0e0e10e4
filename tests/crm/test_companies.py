from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.crm.models import Company
from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/companies"


def test_create_read_update_delete_company(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    body = post(
        client,
        URL,
        {
            "name": "Acme Corp",
            "domain": "https://www.Acme.com/about",
            "industry": "Software",
            "employee_count": 120,
            "annual_revenue": "1250000.5",
            "currency": "usd",
            "country": "de",
            "owner_id": owner.id,
        },
        headers,
    )
    assert body["domain"] == "acme.com"
    assert body["annual_revenue"] == "1250000.50"
    assert body["currency"] == "USD"
    assert body["country"] == "DE"

    got = client.get(f"{URL}/{body['id']}", headers=headers).json()
    assert got == body

    patched = client.patch(f"{URL}/{body['id']}", json={"city": "Berlin", "employee_count": None}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["city"] == "Berlin"
    assert patched.json()["employee_count"] is None
    assert patched.json()["name"] == "Acme Corp"
    assert patched.json()["updated_at"] >= body["updated_at"]

    assert ids(client.get(URL, params={"q": "acm"}, headers=headers).json()["items"]) == [body["id"]]
    assert ids(client.get(URL, params={"q": "berlin"}, headers=headers).json()["items"]) == [body["id"]]

    assert client.delete(f"{URL}/{body['id']}", headers=headers).status_code == 204
    missing = client.get(f"{URL}/{body['id']}", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {"error": "CompanyNotFound", "detail": "Company not found"}
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "company")).all()
    assert sorted(actions) == ["company.created", "company.deleted", "company.updated"]
    assert db.scalar(select(Company).where(Company.id == body["id"])) is None


def test_domain_and_external_id_are_unique_per_org(client: TestClient, org_a, org_b) -> None:
    headers = auth_headers(org_a[1])
    first = post(client, URL, {"name": "Acme", "domain": "acme.com", "external_id": "crm-1"}, headers)
    dup_domain = client.post(URL, json={"name": "Acme 2", "domain": "WWW.ACME.COM"}, headers=headers)
    assert dup_domain.status_code == 409
    assert dup_domain.json()["existing_id"] == first["id"]
    assert dup_domain.json()["field"] == "domain"
    dup_external = client.post(URL, json={"name": "Other", "external_id": "crm-1"}, headers=headers)
    assert dup_external.status_code == 409
    second = post(client, URL, {"name": "Beta", "domain": "beta.io"}, headers)
    clash = client.patch(f"{URL}/{second['id']}", json={"domain": "acme.com"}, headers=headers)
    assert clash.status_code == 409
    # Another org may use the same domain.
    post(client, URL, {"name": "Acme elsewhere", "domain": "acme.com"}, auth_headers(org_b[1]))


def test_filters(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    small = post(client, URL, {"name": "Small", "industry": "Retail", "employee_count": 5, "country": "FR"}, headers)
    big = post(
        client, URL, {"name": "Big", "industry": "Retail", "employee_count": 5000, "owner_id": owner.id}, headers
    )
    other = post(client, URL, {"name": "Other", "industry": "Energy", "domain": "other.org"}, headers)

    def found(**params: object) -> set[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return set(ids(response.json()["items"]))

    assert found(industry="Retail") == {small["id"], big["id"]}
    assert found(min_employees=100) == {big["id"]}
    assert found(max_employees=100) == {small["id"]}
    assert found(country="fr") == {small["id"]}
    assert found(owner_id=owner.id) == {big["id"]}
    assert found(domain="https://other.org") == {other["id"]}
    assert found(created_after="2000-01-01T00:00:00Z") == {small["id"], big["id"], other["id"]}
    assert found(created_before="2000-01-01T00:00:00Z") == set()


def test_sort_and_pagination_walk_every_row_once(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    created = [
        post(
            client,
            URL,
            {
                "name": f"C{i:02d}",
                "employee_count": i % 3 if i % 4 else None,
                "annual_revenue": str(100 * (i % 2)) if i % 5 else None,
            },
            headers,
        )["id"]
        for i in range(9)
    ]
    for sort in ("created_at", "updated_at", "name", "employee_count", "annual_revenue", "id"):
        for order in ("asc", "desc"):
            seen = ids(walk(client, URL, headers, sort=sort, order=order, limit=2))
            assert sorted(seen) == sorted(created), (sort, order)
    by_name = ids(walk(client, URL, headers, sort="name", order="asc", limit=4))
    assert by_name == created
    by_employees = walk(client, URL, headers, sort="employee_count", order="desc", limit=2)
    counts = [c["employee_count"] for c in by_employees]
    non_null = [c for c in counts if c is not None]
    assert non_null == sorted(non_null, reverse=True)
    assert counts[len(non_null) :] == [None] * (len(counts) - len(non_null))


def test_bad_input_is_a_clear_4xx(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    cases = [
        ({}, 422, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "X", "domain": "not a domain"}, 422, "domain"),
        ({"name": "X", "annual_revenue": "12.345"}, 422, "annual_revenue"),
        ({"name": "X", "annual_revenue": -1}, 422, "annual_revenue"),
        ({"name": "X", "currency": "XXX"}, 422, "currency"),
        ({"name": "X", "timezone": "Mars/Base"}, 422, "timezone"),
        ({"name": "X", "unknown_field": 1}, 422, "unknown_field"),
        ({"name": "X", "owner_id": 987654321}, 400, "owner_id"),
    ]
    for payload, status, field in cases:
        response = client.post(URL, json=payload, headers=headers)
        assert response.status_code == status, (payload, response.text)
        assert field in response.text, (payload, response.text)
    created = post(client, URL, {"name": "X"}, headers)
    null_name = client.patch(f"{URL}/{created['id']}", json={"name": None}, headers=headers)
    assert null_name.status_code == 422
    assert "name cannot be null" in null_name.json()["detail"]
    assert client.get(URL, params={"sort": "password"}, headers=headers).status_code == 422
    assert client.get(URL, params={"cursor": "garbage!"}, headers=headers).status_code == 400
    naive = client.get(URL, params={"created_after": "2024-01-01T00:00:00"}, headers=headers)
    assert naive.status_code == 422
    assert "time zone" in naive.json()["detail"]
    assert client.get(f"{URL}/not-a-number", headers=headers).status_code == 422
    assert [c["name"] for c in client.get(URL, headers=headers).json()["items"]] == ["X"]


def test_viewer_can_read_but_not_write(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    viewer = make_user(db, org, role="viewer")
    agent = make_user(db, org, role="agent")
    db.commit()
    created = post(client, URL, {"name": "Acme"}, auth_headers(owner))
    viewer_headers = auth_headers(viewer)
    assert client.get(f"{URL}/{created['id']}", headers=viewer_headers).status_code == 200
    assert client.get(URL, headers=viewer_headers).status_code == 200
    denied = client.post(URL, json={"name": "Nope"}, headers=viewer_headers)
    assert denied.status_code == 403
    assert denied.json()["error"] == "PermissionDenied"
    assert client.patch(f"{URL}/{created['id']}", json={"name": "Y"}, headers=viewer_headers).status_code == 403
    assert client.delete(f"{URL}/{created['id']}", headers=viewer_headers).status_code == 403
    # Agents write but do not delete.
    assert client.patch(f"{URL}/{created['id']}", json={"name": "Y"}, headers=auth_headers(agent)).status_code == 200
    assert client.delete(f"{URL}/{created['id']}", headers=auth_headers(agent)).status_code == 403
    assert client.get(f"{URL}/{created['id']}", headers=viewer_headers).json()["name"] == "Y"
