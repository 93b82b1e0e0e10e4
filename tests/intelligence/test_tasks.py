"""Stored messages are annotated after commit, the contact's leads are queued for a re-score, the sweep catches
messages left unannotated, and the annotations move the lead's conversation features."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Conversation, Message
from leadpilot.intelligence import tasks
from leadpilot.intelligence.classifier import IntelligenceModel
from leadpilot.scoring.dataset import build
from leadpilot.scoring.features import FEATURES, lead_features
from leadpilot.scoring.models import ScoringRequest
from leadpilot.scoring.service import ScoringService
from tests.crm.support import post
from tests.fixtures.factories import auth_headers


@pytest.fixture(autouse=True)
def _shipped(model: IntelligenceModel) -> None:
    """Train the shipped classifiers once per session, outside the requests."""


def _conversation(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    contact = post(client, "/api/v1/contacts", {"first_name": "Ada", "email": "ada@globex.example"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"], "source": "website"}, headers)
    return post(client, "/api/v1/conversations", {"lead_id": lead["id"], "channel": "email"}, headers) | {
        "lead_id": lead["id"]
    }


def test_a_stored_inbound_message_is_annotated_and_its_leads_rescored(client: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(org_a[1])
    conversation = _conversation(client, headers)
    db.execute(ScoringRequest.__table__.delete())
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    inbound = post(client, url, {"direction": "inbound", "text": "We're ready to buy 20 seats, please send the "
                                 "contract. Our budget of $15k is approved."}, headers)  # fmt: skip
    outbound = post(client, url, {"direction": "outbound", "text": "Wonderful, the contract is on its way."}, headers)

    stored = db.get(Message, inbound["id"])
    assert stored is not None
    db.refresh(stored)
    annotations = stored.annotations
    assert annotations["intent"]["label"] == "purchase_intent"
    assert annotations["bant"]["budget"]["amount"] == 15_000
    assert annotations["bant"]["budget"]["message_id"] == inbound["id"]
    assert annotations["buying_signals"][0]["message_id"] == inbound["id"]
    assert stored.language == "en"
    requests = db.scalars(select(ScoringRequest).where(ScoringRequest.lead_id == conversation["lead_id"])).all()
    assert [r.reason for r in requests] == ["message"]

    reply = db.get(Message, outbound["id"])
    assert reply is not None
    db.refresh(reply)
    assert set(reply.annotations) == {"model_version", "language"}

    listed = client.get(url, headers=headers).json()["items"]
    assert listed[0]["annotations"]["intent"]["label"] == "purchase_intent"

    lead = client.get(f"/api/v1/leads/{conversation['lead_id']}", headers=headers).json()
    assert float(lead["budget_amount"]) == 15_000
    assert lead["budget_currency"] == "USD"
    assert lead["bant_evidence"]["budget"]["message_id"] == inbound["id"]
    assert lead["bant_evidence"]["budget"]["quote"] == "Our budget of $15k is approved."


def test_bant_facts_never_overwrite_what_someone_entered(client: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(org_a[1])
    conversation = _conversation(client, headers)
    patched = client.patch(f"/api/v1/leads/{conversation['lead_id']}", json={"need": "Route inbound calls"},
                           headers=headers)  # fmt: skip
    assert patched.status_code == 200, patched.text
    text = "We're losing too many leads at night. We'd like to start by end of March."
    post(
        client, f"/api/v1/conversations/{conversation['id']}/messages", {"direction": "inbound", "text": text}, headers
    )
    lead = client.get(f"/api/v1/leads/{conversation['lead_id']}", headers=headers).json()
    assert lead["need"] == "Route inbound calls"
    assert "need" not in lead["bant_evidence"]
    assert lead["timeline"] is not None
    assert lead["bant_evidence"]["timeline"]["quote"] == "by end of March"


def _message(db: Session, org_id: int, conversation: Conversation, text: str, at: datetime) -> Message:
    message = Message(org_id=org_id, conversation_id=conversation.id, contact_id=conversation.contact_id,
                      direction="inbound", channel="email", sender_type="contact", text=text, annotations={},
                      status="received", created_at=at)  # fmt: skip
    db.add(message)
    db.flush()
    return message


def test_the_sweep_annotates_messages_left_without_annotations(client: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    conversation = db.get(Conversation, _conversation(client, auth_headers(org_a[1]))["id"])
    assert conversation is not None
    old = _message(db, org_a[0].id, conversation, "Please stop emailing me.", datetime.now(UTC) - timedelta(hours=1))
    fresh = _message(db, org_a[0].id, conversation, "Can I get a demo?", datetime.now(UTC))
    db.commit()
    assert tasks.annotate_missing() == 1
    db.refresh(old)
    db.refresh(fresh)
    assert old.annotations["intent"]["label"] == "unsubscribe"
    assert fresh.annotations == {}, "a message this recent still has its own job pending"
    assert tasks.annotate_missing() == 0


def test_annotations_change_the_leads_conversation_features(client: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    created = _conversation(client, auth_headers(org_a[1]))
    conversation = db.get(Conversation, created["id"])
    assert conversation is not None
    at = datetime.now(UTC) - timedelta(hours=2)
    message = _message(db, org_a[0].id, conversation,
                       "Great call! We want to sign this week, please send the order form.", at)  # fmt: skip
    db.commit()
    names = [f.name for f in FEATURES]
    scoring = ScoringService(db, Principal.system(org_a[0].id))

    def features() -> dict[str, Any]:
        built = build(scoring.data.crm_tables([created["lead_id"]]))
        row = lead_features(built.records[created["lead_id"]], datetime.now(UTC).timestamp())
        return dict(zip(names, row, strict=True))

    before = features()
    assert before["messages_in"] == 1
    assert before["high_intent_messages"] == 0
    assert tasks.annotate_now(org_a[0].id, message.id)
    db.expire_all()
    after = features()
    assert after["high_intent_messages"] == 1
    assert after["buying_signal_max"] > 0.5
    assert after["sentiment_mean"] > 0
