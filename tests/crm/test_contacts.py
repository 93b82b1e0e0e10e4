from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures.factories import auth_headers


def test_create_read_update_delete_contact(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    created = client.post(
        "/api/v1/contacts",
        json={"first_name": "Jane", "last_name": "Doe", "email": "Jane.Doe@Example.com", "phone": "(415) 555-0132",
              "timezone": "America/Los_Angeles", "consent": {"email": {"status": "granted", "source": "form"}}},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "jane.doe@example.com"
    assert body["phone"] == "+14155550132"
    assert body["consent"]["email"]["status"] == "granted"

    got = client.get(f"/api/v1/contacts/{body['id']}", headers=headers)
    assert got.json()["emails"] == ["jane.doe@example.com"]

    patched = client.patch(f"/api/v1/contacts/{body['id']}", json={"title": "VP Finance"}, headers=headers)
    assert patched.status_code == 200
    assert patched.json()["title"] == "VP Finance"
    assert patched.json()["email"] == "jane.doe@example.com"

    found = client.get("/api/v1/contacts", params={"q": "jan"}, headers=headers).json()
    assert [c["id"] for c in found["items"]] == [body["id"]]
    assert client.get("/api/v1/contacts", params={"q": "4155550132"}, headers=headers).json()["items"]

    assert client.delete(f"/api/v1/contacts/{body['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/contacts/{body['id']}", headers=headers).status_code == 404


def test_duplicate_email_is_a_conflict(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    first = client.post("/api/v1/contacts", json={"email": "a@example.com"}, headers=headers)
    second = client.post("/api/v1/contacts", json={"email": "A@example.com"}, headers=headers)
    assert second.status_code == 409
    assert second.json()["error"] == "Conflict"
    assert second.json()["existing_id"] == first.json()["id"]


def test_bad_input_is_a_clear_4xx(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    bad_email = client.post("/api/v1/contacts", json={"email": "not-an-email"}, headers=headers)
    assert bad_email.status_code == 422
    assert bad_email.json()["error"] == "ValidationError"
    bad_phone = client.post("/api/v1/contacts", json={"phone": "12"}, headers=headers)
    assert bad_phone.status_code == 400
    assert bad_phone.json()["field"] == "phone"
    bad_tz = client.post("/api/v1/contacts", json={"timezone": "Mars/Olympus"}, headers=headers)
    assert bad_tz.status_code == 422
    bad_cursor = client.get("/api/v1/contacts", params={"cursor": "%%%"}, headers=headers)
    assert bad_cursor.status_code == 400
    assert client.get("/api/v1/contacts", headers=headers).json()["items"] == []


def test_cursor_pagination_walks_every_row_once(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    ids = {client.post("/api/v1/contacts", json={"last_name": f"N{i:02d}"}, headers=headers).json()["id"]
           for i in range(7)}  # fmt: skip
    for sort in ("created_at", "last_name", "id"):
        seen: list[int] = []
        cursor = None
        while True:
            params = {"limit": 3, "sort": sort, "order": "asc"}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/api/v1/contacts", params=params, headers=headers).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(ids)
        assert len(seen) == len(ids)


def test_unauthenticated_requests_are_401(client: TestClient) -> None:
    response = client.get("/api/v1/contacts")
    assert response.status_code == 401
    assert response.json() == {"error": "NotAuthenticated", "detail": "Missing or invalid credentials"}
