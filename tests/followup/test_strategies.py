"""Strategy selection: intent tiers from the lead score and the edge cases that override them."""

from __future__ import annotations

import pytest

from leadpilot.followup.strategies import choose_strategy, tier_for


@pytest.mark.parametrize(
    ("score", "tier"), [(95, "high_intent"), (70, "high_intent"), (69.9, "medium_intent"), (40, "medium_intent"),
                        (39, "low_intent"), (0, "low_intent"), (None, "medium_intent")],
)  # fmt: skip
def test_tiers_follow_the_score(score: float | None, tier: str) -> None:
    assert tier_for(score) == tier


def test_thresholds_are_configurable() -> None:
    assert tier_for(65, high_min=60, medium_min=30) == "high_intent"
    assert tier_for(25, high_min=60, medium_min=30) == "low_intent"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"score": 80, "status": "lost"}, "rejection"),
        ({"score": 80, "texts": ["Thanks, but we went with another vendor."]}, "rejection"),
        ({"score": 55, "texts": ["Not now — maybe next quarter."]}, "not_now"),
        ({"score": 55, "objections": ["timing"]}, "not_now"),
        ({"score": 72, "objections": ["price"]}, "price_objection"),
        ({"score": 72, "texts": ["Honestly it looks too expensive for us."]}, "price_objection"),
        ({"score": 50, "days_since_contact": 45}, "cold"),
        ({"score": 50, "days_since_contact": 5}, "medium_intent"),
        ({"score": 20, "texts": ["Asked about pricing, stopped responding"]}, "low_intent"),
    ],
)
def test_edge_cases_override_the_tier(kwargs: dict, name: str) -> None:
    assert choose_strategy(**kwargs).name == name


def test_a_rejection_wins_over_a_price_objection_and_keeps_the_tier() -> None:
    strategy = choose_strategy(score=85, objections=["price"], texts=["Not interested, please stop emailing."])
    assert strategy.name == "rejection"
    assert strategy.tier == "high_intent"
    assert strategy.cta == "none"


def test_certainty_is_lower_near_a_boundary_and_without_a_score() -> None:
    far = choose_strategy(score=95).certainty
    near = choose_strategy(score=71).certainty
    unknown = choose_strategy(score=None).certainty
    assert far > near > unknown
    recorded = choose_strategy(score=95, objections=["price"]).certainty
    phrase = choose_strategy(score=95, texts=["a bit expensive"]).certainty
    assert recorded > phrase
