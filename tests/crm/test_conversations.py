from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/conversations"


def test_conversation_and_messages(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    conversation = post(client, URL, {"channel": "email", "lead_id": lead["id"], "subject": "Pricing"}, headers)
    assert conversation["contact_id"] == contact["id"], "filled from the lead"
    assert (conversation["status"], conversation["handled_by"], conversation["last_message_at"]) == ("open", "ai", None)
    base = datetime(2025, 3, 1, 12, tzinfo=UTC)
    inbound = post(
        client,
        f"{URL}/{conversation['id']}/messages",
        {"direction": "inbound", "text": "How much is Pro?", "sent_at": base.isoformat(), "external_id": "mail-1"},
        headers,
    )
    assert (inbound["sender_type"], inbound["channel"], inbound["status"]) == ("contact", "email", "received")
    assert inbound["contact_id"] == contact["id"]
    reply = post(
        client,
        f"{URL}/{conversation['id']}/messages",
        {"direction": "outbound", "text": "49 USD a month.", "sent_at": (base + timedelta(minutes=5)).isoformat()},
        headers,
    )
    assert (reply["sender_type"], reply["sender_user_id"], reply["status"]) == ("user", owner.id, "sent")
    late_logged = post(
        client,
        f"{URL}/{conversation['id']}/messages",
        {"direction": "inbound", "text": "Earlier note", "sent_at": (base - timedelta(days=1)).isoformat()},
        headers,
    )

    got = client.get(f"{URL}/{conversation['id']}", headers=headers).json()
    assert got["last_message_at"] == "2025-03-01T12:05:00Z", "the newest message, not the last logged"
    messages = walk(client, f"{URL}/{conversation['id']}/messages", headers, limit=2)
    assert ids(messages) == [late_logged["id"], inbound["id"], reply["id"]], "oldest first"
    newest = ids(walk(client, f"{URL}/{conversation['id']}/messages", headers, order="desc", limit=1))
    assert newest == [reply["id"], inbound["id"], late_logged["id"]]
    only_in = client.get(f"{URL}/{conversation['id']}/messages", params={"direction": "inbound"}, headers=headers)
    assert ids(only_in.json()["items"]) == [late_logged["id"], inbound["id"]]

    repeat = client.post(
        f"{URL}/{conversation['id']}/messages",
        json={"direction": "inbound", "text": "x", "external_id": "mail-1"},
        headers=headers,
    )
    assert repeat.status_code == 409
    assert repeat.json()["existing_id"] == inbound["id"]

    handover = client.patch(
        f"{URL}/{conversation['id']}", json={"handled_by": "human", "assignee_id": owner.id}, headers=headers
    )
    assert handover.status_code == 200, handover.text
    assert (handover.json()["handled_by"], handover.json()["assignee_id"]) == ("human", owner.id)
    assert client.delete(f"{URL}/{conversation['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{conversation['id']}", headers=headers).json()["error"] == "ConversationNotFound"
    gone = client.get(f"{URL}/{conversation['id']}/messages", headers=headers)
    assert gone.status_code == 404


def test_list_filters_and_pagination(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    agent = make_user(db, org, role="agent")
    db.commit()
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    max_ = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    email = post(client, URL, {"channel": "email", "contact_id": jane["id"]}, headers)
    sms = post(client, URL, {"channel": "sms", "contact_id": jane["id"], "status": "closed"}, headers)
    chat = post(
        client,
        URL,
        {"channel": "chat", "contact_id": max_["id"], "handled_by": "human", "assignee_id": agent.id},
        headers,
    )
    post(client, f"{URL}/{sms['id']}/messages", {"direction": "outbound", "text": "hi"}, headers)

    def found(**params: object) -> list[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return ids(response.json()["items"])

    assert found(contact_id=jane["id"]) == [sms["id"], email["id"]], "last message first, silent ones last"
    assert found(channel="chat") == [chat["id"]]
    assert found(status="closed") == [sms["id"]]
    assert found(handled_by="human", assignee_id=agent.id) == [chat["id"]]
    for sort in ("last_message_at", "created_at", "updated_at", "id"):
        for order in ("asc", "desc"):
            seen = ids(walk(client, URL, headers, sort=sort, order=order, limit=1))
            assert sorted(seen) == sorted([email["id"], sms["id"], chat["id"]])


def test_bad_input_is_a_clear_4xx(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    jane = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    max_ = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": jane["id"]}, headers)
    assert client.post(URL, json={"channel": "pigeon"}, headers=headers).status_code == 422
    assert client.post(URL, json={"channel": "sms", "contact_id": 987654321}, headers=headers).status_code == 400
    mismatch = client.post(
        URL, json={"channel": "sms", "contact_id": max_["id"], "lead_id": lead["id"]}, headers=headers
    )
    assert mismatch.status_code == 400
    conversation = post(client, URL, {"channel": "sms", "contact_id": jane["id"]}, headers)
    messages = f"{URL}/{conversation['id']}/messages"
    cases = [
        {"text": "no direction"},
        {"direction": "sideways", "text": "x"},
        {"direction": "inbound"},
        {"direction": "inbound", "text": "x", "sender_type": "ai"},
        {"direction": "outbound", "text": "x", "sender_type": "contact"},
        {"direction": "inbound", "text": "x", "sent_at": "2025-03-01T12:00:00"},
    ]
    for payload in cases:
        response = client.post(messages, json=payload, headers=headers)
        assert response.status_code == 422, (payload, response.text)
    assert client.patch(f"{URL}/{conversation['id']}", json={"status": None}, headers=headers).status_code == 422
    assert client.get(messages, headers=headers).json()["items"] == []
    viewer = make_user(db, org, role="viewer")
    db.commit()
    viewer_headers = auth_headers(viewer)
    assert client.get(messages, headers=viewer_headers).status_code == 200
    assert client.post(messages, json={"direction": "inbound", "text": "x"}, headers=viewer_headers).status_code == 403
    assert client.post(URL, json={"channel": "sms"}, headers=viewer_headers).status_code == 403
