from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from tests.fixtures.factories import PASSWORD, auth_headers, make_user

AUDIT = "/api/v1/audit-events"


def test_writes_and_logins_are_audited_and_listed_newest_first(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = {**auth_headers(owner), "X-Request-ID": "req-audit-1"}
    contact = client.post("/api/v1/contacts", json={"email": "jane@example.com"}, headers=headers).json()
    user = client.post("/api/v1/users", json={"email": "agent@example.com", "name": "Agent", "password": PASSWORD},
                       headers=headers).json()  # fmt: skip
    key = client.post("/api/v1/api-keys", json={"name": "zap"}, headers=headers).json()
    client.post("/api/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    client.post("/api/v1/auth/login", json={"email": owner.email, "password": "wrong password"})
    client.patch(f"/api/v1/contacts/{contact['id']}", json={"title": "CFO"}, headers={"X-API-Key": key["key"]})

    page = client.get(AUDIT, headers=auth_headers(owner))
    assert page.status_code == 200
    events = page.json()["items"]
    assert [e["action"] for e in events] == [
        "contact.updated", "auth.login_failed", "auth.login", "api_key.created", "user.created", "contact.created",
        "org.created",
    ]  # fmt: skip
    by_action = {e["action"]: e for e in events}
    assert by_action["contact.created"]["entity_id"] == contact["id"]
    assert by_action["contact.created"]["actor_user_id"] == owner.id
    assert by_action["contact.created"]["request_id"] == "req-audit-1"
    assert by_action["contact.created"]["ip"] == "testclient"
    assert by_action["user.created"]["entity_id"] == user["id"]
    assert by_action["contact.updated"]["actor_api_key_id"] == key["id"]
    assert by_action["contact.updated"]["actor_user_id"] is None
    assert by_action["auth.login_failed"]["data"]["reason"] == "bad_password"
    assert key["key"] not in page.text, "the audit log never holds a secret"


def test_the_audit_log_filters_and_pages(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    ids = [client.post("/api/v1/contacts", json={"last_name": f"N{i}"}, headers=headers).json()["id"] for i in range(5)]

    only = client.get(AUDIT, params={"entity_type": "contact", "entity_id": ids[2]}, headers=headers).json()["items"]
    assert [(e["action"], e["entity_id"]) for e in only] == [("contact.created", ids[2])]
    prefixed = client.get(AUDIT, params={"action": "contact.*"}, headers=headers).json()["items"]
    assert len(prefixed) == 5
    assert client.get(AUDIT, params={"action": "contact"}, headers=headers).json()["items"] == []

    seen, cursor = [], None
    while True:
        params = {"limit": 2, "action": "contact.created", **({"cursor": cursor} if cursor else {})}
        page = client.get(AUDIT, params=params, headers=headers).json()
        seen += [e["entity_id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert client.get(AUDIT, params={"cursor": "garbage!"}, headers=headers).status_code == 400


def test_the_audit_log_is_for_admins_of_the_same_org(client: TestClient, db: Session, org_a, org_b) -> None:
    org, owner_a = org_a
    _, owner_b = org_b
    client.post("/api/v1/contacts", json={"email": "a@example.com"}, headers=auth_headers(owner_a))
    manager = make_user(db, org, Role.manager)
    admin = make_user(db, org, Role.admin)
    db.commit()
    assert client.get(AUDIT, headers=auth_headers(manager)).status_code == 403
    assert client.get(AUDIT, headers=auth_headers(admin)).status_code == 200
    actions_b = [e["action"] for e in client.get(AUDIT, headers=auth_headers(owner_b)).json()["items"]]
    assert actions_b == ["org.created"]
