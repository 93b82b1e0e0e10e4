from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.config import get_settings
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import ApiKey
from tests.fixtures.factories import auth_headers, make_user

KEYS = "/api/v1/api-keys"


def create_key(client: TestClient, headers: dict[str, str], **body: object) -> dict:
    response = client.post(KEYS, json={"name": "integration", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_key_is_shown_once_and_only_its_hash_is_stored(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    created = create_key(client, headers, role="agent")
    key = created["key"]
    assert key.startswith("lp_")
    secret_part = key.split("_", 2)[2]

    listed = client.get(KEYS, headers=headers).json()
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0]

    row = db.get(ApiKey, created["id"])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = db.execute(text("SELECT * FROM api_keys WHERE id = :id"), {"id": created["id"]}).one()
    for value in stored:
        assert key not in str(value)
        assert secret_part not in str(value)

    for auth in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        me = client.get("/api/v1/auth/me", headers=auth)
        assert me.status_code == 200
        assert (me.json()["role"], me.json()["user"]) == ("agent", None)


def test_revoked_expired_and_forged_keys_are_rejected(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    revoked = create_key(client, headers)
    expiring = create_key(client, headers, expires_at=(utcnow() + timedelta(days=1)).isoformat())
    assert client.get("/api/v1/contacts", headers={"X-API-Key": expiring["key"]}).status_code == 200

    assert client.delete(f"{KEYS}/{revoked['id']}", headers=headers).json()["revoked_at"] is not None
    db.get(ApiKey, expiring["id"]).expires_at = utcnow() - timedelta(seconds=1)
    db.commit()

    prefix = revoked["key"].split("_")[1]
    for key in (revoked["key"], expiring["key"], f"lp_{prefix}_forged-secret", "lp_nope", "not-a-key"):
        response = client.get("/api/v1/contacts", headers={"X-API-Key": key})
        assert response.status_code == 401, key
        assert response.json()["error"] == "NotAuthenticated"


def test_key_expiry_must_be_a_future_time_with_a_zone(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    past = client.post(KEYS, json={"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, headers=headers)
    assert past.status_code == 400
    assert past.json()["field"] == "expires_at"
    naive = client.post(KEYS, json={"name": "x", "expires_at": "2099-01-01T00:00:00"}, headers=headers)
    assert naive.status_code == 422
    assert naive.json()["detail"].startswith("expires_at")


def test_a_key_cannot_outrank_its_creator_and_agents_cannot_create_keys(client: TestClient, db: Session, org_a) -> None:
    org, _ = org_a
    admin = make_user(db, org, Role.admin)
    agent = make_user(db, org, Role.agent)
    db.commit()
    assert client.post(KEYS, json={"name": "x", "role": "owner"}, headers=auth_headers(admin)).status_code == 403
    assert client.post(KEYS, json={"name": "x", "role": "admin"}, headers=auth_headers(admin)).status_code == 201
    assert client.post(KEYS, json={"name": "x"}, headers=auth_headers(agent)).status_code == 403
    assert client.get(KEYS, headers=auth_headers(agent)).status_code == 403


def test_another_orgs_key_cannot_be_revoked(client: TestClient, org_a, org_b) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    key = create_key(client, auth_headers(owner_a))
    response = client.delete(f"{KEYS}/{key['id']}", headers=auth_headers(owner_b))
    assert response.status_code == 404
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": key["key"]}).status_code == 200


@pytest.mark.usefixtures("frozen_rate_limit_clock")
def test_api_keys_are_rate_limited(client: TestClient, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    _, owner = org_a
    key = create_key(client, auth_headers(owner))["key"]
    monkeypatch.setattr(get_settings(), "api_key_rate_limit", 3)
    statuses = [client.get("/api/v1/contacts", headers={"X-API-Key": key}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    blocked = client.get("/api/v1/contacts", headers={"X-API-Key": key})
    assert 1 <= int(blocked.headers["Retry-After"]) <= get_settings().api_key_rate_window_seconds
    # Another key has its own budget.
    other = create_key(client, auth_headers(owner))["key"]
    assert client.get("/api/v1/contacts", headers={"X-API-Key": other}).status_code == 200
