"""Deleting a record that other records point at: the references are cleared (or the dependants go), never a 500."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.crm.support import post
from tests.fixtures.factories import auth_headers


def test_deleting_referenced_records(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane", "company_id": company["id"]}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    deal = post(client, "/api/v1/deals", {"name": "D", "lead_id": lead["id"]}, headers)
    product = post(client, "/api/v1/products", {"sku": "P", "name": "P", "unit_price": 1}, headers)
    activity = post(
        client,
        "/api/v1/activities",
        {
            "type": "purchase",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lead_id": lead["id"],
            "deal_id": deal["id"],
            "product_id": product["id"],
            "amount": 1,
            "currency": "USD",
        },
        headers,
    )
    conversation = post(client, "/api/v1/conversations", {"channel": "sms", "lead_id": lead["id"]}, headers)
    lead_note = post(client, "/api/v1/notes", {"lead_id": lead["id"], "body": "x"}, headers)

    assert client.delete(f"/api/v1/products/{product['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=headers).json()["product_id"] is None

    assert client.delete(f"/api/v1/companies/{company['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=headers).json()["company_id"] is None
    assert client.get(f"/api/v1/leads/{lead['id']}", headers=headers).json()["company_id"] is None
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=headers).json()["company_id"] is None

    assert client.delete(f"/api/v1/leads/{lead['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=headers).json()["lead_id"] is None
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=headers).json()["lead_id"] is None
    assert client.get(f"/api/v1/conversations/{conversation['id']}", headers=headers).json()["lead_id"] is None
    assert client.get(f"/api/v1/notes/{lead_note['id']}", headers=headers).status_code == 404

    assert client.delete(f"/api/v1/deals/{deal['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=headers).json()["deal_id"] is None
    assert client.delete(f"/api/v1/contacts/{contact['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/conversations/{conversation['id']}", headers=headers).status_code == 404
