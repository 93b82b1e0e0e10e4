"""Quality floor of the shipped classifiers on the held-out set (never used for training). The floors are the
macro-F1 measured when the set was written (docs/intelligence.md) minus a margin of 0.06."""

from __future__ import annotations

import pytest

from leadpilot.intelligence.classifier import IntelligenceModel, evaluate_heldout

FLOORS = {"intent": 0.64, "objection": 0.64, "sentiment": 0.65, "emotion": 0.54, "buying_signal": 0.67}


@pytest.fixture(scope="module")
def heldout(model: IntelligenceModel, embed) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    return evaluate_heldout(model, embed)


@pytest.mark.parametrize("task", sorted(FLOORS))
def test_macro_f1_on_the_heldout_set_stays_above_its_floor(task: str, heldout: dict[str, dict[str, float]]) -> None:
    scores = heldout[task]
    assert scores["macro_f1"] >= FLOORS[task], scores
    assert scores["macro_f1"] > scores["majority_macro_f1"] + 0.3, scores
    assert scores["accuracy"] >= scores["majority_accuracy"], scores
