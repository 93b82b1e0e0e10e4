"""Strict mode: approved wording, no model. One template per strategy, filled from the lead's CRM facts and from
knowledge-base extracts — whole sentences copied verbatim from the retrieved chunks — so every fact the message
states is a fact a source states.

The templates themselves state no number, date, name or superlative: whatever the claim check finds in a strict
draft comes from a CRM fact or an extract.

    select_extracts(chunks, query_vector, ...)   sentences of the retrieved chunks ranked by similarity to what the
                                                 strategy needs (pricing for a price objection, ...), the product
                                                 named, and the chunk's weight; distinct chunks first
    render(strategy, profile, extracts)          the message
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadpilot.followup.context import LeadProfile
from leadpilot.followup.grounding import embed_sentences, extract_claims, normalise_text, split_sentences
from leadpilot.followup.strategies import Strategy

# How many extracts each strategy quotes.
EXTRACTS = {"high_intent": 2, "medium_intent": 2, "low_intent": 1, "price_objection": 2, "not_now": 1, "cold": 2,
            "rejection": 0}  # fmt: skip
# What each strategy looks for in the knowledge base, added to the product and the lead's topic.
FOCUS = {
    "high_intent": "plans pricing what is included results customers achieved",
    "medium_intent": "how it works features benefits use cases",
    "low_intent": "overview what it does benefits",
    "price_objection": "pricing plans cost annual billing discount value return on investment",
    "not_now": "overview benefits getting started later",
    "cold": "new features updates customer results",
    "rejection": "",
}
MIN_EXTRACT_CHARS = 30
MAX_EXTRACT_CHARS = 320


@dataclass(frozen=True, slots=True)
class Extract:
    sentence: str
    chunk_id: int
    score: float


@dataclass(frozen=True, slots=True)
class WeightedChunk:
    """A retrieved chunk with its score after the strategy's (or the request's) category weights."""

    chunk: Any
    score: float


_QUESTION = re.compile(r"[^.!?\n]{8,240}\?")
_LABEL = re.compile(r"^[\w ]{1,30}:\s+(?=\S.{7,})")  # "Lead asked: ...", "Q: ..." in an interaction history


def lead_question(profile: LeadProfile) -> str | None:
    """The lead's most recent question (texts are newest first), so that retrieval looks for its answer."""
    for text in profile.texts[:3]:
        found = _QUESTION.findall(text)
        if found:
            return _LABEL.sub("", str(found[-1]).strip())
    return None


def retrieval_query(strategy: Strategy, profile: LeadProfile, *, with_question: bool = True) -> str:
    """What the follow-up's sources are retrieved with: the lead's question first (left out when the knowledge base
    cannot answer it, so that the extracts serve the strategy instead of half-matching the question)."""
    question = lead_question(profile) if with_question else None
    parts = [question or "", profile.product or "", profile.product_category or "",
             FOCUS[strategy.name], profile.interaction_topic or "", " ".join(profile.objections),
             profile.industry or ""]  # fmt: skip
    return " ".join(p for p in parts if p).strip() or "product overview"


