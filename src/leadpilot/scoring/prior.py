"""The cold-start model: a transparent points table over the same features as the learnt model.

An org with fewer labelled outcomes than ``ScoringConfig.min_positives`` is scored with this table alone (scores
say ``model: "prior"``); above it the learnt model is blended with it (``scoring.scorer``). Points are log-odds, so
``P = sigmoid(BASE + sum of points)``: a new inbound lead with no other signal starts near 12 %. The table is what
B2B sales teams score by hand (source, seniority, company size, pricing and demo pages, replies, stage, BANT); its
weights are documented in docs/scoring.md and its quality is measured beside the model's at every training run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from leadpilot.scoring.features import FEATURE_INDEX

PRIOR_VERSION = "prior-1"
BASE_LOGIT = -2.0


@dataclass(frozen=True)
class Rule:
    feature: str
    points: Callable[[Any], float]


def _num(value: Any) -> float:
    return value if isinstance(value, float) and not math.isnan(value) else 0.0


def _by_value(table: dict[str, float]) -> Callable[[Any], float]:
    return lambda value: table.get(value, 0.0) if isinstance(value, str) else 0.0


def _steps(*steps: tuple[float, float]) -> Callable[[Any], float]:
    """Points of the highest threshold reached: ``_steps((1, 0.4), (3, 0.7))``."""

    def points(value: Any) -> float:
        number = _num(value)
        result = 0.0
        for threshold, score in steps:
            if number >= threshold:
                result = score
        return result

    return points


def _flag(points: float) -> Callable[[Any], float]:
    return lambda value: points if _num(value) >= 1 else 0.0


def _quiet(value: Any) -> float:
    # no engagement for a month, or never
    return -0.7 if not isinstance(value, float) or math.isnan(value) or value > 30 else 0.0


RULES: tuple[Rule, ...] = (
    Rule(
        "source",
        _by_value(
            {
                "referral": 0.8,
                "demo_request": 0.8,
                "contact_sales": 0.7,
                "partner": 0.5,
                "free_trial": 0.4,
                "content": -0.4,
                "webinar": -0.2,
                "event": -0.2,
                "outbound": -0.6,
            }
        ),
    ),
    Rule("seniority", _by_value({"c_level": 0.5, "vp": 0.5, "director": 0.3, "individual_contributor": -0.4})),
    Rule("company_size_band", _by_value({"1-10": -0.5, "51-200": 0.3, "201-1000": 0.3, "5001+": -0.2})),
    Rule("company_is_customer", _flag(0.3)),
    Rule("personal_email", _flag(-0.3)),
    Rule("pricing_views_30d", _steps((1, 0.4), (3, 0.7))),
    Rule("demo_views_30d", _steps((1, 0.5))),
    Rule("form_submissions", _steps((1, 0.3))),
    Rule("email_replies", _steps((1, 0.7))),
    Rule("email_opens_30d", _steps((2, 0.3))),
    Rule("inbound_7d", _steps((3, 0.4))),
    Rule("days_since_last_inbound", _quiet),
    Rule("careers_views_30d", _steps((1, -0.3))),
    Rule("stage", _by_value({"engaged": 0.5, "qualified": 1.0, "meeting_booked": 1.5})),
    Rule("bant_known", _steps((2, 0.4), (4, 0.6))),
    Rule("email_bounced", _flag(-1.0)),
    Rule("email_opted_out", _flag(-0.8)),
    Rule("high_intent_messages", _steps((1, 0.6))),
    Rule("negative_intent_messages", _steps((1, -1.0))),
)


def prior_contributions(row: Sequence[Any]) -> list[float]:
    """Log-odds points per feature (``FEATURE_NAMES`` order; zero where no rule fires)."""
    contributions = [0.0] * len(row)
    for rule in RULES:
        index = FEATURE_INDEX[rule.feature]
        contributions[index] += rule.points(row[index])
    return contributions


def prior_logit(row: Sequence[Any]) -> float:
    return BASE_LOGIT + sum(prior_contributions(row))


def prior_probability(row: Sequence[Any]) -> float:
    return 1.0 / (1.0 + math.exp(-prior_logit(row)))
