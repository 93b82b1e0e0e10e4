"""``/api/v1/webhooks``: CRUD, test pings and redeliveries to a real local receiver, permissions and tenancy."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.auth.roles import Role
from leadpilot.config import get_settings
from leadpilot.webhooks.models import WebhookEndpoint
from leadpilot.webhooks.service import verify_signature
from tests.fixtures.factories import auth_headers, make_user
from tests.webhooks.conftest import Receiver


def create_endpoint(client: TestClient, headers: dict[str, str], url: str, **body: object) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_endpoint_crud_shows_the_secret_only_on_create(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    url = "https://hooks.example.com/leadpilot"
    created = create_endpoint(client, headers, url, events=["contact.*", "deal.created"], description="CRM sync")
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["contact.*", "deal.created"]
    assert created["is_active"] is True

    got = client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).json()
    assert "secret" not in got
    listed = client.get("/api/v1/webhooks", headers=headers).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]

    patched = client.patch(f"/api/v1/webhooks/{created['id']}", json={"events": ["*"], "is_active": False},
                           headers=headers)  # fmt: skip
    assert patched.status_code == 200
    assert (patched.json()["events"], patched.json()["is_active"]) == (["*"], False)

    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.org_id == org.id, AuditEvent.entity_type ==
                                                          "webhook_endpoint")).all()  # fmt: skip
    assert set(actions) == {"webhook.created", "webhook.updated"}
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.created"))
    assert created["secret"] not in json.dumps(audit.data)

    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "example.com/hook"}, "url"),
        ({"url": "http://"}, "url"),
        ({"url": "https://example.com:99999/"}, "url"),
        ({"url": "https://example.com/hook", "events": ["contact.creatd"]}, "events"),
        ({"url": "https://example.com/hook", "events": ["spaceship.*"]}, "events"),
        ({"url": "https://example.com/hook", "events": []}, "events"),
        ({"url": "https://example.com/hook", "secret": "mine"}, "secret"),
    ],
)
def test_bad_endpoints_are_refused_with_a_clear_message(client: TestClient, org_a, body: dict, field: str) -> None:
    _, owner = org_a
    response = client.post("/api/v1/webhooks", json=body, headers=auth_headers(owner))
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert client.get("/api/v1/webhooks", headers=auth_headers(owner)).json() == []


def test_private_urls_are_refused_when_private_networks_are_off(
    client: TestClient, org_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, owner = org_a
    monkeypatch.setattr(get_settings(), "webhook_allow_private_networks", False)
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://[::1]/x"):
        response = client.post("/api/v1/webhooks", json={"url": url}, headers=auth_headers(owner))
        assert response.status_code == 400, url
        assert response.json()["field"] == "url"


def test_the_test_ping_reaches_the_endpoint_signed_with_the_shown_secret(
    client: TestClient, org_a, receiver: Receiver
) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    endpoint = create_endpoint(client, headers, receiver.url, events=["contact.created"])

    sent = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=headers)
    assert sent.status_code == 202
    (request,) = receiver.requests
    assert request.headers["X-LeadPilot-Event"] == "ping"
    assert verify_signature(endpoint["secret"], timestamp=request.headers["X-LeadPilot-Timestamp"], body=request.body,
                            signature=request.headers["X-LeadPilot-Signature"])  # fmt: skip
    assert json.loads(request.body)["data"]["endpoint_id"] == endpoint["id"]

    delivery = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{sent.json()['id']}", headers=headers).json()
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == ("delivered", 1, 200)


def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(
    client: TestClient, org_a, receiver: Receiver
) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    endpoint = create_endpoint(client, headers, receiver.url)
    rotated = client.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=headers).json()
    assert rotated["secret"] != endpoint["secret"]

    client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=headers)
    (request,) = receiver.requests
    signed = {"timestamp": request.headers["X-LeadPilot-Timestamp"], "body": request.body,
              "signature": request.headers["X-LeadPilot-Signature"]}  # fmt: skip
    assert verify_signature(rotated["secret"], **signed)
    assert not verify_signature(endpoint["secret"], **signed)


def test_deliveries_are_listed_newest_first_by_cursor_and_can_be_redelivered(
    client: TestClient, org_a, receiver: Receiver
) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    endpoint = create_endpoint(client, headers, receiver.url)
    base = f"/api/v1/webhooks/{endpoint['id']}"
    receiver.respond(500)
    ids = [client.post(f"{base}/test", headers=headers).json()["id"] for _ in range(3)]

    first = client.get(f"{base}/deliveries", params={"limit": 2}, headers=headers).json()
    second = client.get(f"{base}/deliveries", params={"limit": 2, "cursor": first["next_cursor"]},
                        headers=headers).json()  # fmt: skip
    assert [d["id"] for d in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert second["has_more"] is False
    pending = client.get(f"{base}/deliveries", params={"status": "pending"}, headers=headers).json()["items"]
    assert [d["id"] for d in pending] == [ids[0]]  # the first test ping met the 500 and waits for its retry
    assert pending[0]["last_error"].startswith("HTTP 500")

    again = client.post(f"{base}/deliveries/{ids[0]}/redeliver", headers=headers)
    assert again.status_code == 202
    assert again.json()["id"] not in ids
    assert again.json()["event_id"] == pending[0]["event_id"]
    assert json.loads(receiver.requests[-1].body)["id"] == pending[0]["event_id"]
    assert receiver.requests[-1].headers["X-LeadPilot-Delivery"] == str(again.json()["id"])


def test_only_admins_manage_webhooks(client: TestClient, db: Session, org_a) -> None:
    org, _ = org_a
    admin = make_user(db, org, Role.admin)
    manager = make_user(db, org, Role.manager)
    db.commit()
    assert client.get("/api/v1/webhooks", headers=auth_headers(manager)).status_code == 403
    assert client.post("/api/v1/webhooks", json={"url": "https://example.com/h"},
                       headers=auth_headers(manager)).status_code == 403  # fmt: skip
    assert client.get("/api/v1/webhooks/event-types", headers=auth_headers(manager)).status_code == 403
    create_endpoint(client, auth_headers(admin), "https://example.com/h")
    types = {t["type"] for t in client.get("/api/v1/webhooks/event-types", headers=auth_headers(admin)).json()}
    assert {"contact.created", "deal.stage_changed", "ping"} <= types


def test_another_orgs_endpoint_is_not_found(client: TestClient, db: Session, org_a, org_b, receiver: Receiver) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    endpoint = create_endpoint(client, auth_headers(owner_a), receiver.url)
    delivery = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=auth_headers(owner_a)).json()
    base = f"/api/v1/webhooks/{endpoint['id']}"
    foreign = auth_headers(owner_b)
    missing = "/api/v1/webhooks/999999999"

    for method, path in [
        ("GET", base), ("PATCH", base), ("DELETE", base), ("POST", f"{base}/test"),
        ("POST", f"{base}/rotate-secret"), ("GET", f"{base}/deliveries"),
        ("GET", f"{base}/deliveries/{delivery['id']}"), ("POST", f"{base}/deliveries/{delivery['id']}/redeliver"),
    ]:  # fmt: skip
        kwargs = {"json": {"is_active": False}} if method == "PATCH" else {}
        response = client.request(method, path, headers=foreign, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"error": "WebhookEndpointNotFound", "detail": "WebhookEndpoint not found"}
        same = client.request(method, path.replace(base, missing), headers=foreign, **kwargs)
        assert same.json() == response.json(), "a foreign id must look exactly like a missing one"

    assert client.get("/api/v1/webhooks", headers=foreign).json() == []
    assert len(receiver.requests) == 1
    stored = db.get(WebhookEndpoint, endpoint["id"])
    assert stored is not None
    assert stored.is_active


def test_a_disabled_endpoint_cannot_be_pinged(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    endpoint = create_endpoint(client, headers, "https://example.com/h", is_active=False)
    response = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=headers)
    assert response.status_code == 409
    assert "disabled" in response.json()["detail"]
