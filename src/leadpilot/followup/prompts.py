"""Prompts of the model-written modes. The same rules in every prompt: facts only from the SOURCES and LEAD
sections, no invented figures, names or superlatives — the claim check enforces them afterwards anyway."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from leadpilot.followup.context import LeadProfile
from leadpilot.followup.grounding import GroundingReport
from leadpilot.followup.strategies import Strategy
from leadpilot.llm.chat import ChatMessage

SOURCE_CHARS = 700
SOURCES_BUDGET = 2400

_GUIDANCE = {
    "high_intent": "The lead is close to buying: give the most relevant concrete value point and propose a short call.",
    "medium_intent": "The lead is evaluating: share one useful, educational point and offer a tailored walkthrough.",
    "low_intent": "The lead is early: offer something useful with no pressure and no hard ask.",
    "price_objection": "The lead finds the price high: acknowledge it, state pricing facts from the sources, offer a "
    "cost breakdown.",
    "not_now": "The lead said the timing is wrong: respect it, keep it short, ask when to check back.",
    "cold": "The lead went quiet a while ago: re-open gently with one new, relevant point and a yes/no question.",
    "rejection": "The lead declined: thank them, confirm you will stop following up, leave the door open. No pitch.",
}


def _system(profile: LeadProfile, max_words: int) -> str:
    sender = profile.org_name or "our company"
    return (
        f"You write short sales follow-up emails on behalf of {sender}.\n"
        "Rules:\n"
        "- State only facts written in the SOURCES or LEAD sections. Copy prices, numbers, percentages, dates, "
        "customer names and product names exactly as written there; never add one that is not there.\n"
        "- No superlatives (best, fastest, #1, leading, guaranteed) unless a source says them.\n"
        f"- Plain text, no subject line, no placeholders, under {max_words} words, one question at the end.\n"
        "- Output only the email."
    )


def _lead_lines(profile: LeadProfile) -> str:
    rows = [
        ("Name", profile.full_name), ("Company", profile.company_name), ("Industry", profile.industry),
        ("Company size", profile.company_size), ("Region", profile.region), ("Product of interest", profile.product),
        ("Stage", profile.stage), ("Last interaction", profile.interaction_phrase),
        ("Days since last contact", None if profile.days_since_contact is None else str(profile.days_since_contact)),
        ("Objections", ", ".join(profile.objections) or None), ("Tone", profile.tone),
        ("Sender", profile.sender_name),
    ]  # fmt: skip
    lines = [f"- {label}: {value}" for label, value in rows if value]
    if profile.texts:
        lines.append(f"- Latest words from or about the lead: {profile.texts[0][:300]}")
    return "\n".join(lines) or "- (nothing known)"


def _source_lines(sources: Sequence[Any]) -> str:
    lines: list[str] = []
    used = 0
    for number, source in enumerate(sources, start=1):
        text = re.sub(r"\s+", " ", source.text).strip()[:SOURCE_CHARS]
        if used + len(text) > SOURCES_BUDGET and lines:
            break
        used += len(text)
        lines.append(f"[{number}] {source.document_title}: {text}")
    return "\n".join(lines) or "(no sources: state no facts about the product)"


def assisted_messages(
    strict_draft: str, profile: LeadProfile, strategy: Strategy, *, max_words: int
) -> list[ChatMessage]:
    tone = profile.tone or "friendly and professional"
    return [
        ChatMessage.system(_system(profile, max_words)),
        ChatMessage.user(
            f"Rewrite this approved email in a {tone} tone so it reads naturally. Keep every fact exactly as "
            f"written and add none.\n\nSTRATEGY: {_GUIDANCE[strategy.name]}\n\nLEAD:\n{_lead_lines(profile)}\n\n"
            f"APPROVED EMAIL:\n{strict_draft}"
        ),
    ]


def generative_messages(
    sources: Sequence[Any] | None,
    profile: LeadProfile,
    strategy: Strategy,
    *,
    max_words: int,
    unanswered_question: str | None = None,
) -> list[ChatMessage]:
    """``sources`` None: the fine-tuned model writes from the lead's facts alone (it learnt the style, not the
    facts); the claim check still holds it to the knowledge base. ``unanswered_question``: the lead's question the
    sources do not answer; the model is told to say it will be checked rather than answer it."""
    prompt = (f"Write a follow-up email to this lead.\n\nSTRATEGY: {_GUIDANCE[strategy.name]}\n\n"
              f"LEAD:\n{_lead_lines(profile)}")  # fmt: skip
    if unanswered_question:
        prompt += (f"\n\nThe lead asked: \"{unanswered_question}\" The sources do not answer it. Do not answer it "
                   "or guess; say the team will check and come back with a precise answer.")  # fmt: skip
    if sources is not None:
        prompt += f"\n\nSOURCES:\n{_source_lines(sources)}"
    return [ChatMessage.system(_system(profile, max_words)), ChatMessage.user(prompt)]


def rewrite_messages(previous: list[ChatMessage], draft: str, report: GroundingReport) -> list[ChatMessage]:
    return [
        *previous,
        ChatMessage.assistant(draft),
        ChatMessage.user(
            "These claims in your email are not supported by the SOURCES or the LEAD facts:\n"
            f"{report.feedback()}\n\nRewrite the email without them, or with the exact figures and names the "
            "sources give. Output only the email."
        ),
    ]


_LABEL_LINE = re.compile(
    r"^\s*(?:approved email|email|lead|sources?|strategy|sender|rules?|output|\[\d+\])\s*:?\s*$", re.IGNORECASE
)
# A line of the prompt's LEAD section ("- Company: Globex") or a section header repeated by the model.
_ECHO_LINE = re.compile(r"^\s*(?:-\s*[A-Z][\w ]{1,30}:\s|(?:STRATEGY|LEAD|SOURCES|RULES|APPROVED EMAIL)\b)")
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon))\b", re.IGNORECASE)
_SIGNOFF = re.compile(r"^\s*(?:best|kind|warm)?\s*(?:regards|wishes|cheers|thanks|thank you|sincerely)\b[^.?!]*$",
                      re.IGNORECASE)  # fmt: skip
_NAME_LINE = re.compile(r"^[A-Z][\w.&'\u2019-]*(?:\s+[A-Z0-9][\w.&'\u2019-]*){0,4}$")
_LABEL_PREFIX = re.compile(r"^(?:approved email|email|output)\s*:\s*", re.IGNORECASE)


def retry_messages(previous: list[ChatMessage], answer: str, problem: str, profile: LeadProfile) -> list[ChatMessage]:
    name = profile.first_name or "the lead"
    return [
        *previous,
        ChatMessage.assistant(answer),
        ChatMessage.user(
            f'That is not usable: {problem}. Write the email itself: start with "Hi {name},", then two to four '
            "plain sentences using only the facts given, then one question. Output only the email."
        ),
    ]


def clean_output(text: str, *, max_words: int) -> str:
    """The email body of a model's answer: no code fence, subject line, echoed prompt labels or wrapping quotes; cut
    at a sentence end near ``max_words``."""
    text = text.strip()
    text = re.sub(r"^```\w*\s*|\s*```$", "", text).strip()
    text = re.sub(r"^(?:subject|re)\s*:.*\n+", "", text, flags=re.IGNORECASE).strip()
    lines = [line for line in text.splitlines() if not _LABEL_LINE.match(line) and not _ECHO_LINE.match(line)]
    # Small models repeat the prompt before the email and ramble after it: keep greeting .. sign-off.
    greeting = next((i for i, line in enumerate(lines) if _GREETING.match(line)), None)
    if greeting is not None:
        lines = lines[greeting:]
    signoff = next((i for i, line in enumerate(lines) if _SIGNOFF.match(line)), None)
    if signoff is not None:
        tail = []
        for line in lines[signoff + 1 : signoff + 3]:  # the sender's name and company, nothing else
            if not _NAME_LINE.match(line.strip()) or line.strip().lower() in {"no", "yes", "ok", "okay"}:
                break
            tail.append(line.strip())
        lines = [*lines[: signoff + 1], *tail]
    text = "\n".join(lines).strip()
    text = _LABEL_PREFIX.sub("", text).strip()
    if len(text) > 1 and text[0] in '"\u201c' and text[-1] in '"\u201d':
        text = text[1:-1].strip()
    words = list(re.finditer(r"\S+", text))
    if len(words) > max_words:
        cut = text[: words[max_words - 1].end()]
        end = max(cut.rfind("."), cut.rfind("?"), cut.rfind("!"))
        text = cut[: end + 1] if end > len(cut) // 2 else cut
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def unusable(text: str, profile: LeadProfile) -> str | None:
    """Why a model's answer is not an email to this lead (None when it is one). A text with no checkable claim passes
    the claim check, so an empty or garbled answer must be caught here."""
    words = re.findall(r"\S+", text)
    if len(words) < 12:
        return "the answer is too short to be an email"
    if sum(bool(re.search(r"[A-Za-z]{2,}", w)) for w in words) < 0.7 * len(words):
        return "the answer is mostly not words"
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    if lines and len(set(lines)) < 0.7 * len(lines):
        return "the answer repeats itself"
    if not re.search(r"[.!?]", text):
        return "the answer has no sentence"
    if re.search(r"\b(?:STRATEGY|SOURCES|APPROVED EMAIL)\b|^LEAD:", text, flags=re.MULTILINE):
        return "the answer repeats the instructions"
    if profile.first_name and profile.first_name.lower() not in text.lower():
        return f"the answer does not address {profile.first_name}"
    return None
