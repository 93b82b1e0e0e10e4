from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures.factories import PASSWORD, auth_headers, make_user


def test_changing_a_password_ends_existing_sessions(client: TestClient, db, org_a) -> None:
    org, owner = org_a
    agent = make_user(db, org, role="agent")
    db.commit()
    old_headers = auth_headers(agent)
    assert client.get("/api/v1/auth/me", headers=old_headers).status_code == 200

    changed = client.patch(
        f"/api/v1/users/{agent.id}", json={"password": "a brand new passphrase"}, headers=auth_headers(owner)
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/auth/me", headers=old_headers).status_code == 401

    login = client.post("/api/v1/auth/login", json={"email": agent.email, "password": "a brand new passphrase"})
    assert login.status_code == 200
    fresh = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    assert client.post("/api/v1/auth/login", json={"email": agent.email, "password": PASSWORD}).status_code == 401