# A quoted sentence must read as a sentence: it has a verb. Documents also hold table rows, feature lists and
# headings ("Scheduled reports by email and Slack (Growth and above).") that say true things but read badly.
_VERB = re.compile(
    r"\b(?:is|are|was|were|been|has|have|had|can|could|will|would|does|did|includes|included|costs|gives|gets|"
    r"lets|helps|helped|adds|added|offers|offered|cut|cuts|lifted|reduced|saves|saved|uses|used|supports|runs|keeps|"
    r"comes|starts|stays|works|connects|syncs|sends|arrive|arrives|shows|replaced|moved|grew|doubled|raised|lowered|"
    r"improved|needs|takes|took|means|pays|renews|billed|hosted|stored|encrypted|allows|provides|brings|builds|"
    r"becomes|remains|apply|applies|onboarded|expire|expires)\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"(?:It|Its|This|These|That|Those|They|Their|Them|He|She|Both|Each|Such|Here)\b")
_NOT_PROSE = re.compile(
    r"\b(?:click here|see below|this document|table of contents|internal only|sku)\b|\|", re.IGNORECASE
)


def _usable(sentence: str) -> bool:
    if not MIN_EXTRACT_CHARS <= len(sentence) <= MAX_EXTRACT_CHARS or len(sentence.split()) < 7:
        return False
    if not sentence[0].isupper() or sentence[-1] not in '.!)"\u201d':
        return False
    if ": " in sentence or _NOT_PROSE.search(sentence):
        return False
    # "It is included in ..." out of its paragraph no longer says what "it" is.
    if _DANGLING.match(sentence):
        return False
    return _VERB.search(sentence) is not None


def select_extracts(
    chunks: Sequence[WeightedChunk],
    *,
    strategy: Strategy,
    profile: LeadProfile,
    embedder: Any,
    query: str,
    count: int | None = None,
    question: str | None = None,
) -> list[Extract]:
    """The best ``count`` sentences of ``chunks`` for this strategy, at most one per chunk unless there are fewer
    chunks than extracts. With the lead's ``question`` (one the knowledge base answers), the sentence closest to it
    comes first: the answer leads, the strategy's points follow."""
    wanted = EXTRACTS[strategy.name] if count is None else count
    if wanted == 0 or not chunks:
        return []
    candidates: list[tuple[str, int, float]] = []
    for item in chunks:
        for sentence in split_sentences(item.chunk.text):
            if _usable(sentence):
                candidates.append((sentence, item.chunk.chunk_id, item.score))
    if not candidates:
        return []
    # the candidates are knowledge-base sentences, seen again and again, and the question is embedded again for the
    # draft's confidence: both through the process's sentence cache
    vectors = np.vstack([embedder.embed([query]),
                         embed_sentences(embedder, [question or query, *(c[0] for c in candidates)])])  # fmt: skip
    similarities = vectors[2:] @ vectors[0]
    answer = int((vectors[2:] @ vectors[1]).argmax()) if question else None
    top_chunk_score = max(item.score for item in chunks) or 1.0
    product = normalise_text(profile.product or "")
    ranked: list[Extract] = []
    for (sentence, chunk_id, chunk_score), similarity in zip(candidates, similarities, strict=True):
        score = float(similarity) + 0.15 * (chunk_score / top_chunk_score)
        if product and product in normalise_text(sentence):
            score += 0.1
        kinds = {c.kind for c in extract_claims(sentence)}
        if strategy.name == "price_objection" and "money" in kinds:
            score += 0.2
        if strategy.name in {"high_intent", "cold"} and kinds & {"percentage", "number"}:
            score += 0.05
        if "superlative" in kinds:
            score -= 0.1  # a source may say it, but approved wording prefers plain facts
        ranked.append(Extract(sentence, chunk_id, round(score, 4)))
    chosen: list[Extract] = [ranked[answer]] if answer is not None else []
    ranked.sort(key=lambda e: -e.score)
    seen_text = {normalise_text(e.sentence) for e in chosen}
    for allow_same_chunk in (False, True):
        for extract in ranked:
            if len(chosen) == wanted:
                break
            key = normalise_text(extract.sentence)
            if key in seen_text or (not allow_same_chunk and any(c.chunk_id == extract.chunk_id for c in chosen)):
                continue
            chosen.append(extract)
            seen_text.add(key)
    return chosen


def _company_or_team(profile: LeadProfile) -> str:
    # "Acme Inc." followed by the template's own full stop would end the sentence twice.
    return (profile.company_name or "").rstrip(". ") or "your team"


def _product(profile: LeadProfile) -> str:
    return profile.product or "what we offer"


def _formal(profile: LeadProfile) -> bool:
    return (profile.tone or "").lower() in {"formal", "professional", "formal_professional"}


def _greeting(profile: LeadProfile) -> str:
    name = profile.first_name or "there"
    return f"Dear {name}," if _formal(profile) and profile.first_name else f"Hi {name},"


def _signoff(profile: LeadProfile) -> str:
    lines = ["Kind regards," if _formal(profile) else "Best regards,"]
    if profile.sender_name:
        lines.append(profile.sender_name)
    if profile.org_name:
        lines.append(profile.org_name)
    return "\n".join(lines)


def _opener(profile: LeadProfile) -> tuple[str, bool]:
    """The first sentence, and whether it already names the product."""
    if profile.interaction_phrase:
        return f"Thanks for {profile.interaction_phrase}.", False
    if profile.product:
        return f"I wanted to follow up on your interest in {profile.product}.", True
    return "I wanted to follow up on our last conversation.", False


# Any question can land here (a product detail the documents lack, or "which days suit you?"): the wording promises
# an answer from a person without saying what kind of question it was.
UNANSWERED_QUESTION = (
    "On your question, I'd rather give you a precise answer than a guess: I've passed it to the right person on our "
    "team and will get back to you."
)


def render(
    strategy: Strategy, profile: LeadProfile, extracts: Sequence[Extract], *, unanswered_question: bool = False
) -> str:
    """The strict draft of ``strategy`` for ``profile`` quoting ``extracts``; ``unanswered_question``: the lead asked
    something the knowledge base does not answer, and the draft says so instead of answering around it."""
    quoted = "\n\n".join(e.sentence for e in extracts)
    team = _company_or_team(profile)
    product = _product(profile)
    opener, named = _opener(profile)
    as_you_look = "" if named else f" as you look at {product}"
    as_you_decide = "" if named else f" as you decide on {product}"
    name = strategy.name
    if name == "rejection":
        body = [
            "Thank you for letting me know. I'll close this out on my side and won't keep following up.",
            f"If anything changes for {team}, just reply to this email and I'll pick it up from there.",
        ]
    else:
        # (opening, call to action) per strategy; the quoted extracts go between them.
        opening, closing = {
            "not_now": ("Understood: the timing isn't right at the moment, and I don't want to crowd your inbox.",
                        "When would be a better time for me to check back in?"),
            "price_objection": (f"{opener} I understand that price matters, so here is what our documentation says:",
                                f"Would it help if I put together a cost breakdown for {team} so you can compare the "
                                "options?"),
            "cold": (f"It has been a while since we last spoke, so I wanted to share something about {product}.",
                     f"Is this still on your radar at {team}? A quick yes or no helps me know whether to keep you "
                     "posted."),
            "high_intent": (f"{opener} Here is what matters most{as_you_decide}:",
                            f"Would you have time this week for a short call to map this to {team}? I can walk you "
                            "through it with your own setup in mind."),
            "medium_intent": (f"{opener} I thought this might be useful{as_you_look}:",
                              f"If it helps, I can send over a short walkthrough tailored to {team}. Would that be "
                              "useful?"),
            "low_intent": (f"{opener} No action needed, just something you may find useful:",
                           f"If {product} becomes a priority for {team}, I'm happy to help."),
        }[name]  # fmt: skip
        if quoted and name == "not_now":
            quoted = f"One thing worth keeping in mind for later:\n\n{quoted}"
        body = [opening, *([quoted] if quoted else []), closing]
    if unanswered_question and name != "rejection":
        body.insert(1, UNANSWERED_QUESTION)
    return "\n\n".join([_greeting(profile), *body, _signoff(profile)])
