"""``leadpilot followup draft``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from leadpilot.cli.main import app
from leadpilot.llm import override_chat_model
from tests.followup.conftest import Vendor

runner = CliRunner()


def test_draft_prints_the_message_with_its_claim_check(vendor: Vendor) -> None:
    with override_chat_model(None):
        result = runner.invoke(app, ["followup", "draft", "--lead", str(vendor.lead.id), "--org", vendor.org.slug])
        as_json = runner.invoke(app, ["followup", "draft", "--lead", str(vendor.lead.id), "--org", vendor.org.slug,
                                      "--json", "--mode", "strict"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Hi Ada,")
    assert "claims verified" in result.output
    assert "[supported]" in result.output
    body = json.loads(as_json.output)
    assert body["grounding_verified"] is True
    assert body["mode"] == "strict"


def test_draft_reports_a_missing_lead_and_a_bad_mode(vendor: Vendor) -> None:
    missing = runner.invoke(app, ["followup", "draft", "--lead", "987654321", "--org", vendor.org.slug])
    assert missing.exit_code == 1
    assert "LeadNotFound" in missing.output
    bad = runner.invoke(app, ["followup", "draft", "--lead", "1", "--mode", "loud", "--org", vendor.org.slug])
    assert bad.exit_code == 2
