from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.crm.models import Activity
from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/activities"


def _at(days_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def test_create_read_update_delete_activity(client: TestClient, db: Session, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    product = post(client, "/api/v1/products", {"sku": "PRO-1", "name": "Pro plan", "unit_price": "49"}, headers)
    purchase = post(
        client,
        URL,
        {
            "type": "purchase",
            "occurred_at": "2025-03-01T15:30:00+01:00",
            "lead_id": lead["id"],
            "product_id": product["id"],
            "amount": "99.9",
            "currency": "eur",
            "quantity": 2,
            "subject": "Pro plan x2",
        },
        headers,
    )
    assert purchase["contact_id"] == contact["id"], "filled from the lead"
    assert purchase["occurred_at"] == "2025-03-01T14:30:00Z"
    assert (purchase["amount"], purchase["currency"]) == ("99.90", "EUR")
    assert client.get(f"{URL}/{purchase['id']}", headers=headers).json() == purchase

    patched = client.patch(f"{URL}/{purchase['id']}", json={"quantity": 3, "amount": "149.85"}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["quantity"], patched.json()["amount"]) == (3, "149.85")
    assert ids(client.get(URL, params={"q": "pro plan"}, headers=headers).json()["items"]) == [purchase["id"]]
    assert ids(client.get(URL, params={"q": "purchase"}, headers=headers).json()["items"]) == [purchase["id"]]

    assert client.delete(f"{URL}/{purchase['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{purchase['id']}", headers=headers).json()["error"] == "ActivityNotFound"


def test_external_id_makes_posting_idempotent(client: TestClient, db: Session, org_a, org_b) -> None:
    headers = auth_headers(org_a[1])
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    body = {"type": "email_opened", "occurred_at": _at(1), "contact_id": contact["id"], "external_id": "esp-123"}
    first = post(client, URL, body, headers)
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 409
    assert again.json() == {
        "error": "Conflict",
        "detail": "An activity with external_id 'esp-123' already exists",
        "field": "external_id",
        "existing_id": first["id"],
    }
    assert db.scalar(select(func.count()).select_from(Activity).where(Activity.external_id == "esp-123")) == 1
    # Another org's feed may use the same id.
    b_headers = auth_headers(org_b[1])
    b_contact = post(client, "/api/v1/contacts", {"first_name": "Max"}, b_headers)
    post(client, URL, {**body, "contact_id": b_contact["id"]}, b_headers)
    other = post(client, URL, {**body, "external_id": "esp-124"}, headers)
    clash = client.patch(f"{URL}/{other['id']}", json={"external_id": "esp-123"}, headers=headers)
    assert clash.status_code == 409


def test_timestamps_and_money_rules(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    base = {"contact_id": contact["id"]}
    naive = client.post(URL, json={**base, "type": "call", "occurred_at": "2025-03-01T14:30:00"}, headers=headers)
    assert naive.status_code == 422
    assert naive.json()["error"] == "ValidationError"
    assert "occurred_at" in naive.json()["detail"]
    assert "time zone" in naive.json()["detail"]
    cases = [
        ({"type": "call"}, "occurred_at"),
        ({"type": "call", "occurred_at": "yesterday"}, "occurred_at"),
        ({"type": "call", "occurred_at": "1900-01-01T00:00:00Z"}, "1970"),
        ({"type": "call", "occurred_at": "2999-01-01T00:00:00Z"}, "2100"),
        ({"type": "web_visit", "occurred_at": _at(-30)}, "future"),
        ({"type": "purchase", "occurred_at": _at()}, "amount"),
        ({"type": "refund", "occurred_at": _at(), "amount": "10"}, "currency"),
        ({"type": "purchase", "occurred_at": _at(), "amount": "-10", "currency": "USD"}, "amount"),
        ({"type": "purchase", "occurred_at": _at(), "amount": 1.234, "currency": "USD"}, "amount"),
        ({"type": "teleport", "occurred_at": _at()}, "type"),
        ({"type": "call", "occurred_at": _at(), "duration_seconds": -1}, "duration_seconds"),
    ]
    for payload, words in cases:
        response = client.post(URL, json={**base, **payload}, headers=headers)
        assert response.status_code == 422, (payload, response.text)
        assert words in response.text, (payload, response.text)
    meeting = post(client, URL, {**base, "type": "meeting", "occurred_at": _at(-30)}, headers)
    assert meeting["type"] == "meeting", "meetings may be scheduled ahead"
    call = post(client, URL, {**base, "type": "call", "occurred_at": _at()}, headers)
    to_purchase = client.patch(f"{URL}/{call['id']}", json={"type": "purchase"}, headers=headers)
    assert to_purchase.status_code == 400
    assert to_purchase.json()["field"] == "amount"
    assert client.patch(f"{URL}/{call['id']}", json={"occurred_at": None}, headers=headers).status_code == 422
    assert client.get(f"{URL}/{call['id']}", headers=headers).json()["type"] == "call"


def test_references_must_exist_and_agree(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    max_ = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    base = {"type": "call", "occurred_at": _at()}
    for field in ("contact_id", "company_id", "lead_id", "deal_id", "product_id", "user_id"):
        response = client.post(URL, json={**base, "contact_id": jane["id"], field: 987654321}, headers=headers)
        assert response.status_code == 400, field
        assert response.json()["field"] == field
    no_subject = client.post(URL, json=base, headers=headers)
    assert no_subject.status_code == 400
    mismatch = client.post(URL, json={**base, "contact_id": max_["id"], "lead_id": lead["id"]}, headers=headers)
    assert mismatch.status_code == 400
    assert mismatch.json()["field"] == "lead_id"
    assert client.get(URL, headers=headers).json()["items"] == []


def test_filters_sort_and_pagination(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    agent = make_user(db, org, role="agent")
    db.commit()
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    max_ = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    deal = post(client, "/api/v1/deals", {"name": "D", "contact_id": max_["id"]}, headers)
    same_time = _at(3)
    rows = [
        post(
            client,
            URL,
            {
                "type": "email_sent",
                "occurred_at": _at(10),
                "contact_id": jane["id"],
                "channel": "email",
                "source": "campaign",
            },
            headers,
        ),
        post(client, URL, {"type": "email_opened", "occurred_at": same_time, "lead_id": lead["id"]}, headers),
        post(
            client,
            URL,
            {
                "type": "call",
                "occurred_at": same_time,
                "deal_id": deal["id"],
                "user_id": agent.id,
                "duration_seconds": 300,
            },
            headers,
        ),
        post(
            client,
            URL,
            {"type": "purchase", "occurred_at": _at(1), "contact_id": max_["id"], "amount": 10, "currency": "USD"},
            headers,
        ),
        post(
            client,
            URL,
            {
                "type": "web_visit",
                "occurred_at": same_time,
                "contact_id": max_["id"],
                "url": "https://acme.example/pricing",
            },
            headers,
        ),
    ]
    all_ids = ids(rows)

    def found(**params: object) -> set[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return set(ids(response.json()["items"]))

    assert found(type="call") == {all_ids[2]}
    assert found(contact_id=jane["id"]) == {all_ids[0], all_ids[1]}
    assert found(lead_id=lead["id"]) == {all_ids[1]}
    assert found(deal_id=deal["id"]) == {all_ids[2]}
    assert found(user_id=agent.id) == {all_ids[2]}
    assert found(channel="email") == {all_ids[0]}
    assert found(source="campaign") == {all_ids[0]}
    assert found(occurred_after=_at(2)) == {all_ids[3]}
    assert found(occurred_before=_at(5)) == {all_ids[0]}
    assert found(occurred_after=_at(5), occurred_before=_at(2)) == {all_ids[1], all_ids[2], all_ids[4]}
    assert found(q="pricing") == {all_ids[4]}
    assert client.get(URL, params={"occurred_after": "2025-01-01"}, headers=headers).status_code == 422

    newest_first = ids(walk(client, URL, headers, limit=2))
    assert newest_first == [all_ids[3], all_ids[4], all_ids[2], all_ids[1], all_ids[0]]
    for sort in ("occurred_at", "created_at", "amount", "id"):
        for order in ("asc", "desc"):
            seen = ids(walk(client, URL, headers, sort=sort, order=order, limit=2))
            assert sorted(seen) == sorted(all_ids), (sort, order)


def test_viewer_can_read_but_not_write(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    viewer = make_user(db, org, role="viewer")
    db.commit()
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, auth_headers(owner))
    body = {"type": "call", "occurred_at": _at(), "contact_id": contact["id"]}
    activity = post(client, URL, body, auth_headers(owner))
    headers = auth_headers(viewer)
    assert client.get(URL, headers=headers).status_code == 200
    assert client.post(URL, json=body, headers=headers).status_code == 403
    assert client.patch(f"{URL}/{activity['id']}", json={"subject": "x"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}/{activity['id']}", headers=headers).status_code == 403
