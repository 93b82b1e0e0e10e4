from __future__ import annotations

from fastapi.testclient import TestClient

from leadpilot.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from leadpilot.auth.security import create_access_token, csrf_token_for
from tests.fixtures.factories import auth_headers


def test_cookie_sessions_need_the_csrf_header_on_unsafe_methods(client: TestClient, org_a) -> None:
    _, owner = org_a
    token = create_access_token(user_id=owner.id, org_id=owner.org_id)
    client.cookies.set(SESSION_COOKIE, token)
    try:
        assert client.get("/api/v1/contacts").status_code == 200, "safe methods need no token"

        missing = client.post("/api/v1/contacts", json={"email": "a@example.com"})
        assert missing.status_code == 403
        assert missing.json() == {"error": "PermissionDenied", "detail": "Missing or invalid CSRF token"}
        wrong = client.post("/api/v1/contacts", json={"email": "a@example.com"}, headers={CSRF_HEADER: "0" * 32})
        assert wrong.status_code == 403
        other_session = csrf_token_for(create_access_token(user_id=owner.id, org_id=owner.org_id))
        assert client.post("/api/v1/contacts", json={"email": "a@example.com"},
                           headers={CSRF_HEADER: other_session}).status_code == 403  # fmt: skip
        assert client.get("/api/v1/contacts").json()["items"] == [], "refused requests change nothing"

        accepted = client.post("/api/v1/contacts", json={"email": "a@example.com"},
                               headers={CSRF_HEADER: csrf_token_for(token)})  # fmt: skip
        assert accepted.status_code == 201
        deleted = client.delete(f"/api/v1/contacts/{accepted.json()['id']}")
        assert deleted.status_code == 403
    finally:
        client.cookies.clear()


def test_bearer_tokens_need_no_csrf_token(client: TestClient, org_a) -> None:
    _, owner = org_a
    response = client.post("/api/v1/contacts", json={"email": "b@example.com"}, headers=auth_headers(owner))
    assert response.status_code == 201
