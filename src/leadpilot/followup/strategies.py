"""Which follow-up strategy a lead gets: an intent tier from the lead score and, when one applies, an edge case.

    tier        high (score >= 70) · medium (40-69) · low (< 40)         thresholds: LEADPILOT_FOLLOWUP_*_INTENT_MIN
                no score: the engagement score stands in; neither: medium, with low certainty
    edge case   rejection > not_now > price_objection > cold > none       first that applies wins
                rejection        lead lost / disqualified, or "not interested", "went with another vendor", ...
                not_now          "not now", "next quarter", "circle back", "after the holidays", ...
                price_objection  an objection about price, or "too expensive", "over budget", ...
                cold             no contact for LEADPILOT_FOLLOWUP_COLD_DAYS days or more

A strategy fixes the approach (what the message does), the call to action, which knowledge categories it draws on
and how certain the choice is (``certainty``: an explicit signal — a recorded objection, a lost status — is more
certain than a phrase found in free text, and a score near a tier boundary less certain than one far from it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Tier = Literal["high_intent", "medium_intent", "low_intent"]
EdgeCase = Literal["rejection", "not_now", "price_objection", "cold"]

_REJECTION = re.compile(
    r"\b(?:not interested|no longer interested|no thanks|no, thanks|unsubscribe|stop (?:emailing|contacting|calling)"
    r"|remove me|take me off|went with (?:another|a different|someone)|chose (?:another|a competitor|a different)"
    r"|signed with (?:another|a competitor)|decided (?:against|not to)|not a fit|not a good fit"
    r"|please don'?t contact)\b",
    re.IGNORECASE,
)
_NOT_NOW = re.compile(
    r"\b(?:not now|not right now|not at the moment|not this (?:quarter|year|month)|next (?:quarter|year|month)"
    r"|circle back|check back|reach out (?:again )?(?:later|in)|revisit|maybe later|later this year|bad timing"
    r"|timing (?:isn'?t|is not) right|after the (?:holidays|summer|new year)|in a few (?:weeks|months)|on hold"
    r"|no bandwidth|too busy|budget (?:freeze|is frozen|opens|cycle))\b",
    re.IGNORECASE,
)
_PRICE = re.compile(
    r"\b(?:too expensive|expensive|pricey|over (?:our |the )?budget|out of (?:our )?budget|can'?t afford|cost(?:s)? too"
    r"|cheaper|price(?:s|d)? (?:is |are )?too high|pricing (?:is |was )?(?:high|steep)|lower price|discount)\b",
    re.IGNORECASE,
)
PRICE_OBJECTIONS = {"price", "pricing", "cost", "budget", "expensive", "too_expensive"}
TIMING_OBJECTIONS = {"timing", "not_now", "later", "bad_timing"}
REJECTION_OBJECTIONS = {"not_interested", "competitor_chosen", "rejection", "no_need"}


@dataclass(frozen=True, slots=True)
class Strategy:
    tier: Tier
    edge_case: EdgeCase | None
    approach: str
    cta: str
    categories: tuple[str, ...]
    certainty: float
    reason: str

    @property
    def name(self) -> str:
        return self.edge_case or self.tier


_APPROACHES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (approach, call to action, knowledge categories to draw on, most useful first)
    "high_intent": ("direct_value", "specific", ("pricing", "case_study", "product")),
    "medium_intent": ("educational", "soft", ("product", "case_study", "faq")),
    "low_intent": ("value_first", "stay_relevant", ("product", "faq", "case_study")),
    "price_objection": ("value_justification", "specific", ("pricing", "case_study", "faq")),
    "not_now": ("timing_respect", "permission", ("product", "faq")),
    "cold": ("re_engage", "soft", ("product", "case_study")),
    "rejection": ("graceful_close", "none", ()),
}


def tier_for(score: float | None, *, high_min: float = 70.0, medium_min: float = 40.0) -> Tier:
    if score is None:
        return "medium_intent"
    if score >= high_min:
        return "high_intent"
    return "medium_intent" if score >= medium_min else "low_intent"


def _tier_certainty(score: float | None, high_min: float, medium_min: float) -> float:
    """0.4 without a score; otherwise from 0.5 on a tier boundary to 1.0 fifteen points or more away from it."""
    if score is None:
        return 0.4
    distance = min(abs(score - high_min), abs(score - medium_min))
    return round(0.5 + 0.5 * min(1.0, distance / 15.0), 3)


def choose_strategy(
    *,
    score: float | None,
    engagement_score: float | None = None,
    objections: Sequence[str] = (),
    texts: Sequence[str] = (),
    status: str | None = None,
    days_since_contact: int | None = None,
    high_min: float = 70.0,
    medium_min: float = 40.0,
    cold_days: int = 30,
) -> Strategy:
    """The strategy for a lead. ``objections`` are recorded objection labels (e.g. "price"); ``texts`` the lead's
    own words and the notes about it (interaction history, recent messages), newest first."""
    basis = score if score is not None else engagement_score
    tier = tier_for(basis, high_min=high_min, medium_min=medium_min)
    tier_certainty = _tier_certainty(basis, high_min, medium_min)
    labels = {o.strip().lower().replace(" ", "_") for o in objections if o and o.strip()}
    joined = " \n ".join(t for t in texts if t)

    edge: EdgeCase | None = None
    signal_certainty = 1.0
    reason = f"lead score {basis:.0f}" if basis is not None else "no lead score (medium assumed)"
    if status in {"lost", "disqualified"} or labels & REJECTION_OBJECTIONS:
        edge, signal_certainty, reason = "rejection", 0.95, f"lead is {status or 'marked as not interested'}"
    elif match := _REJECTION.search(joined):
        edge, signal_certainty, reason = "rejection", 0.8, f'the lead said "{match.group(0)}"'
    elif labels & TIMING_OBJECTIONS:
        edge, signal_certainty, reason = "not_now", 0.9, "timing objection recorded"
    elif match := _NOT_NOW.search(joined):
        edge, signal_certainty, reason = "not_now", 0.75, f'the lead said "{match.group(0)}"'
    elif labels & PRICE_OBJECTIONS:
        edge, signal_certainty, reason = "price_objection", 0.9, "price objection recorded"
    elif match := _PRICE.search(joined):
        edge, signal_certainty, reason = "price_objection", 0.75, f'price concern: "{match.group(0)}"'
    elif days_since_contact is not None and days_since_contact >= cold_days:
        edge, signal_certainty, reason = "cold", 0.85, f"no contact for {days_since_contact} days"

    approach, cta, categories = _APPROACHES[edge or tier]
    # An edge case decides the message more than the tier does; the tier still shapes its call to action.
    certainty = tier_certainty if edge is None else round(0.7 * signal_certainty + 0.3 * tier_certainty, 3)
    return Strategy(tier=tier, edge_case=edge, approach=approach, cta=cta, categories=categories,
                    certainty=certainty, reason=reason)  # fmt: skip
