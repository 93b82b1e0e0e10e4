from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.config import get_settings
from tests.fixtures.factories import PASSWORD, make_user

LOGIN = "/api/v1/auth/login"


def test_login_returns_a_token_that_authenticates(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    response = client.post(LOGIN, json={"email": f"  {owner.email.upper()} ", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().access_token_minutes * 60

    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert (me.json()["user"]["id"], me.json()["org"]["id"], me.json()["role"]) == (owner.id, org.id, "owner")
    assert me.json()["user"]["last_login_at"] is not None

    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert (event.org_id, event.actor_user_id, event.entity_id, event.ip) == (org.id, owner.id, owner.id, "testclient")


def test_unknown_email_wrong_password_and_inactive_user_get_the_same_answer(
    client: TestClient, db: Session, org_a
) -> None:
    org, owner = org_a
    inactive = make_user(db, org, is_active=False)
    db.commit()

    answers = [
        client.post(LOGIN, json={"email": "nobody@example.com", "password": PASSWORD}),
        client.post(LOGIN, json={"email": owner.email, "password": "not the password"}),
        client.post(LOGIN, json={"email": inactive.email, "password": PASSWORD}),
    ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert all(a.json() == {"error": "NotAuthenticated", "detail": "Wrong email or password"} for a in answers)

    # The failed request rolls back, but its audit row is kept, with the reason only the log knows.
    failures = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed").order_by(AuditEvent.id))
    assert [(e.org_id, e.entity_id, e.data["reason"]) for e in failures] == [
        (None, None, "unknown_email"),
        (org.id, owner.id, "bad_password"),
        (org.id, inactive.id, "inactive"),
    ]


@pytest.mark.usefixtures("frozen_rate_limit_clock")
def test_login_is_rate_limited_with_retry_after(client: TestClient, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    _, owner = org_a
    limit = 3  # each failed attempt costs a full password hash; the default (10) only makes the test slower
    monkeypatch.setattr(get_settings(), "login_rate_limit", limit)
    for _ in range(limit):
        assert client.post(LOGIN, json={"email": owner.email, "password": "guess"}).status_code == 401

    blocked = client.post(LOGIN, json={"email": owner.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "RateLimited"
    retry_after = int(blocked.headers["Retry-After"])
    assert 1 <= retry_after <= get_settings().login_rate_window_seconds
    assert blocked.json()["retry_after"] == retry_after


def test_the_login_payload_is_validated(client: TestClient) -> None:
    response = client.post(LOGIN, json={"email": "a@example.com"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("password")
