"""Follow-ups through the API: strict drafts with sources and a passing claim check, model drafts that are
rewritten or replaced when they make unsupported claims, the fine-tuned endpoint's configuration error, the cache,
tenancy and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.followup.finetuned import override_finetuned_model
from leadpilot.followup.playbook import UNANSWERED_QUESTION
from leadpilot.knowledge import ingest_document
from leadpilot.llm import ScriptedChat, override_chat_model
from tests.fixtures.factories import auth_headers, make_user
from tests.followup.conftest import Vendor, build_vendor

HALLUCINATED = ("Hi Ada, our Growth plan is only $299/month and Anderson Corp cut billing errors by 45% with it. "
                "Would a call this week help?")  # fmt: skip
GROUNDED = ("Hi Ada, the Growth plan costs $399 per month and includes 10 seats and 20 data sources. "
            "Would a short call this week help Initech decide?")  # fmt: skip


def _post(client: TestClient, vendor: Vendor, body: dict[str, Any], path: str = "/api/v1/followups") -> Any:
    return client.post(path, json=body, headers=auth_headers(vendor.owner))


def _ok(client: TestClient, vendor: Vendor, body: dict[str, Any], path: str = "/api/v1/followups") -> dict[str, Any]:
    response = _post(client, vendor, body, path)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(autouse=True)
def _no_llm() -> Any:
    with override_chat_model(None), override_finetuned_model(None):
        yield


def test_a_strict_draft_for_a_crm_lead_cites_its_sources_and_passes_the_claim_check(
    client: TestClient, vendor: Vendor
) -> None:
    body = _ok(client, vendor, {"lead_id": vendor.lead.id})
    assert body["mode"] == body["requested_mode"] == "strict"
    assert body["model_used"] == "playbook"
    assert body["grounding_verified"] is True
    assert body["fallback"] is False
    assert body["strategy"]["name"] == "high_intent"  # score 78
    message = body["message"]
    assert message.startswith("Hi Ada,")
    assert "Initech" in message
    used = [s for s in body["sources"] if s["used"]]
    assert used, "a strict draft quotes the knowledge base"
    for source in used:
        assert any(sentence in message for sentence in source["excerpt"].split(". ")[:1])
    assert body["claims"]
    assert all(c["verdict"] == "supported" for c in body["claims"])
    knowledge_claims = [c for c in body["claims"] if c["source"] == "knowledge"]
    assert knowledge_claims
    assert all(c["quote"] and c["chunk_id"] for c in knowledge_claims)
    assert 0 < body["confidence"] <= 1
    assert body["confidence_components"]["grounding"] == 1.0
    assert "name" in body["personalisation"]["used"]
    assert body["personalisation_score"] > 0.5


def test_a_strict_draft_for_an_inline_lead_handles_a_price_objection(client: TestClient, vendor: Vendor) -> None:
    context = {"lead_name": "Ramesh", "product_name": "Insight Growth", "interaction_history": "Asked about pricing, "
               "stopped responding", "lead_score": 72, "objections_raised": ["price"], "days_since_contact": 7,
               "company_name": "TechCorp", "lead_industry": "manufacturing"}  # fmt: skip
    body = _ok(client, vendor, {"lead_context": context}, "/api/v1/followups/rag")
    assert body["lead_id"] is None
    assert body["strategy"]["name"] == "price_objection"
    assert body["grounding_verified"] is True
    assert "Ramesh" in body["message"]
    assert "TechCorp" in body["message"]
    assert "$" in body["message"], "a price objection is answered with the documented prices"
    assert "objection" in body["personalisation"]["used"]
    # the seed's name for the same object
    again = _ok(client, vendor, {"lead_profile": context, "use_cache": False})
    assert again["message"] == body["message"]


def test_a_rejection_gets_a_graceful_close_without_a_pitch(client: TestClient, vendor: Vendor) -> None:
    context = {"lead_name": "Lena", "interaction_history": ["Demo call", "Thanks, but we went with another vendor."],
               "lead_score": 80}  # fmt: skip
    body = _ok(client, vendor, {"lead_context": context})
    assert body["strategy"]["name"] == "rejection"
    assert "won't keep following up" in body["message"]
    assert not any(c["kind"] in {"money", "percentage", "number"} for c in body["claims"])


def test_an_assisted_draft_with_a_hallucinated_price_is_never_returned(client: TestClient, vendor: Vendor) -> None:
    model = ScriptedChat([HALLUCINATED, HALLUCINATED])
    with override_chat_model(model):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "assisted"})
    assert len(model.calls) == 2, "one rewrite attempt with the verdicts as feedback"
    assert "$299/month" in model.calls[1].last_user_message
    assert "$299" not in body["message"]
    assert "Anderson" not in body["message"]
    assert body["fallback"] is True
    assert "strict draft" in body["fallback_reason"]
    assert body["mode"] == "strict"
    assert body["model_used"] == "playbook"
    assert body["grounding_verified"] is True
    rejected = {c["claim"] for c in body["rejected_claims"]}
    assert {"$299/month", "Anderson Corp", "45%"} <= rejected
    strict = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "strict"})
    assert body["message"] == strict["message"]


def test_a_generative_draft_is_rewritten_once_and_kept_when_the_rewrite_is_grounded(
    client: TestClient, vendor: Vendor
) -> None:
    model = ScriptedChat([HALLUCINATED, GROUNDED])
    with override_chat_model(model):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "generative"})
    assert "SOURCES:" in model.calls[0].last_user_message
    assert "Pricing 2026" in model.calls[0].last_user_message
    assert body["message"] == GROUNDED
    assert body["mode"] == "generative"
    assert body["model_used"] == "scripted"
    assert body["rewrites"] == 1
    assert body["grounding_verified"] is True
    assert body["fallback"] is False
    assert {c["claim"] for c in body["rejected_claims"]} >= {"$299/month"}


def test_a_failing_model_falls_back_to_the_strict_draft(client: TestClient, vendor: Vendor) -> None:
    from leadpilot.llm import LlmUnavailable

    with override_chat_model(ScriptedChat([LlmUnavailable("endpoint down")])):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "generative"})
    assert body["fallback"] is True
    assert "model failed" in body["fallback_reason"]
    assert body["grounding_verified"] is True
    assert body["model_used"] == "playbook"


def test_a_model_mode_without_a_model_is_a_clear_error(client: TestClient, vendor: Vendor) -> None:
    response = _post(client, vendor, {"lead_id": vendor.lead.id, "mode": "generative"})
    assert response.status_code == 503
    assert response.json()["error"] == "FollowupModelUnavailable"
    assert "LEADPILOT_LLM_PROVIDER" in response.json()["detail"]


def test_finetuned_without_a_configured_model_names_the_setting(client: TestClient, vendor: Vendor) -> None:
    for path in ("/api/v1/followups/finetuned", "/api/v1/followups/hybrid"):
        response = _post(client, vendor, {"lead_id": vendor.lead.id}, path)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "FinetunedModelNotConfigured"
        assert "LEADPILOT_FOLLOWUP_FINETUNED_MODEL" in response.json()["detail"]


def test_finetuned_and_hybrid_use_the_finetuned_model(client: TestClient, vendor: Vendor) -> None:
    model = ScriptedChat(default=GROUNDED, model="lead-followup-lora")
    with override_finetuned_model(model):
        finetuned = _ok(client, vendor, {"lead_id": vendor.lead.id}, "/api/v1/followups/finetuned")
        hybrid = _ok(client, vendor, {"lead_id": vendor.lead.id, "source_weights": {"pricing": 1.5}},
                     "/api/v1/followups/hybrid")  # fmt: skip
        strict = _post(client, vendor, {"lead_id": vendor.lead.id, "mode": "strict"}, "/api/v1/followups/finetuned")
    assert finetuned["approach"] == "finetuned"
    assert finetuned["model_used"] == "lead-followup-lora"
    assert "SOURCES:" not in model.calls[0].last_user_message, "the fine-tuned model writes from the lead's facts"
    assert hybrid["approach"] == "hybrid"
    assert "SOURCES:" in model.calls[1].last_user_message
    assert hybrid["grounding_verified"] is True
    assert strict.status_code == 400


def test_a_repeat_is_served_from_the_cache_until_the_knowledge_base_changes(
    client: TestClient, db: Session, vendor: Vendor
) -> None:
    first = _ok(client, vendor, {"lead_id": vendor.lead.id})
    second = _ok(client, vendor, {"lead_id": vendor.lead.id})
    assert first["cached"] is False
    assert second["cached"] is True
    assert second["message"] == first["message"]
    ingest_document(db, vendor.org.id, filename="faq.md", content=b"# FAQ\n\nYou can cancel at any time.",
                    category="faq")  # fmt: skip
    db.commit()
    third = _ok(client, vendor, {"lead_id": vendor.lead.id})
    assert third["cached"] is False
    assert third["knowledge_version"] != first["knowledge_version"]
    assert _ok(client, vendor, {"lead_id": vendor.lead.id, "use_cache": False})["cached"] is False


def test_another_orgs_lead_is_answered_like_a_missing_one(client: TestClient, db: Session, vendor: Vendor) -> None:
    other = build_vendor(db, "Other Org")
    foreign = _post(client, vendor, {"lead_id": other.lead.id})
    missing = _post(client, vendor, {"lead_id": 987_654_321})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == {"error": "LeadNotFound", "detail": "Lead not found"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lead_id": 1, "lead_context": {"lead_name": "Ada"}},
        {"lead_context": {"lead_name": ""}},
        {"lead_context": {"lead_name": "Ada", "lead_score": 150}},
        {"lead_context": {"lead_name": "Ada", "days_since_contact": -1}},
        {"lead_context": {"lead_name": "Ada"}, "top_k": 0},
        {"lead_context": {"lead_name": "Ada"}, "mode": "creative"},
        {"lead_context": {"lead_name": "Ada"}, "source_weights": {"pricing": -1}},
        {"lead_context": {"lead_name": "Ada", "unknown_field": 1}},
        {"lead_id": "abc"},
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client: TestClient, vendor: Vendor, body: dict[str, Any]) -> None:
    response = _post(client, vendor, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_viewers_cannot_generate(client: TestClient, db: Session, vendor: Vendor) -> None:
    viewer = make_user(db, vendor.org, role=Role.viewer)
    db.commit()
    response = client.post("/api/v1/followups", json={"lead_id": vendor.lead.id}, headers=auth_headers(viewer))
    assert response.status_code == 403


def test_admins_set_the_orgs_mode(client: TestClient, db: Session, vendor: Vendor) -> None:
    headers = auth_headers(vendor.owner)
    assert client.get("/api/v1/followups/settings", headers=headers).json()["effective_mode"] == "strict"
    agent = make_user(db, vendor.org, role=Role.agent)
    db.commit()
    refused = client.put("/api/v1/followups/settings", json={"mode": "strict"}, headers=auth_headers(agent))
    assert refused.status_code == 403
    changed = client.put("/api/v1/followups/settings", json={"mode": "generative"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["mode"] == "generative"
    assert changed.json()["effective_mode"] == "strict"  # no model configured
    body = _ok(client, vendor, {"lead_id": vendor.lead.id})
    assert body["requested_mode"] == "generative"
    assert body["mode"] == "strict"
    assert any("no language model" in note for note in body["notes"])
    with override_chat_model(ScriptedChat(default=GROUNDED)):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id})
    assert body["mode"] == "generative"
    assert body["message"] == GROUNDED
    assert client.put("/api/v1/followups/settings", json={"mode": "loud"}, headers=headers).status_code == 422


def test_every_returned_draft_is_kept_with_its_claim_check(client: TestClient, vendor: Vendor) -> None:
    headers = auth_headers(vendor.owner)
    first = _ok(client, vendor, {"lead_id": vendor.lead.id})
    second = _ok(client, vendor, {"lead_id": vendor.lead.id})
    inline = _ok(client, vendor, {"lead_context": {"lead_name": "Ramesh", "product_name": "Insight Growth"}})
    assert first["draft_id"]
    assert second["draft_id"]
    assert first["draft_id"] != second["draft_id"]
    listed = client.get("/api/v1/followups/drafts", params={"lead_id": vendor.lead.id}, headers=headers).json()
    assert [d["id"] for d in listed["items"]] == [second["draft_id"], first["draft_id"]]
    assert [d["cached"] for d in listed["items"]] == [True, False]
    assert len(client.get("/api/v1/followups/drafts", headers=headers).json()["items"]) == 3
    detail = client.get(f"/api/v1/followups/drafts/{inline['draft_id']}", headers=headers).json()
    assert detail["lead_id"] is None
    assert detail["message"] == inline["message"]
    assert detail["response"]["claims"] == inline["claims"]
    assert detail["created_by_id"] == vendor.owner.id
    missing = client.get("/api/v1/followups/drafts/987654321", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "FollowupDraftNotFound"


def test_a_garbled_model_answer_is_retried_once_then_replaced(client: TestClient, vendor: Vendor) -> None:
    garbled = "Sender:\n[1]\n\nSender:\n[2]\n\nSender:\n[3]\n\nSender:\n[4]"
    model = ScriptedChat([garbled, garbled])
    with override_chat_model(model):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "generative"})
    assert len(model.calls) == 2
    assert 'start with "Hi Ada,"' in model.calls[1].last_user_message
    assert body["fallback"] is True
    assert "not a usable email" in body["fallback_reason"]
    assert body["model_used"] == "playbook"
    assert body["message"].startswith("Hi Ada,")


def test_echoed_prompt_labels_are_removed_from_a_model_answer(client: TestClient, vendor: Vendor) -> None:
    with override_chat_model(ScriptedChat([f"APPROVED EMAIL:\n{GROUNDED}"])):
        body = _ok(client, vendor, {"lead_id": vendor.lead.id, "mode": "assisted"})
    assert body["message"] == GROUNDED
    assert body["mode"] == "assisted"


def _asking(question: str) -> dict[str, Any]:
    return {"lead_name": "Priya", "company_name": "Hooli", "product_name": "Insight Growth", "lead_score": 75,
            "interaction_history": ["Demo held", f"Lead asked: {question}"]}  # fmt: skip


def test_a_question_the_knowledge_base_answers_is_answered_from_it(client: TestClient, vendor: Vendor) -> None:
    body = _ok(client, vendor, {"lead_context": _asking("How much does the Growth plan cost per month?")})
    assert body["question"]["text"] == "How much does the Growth plan cost per month?"
    assert body["question"]["answered"] is True
    assert body["question"]["answerability"] >= 0.5
    assert "$399 per month" in body["message"]
    assert UNANSWERED_QUESTION not in body["message"]
    assert body["grounding_verified"] is True


def test_a_question_the_knowledge_base_cannot_answer_is_left_for_the_team_not_answered_around(
    client: TestClient, vendor: Vendor
) -> None:
    body = _ok(client, vendor, {"lead_context": _asking("Do you have a native iPhone app for offline viewing?")})
    assert body["question"]["answered"] is False
    assert body["question"]["answerability"] < 0.5
    assert UNANSWERED_QUESTION in body["message"]
    assert body["grounding_verified"] is True
    parts = body["confidence_components"]
    assert parts["answerability"] == body["question"]["answerability"]
    assert 0 < body["confidence"] < 1


def test_a_draft_without_a_question_has_no_question_block(client: TestClient, vendor: Vendor) -> None:
    context = {"lead_name": "Priya", "product_name": "Insight Growth", "lead_score": 75,
               "interaction_history": ["Demo held"]}  # fmt: skip
    body = _ok(client, vendor, {"lead_context": context})
    assert body["question"] is None
    assert body["confidence_components"]["answerability"] is None
