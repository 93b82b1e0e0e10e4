from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.timeline import contact_timeline
from tests.crm.support import post, walk
from tests.fixtures.factories import auth_headers


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_lead_timeline_merges_every_source_newest_first(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    max_ = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": jane["id"], "title": "Solar"}, headers)
    other_lead = post(client, "/api/v1/leads", {"contact_id": jane["id"], "title": "Battery"}, headers)
    now = datetime.now(UTC)
    tie = now - timedelta(days=2)

    visit = post(
        client,
        "/api/v1/activities",
        {
            "type": "web_visit",
            "occurred_at": _iso(now - timedelta(days=5)),
            "contact_id": jane["id"],
            "subject": "Pricing page",
        },
        headers,
    )
    call = post(
        client, "/api/v1/activities", {"type": "call", "occurred_at": _iso(tie), "lead_id": lead["id"]}, headers
    )
    purchase = post(
        client,
        "/api/v1/activities",
        {"type": "purchase", "occurred_at": _iso(tie), "contact_id": jane["id"], "amount": "10", "currency": "USD"},
        headers,
    )
    post(client, "/api/v1/activities", {"type": "call", "occurred_at": _iso(tie), "contact_id": max_["id"]}, headers)

    conversation = post(client, "/api/v1/conversations", {"channel": "sms", "contact_id": jane["id"]}, headers)
    message = post(
        client,
        f"/api/v1/conversations/{conversation['id']}/messages",
        {"direction": "inbound", "text": "Is it still available?", "sent_at": _iso(tie)},
        headers,
    )
    max_conversation = post(client, "/api/v1/conversations", {"channel": "sms", "contact_id": max_["id"]}, headers)
    post(
        client,
        f"/api/v1/conversations/{max_conversation['id']}/messages",
        {"direction": "inbound", "text": "not Jane's"},
        headers,
    )

    lead_note = post(client, "/api/v1/notes", {"lead_id": lead["id"], "body": "Wants a quote"}, headers)
    contact_note = post(client, "/api/v1/notes", {"contact_id": jane["id"], "body": "Prefers SMS"}, headers)
    post(client, "/api/v1/notes", {"lead_id": other_lead["id"], "body": "other lead"}, headers)
    post(client, "/api/v1/notes", {"contact_id": max_["id"], "body": "not Jane's"}, headers)

    assert client.patch(f"/api/v1/leads/{lead['id']}", json={"stage": "contacted"}, headers=headers).status_code == 200
    client.patch(f"/api/v1/leads/{other_lead['id']}", json={"stage": "engaged"}, headers=headers)
    deal = post(client, "/api/v1/deals", {"name": "Solar roof", "lead_id": lead["id"]}, headers)
    assert client.patch(f"/api/v1/deals/{deal['id']}", json={"stage": "proposal"}, headers=headers).status_code == 200

    url = f"/api/v1/leads/{lead['id']}/timeline"
    single = client.get(url, params={"limit": 200}, headers=headers).json()
    assert single["next_cursor"] is None
    items = single["items"]
    keys = [(item["kind"], item["id"]) for item in items]
    expected = {
        ("activity", visit["id"]),
        ("activity", call["id"]),
        ("activity", purchase["id"]),
        ("message", message["id"]),
        ("note", lead_note["id"]),
        ("note", contact_note["id"]),
    }
    assert expected <= set(keys)
    assert len(keys) == len(set(keys))
    stage_summaries = [item["summary"] for item in items if item["kind"] == "stage_change"]
    assert stage_summaries == [
        "Deal stage qualification → proposal",
        "Deal created in stage qualification",
        "Lead stage new → contacted",
        "Lead created in stage new",
    ]
    assert len(items) == len(expected) + 4, "nothing of Max, of the other lead's notes or stages"
    moments = [datetime.fromisoformat(item["at"]) for item in items]
    assert moments == sorted(moments, reverse=True)
    assert keys[-1] == ("activity", visit["id"])
    at_tie = [key for key, item in zip(keys, items, strict=True) if datetime.fromisoformat(item["at"]) == tie]
    assert at_tie == [("message", message["id"]), ("activity", purchase["id"]), ("activity", call["id"])]

    by_kind = {item["kind"]: item for item in items}
    assert by_kind["message"]["summary"] == "inbound sms message: Is it still available?"
    assert by_kind["message"]["data"]["conversation_id"] == conversation["id"]
    purchase_item = next(item for item in items if item["id"] == purchase["id"] and item["kind"] == "activity")
    assert purchase_item["summary"] == "purchase (10.00 USD)"
    assert purchase_item["data"]["amount"] == "10.00"

    for limit in (1, 2, 3, 5):
        paged = walk(client, url, headers, limit=limit)
        assert [(item["kind"], item["id"]) for item in paged] == keys, limit


def test_timeline_errors(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    url = f"/api/v1/leads/{lead['id']}/timeline"
    assert client.get(url, params={"cursor": "nonsense"}, headers=headers).status_code == 400
    assert client.get(url, params={"cursor": "WyJ4Iiwibm90ZSIsMV0"}, headers=headers).status_code == 400
    assert client.get(url, params={"limit": 0}, headers=headers).status_code == 422
    missing = client.get("/api/v1/leads/987654321/timeline", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {"error": "LeadNotFound", "detail": "Lead not found"}
    items = client.get(url, headers=headers).json()["items"]
    assert [item["summary"] for item in items] == ["Lead created in stage new"]


def test_contact_timeline_covers_all_of_the_contacts_leads(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    first = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    second = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    note = post(client, "/api/v1/notes", {"lead_id": second["id"], "body": "on the second lead"}, headers)
    principal = Principal(org_id=org.id, role=Role.owner, user_id=owner.id)

    items, next_cursor = contact_timeline(db, principal, jane["id"], limit=10)
    assert next_cursor is None
    assert {(i.kind, i.summary) for i in items} == {
        ("stage_change", "Lead created in stage new"),
        ("note", "note: on the second lead"),
    }
    assert len(items) == 3, "both leads' first stage"
    lead_items, _ = LeadService(db, principal).timeline(first["id"], limit=10)
    assert [i.kind for i in lead_items] == ["stage_change"], "the other lead's note is not on this lead"
    assert note["id"] in {i.id for i in items if i.kind == "note"}
