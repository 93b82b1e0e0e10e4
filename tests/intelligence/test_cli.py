"""``leadpilot intel``: analyse a text, evaluate on the held-out set, annotate the backlog."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from leadpilot.cli.main import app
from leadpilot.intelligence.classifier import IntelligenceModel

runner = CliRunner()


def test_analyze_prints_the_findings(model: IntelligenceModel) -> None:
    text = "I need to check with my boss, but we could start next quarter."
    result = runner.invoke(app, ["intel", "analyze", text, "--at", "2026-01-20"])
    assert result.exit_code == 0, result.output
    assert "timeline   2026-04-01" in result.output
    assert "approver boss" in result.output
    as_json = runner.invoke(app, ["intel", "analyze", "STOP", "--json"])
    assert json.loads(as_json.output)["intent"]["label"] == "unsubscribe"
    assert runner.invoke(app, ["intel", "analyze", "  "]).exit_code == 1


def test_eval_prints_every_task_against_the_majority_class(model: IntelligenceModel) -> None:
    result = runner.invoke(app, ["intel", "eval"])
    assert result.exit_code == 0, result.output
    for task in ("intent", "objection", "sentiment", "emotion", "buying_signal"):
        line = next(line for line in result.output.splitlines() if line.startswith(task))
        accuracy, macro_f1, majority_accuracy, majority_f1 = (float(v.rstrip("%")) for v in line.split()[1:5])
        assert accuracy >= majority_accuracy
        assert macro_f1 > majority_f1
