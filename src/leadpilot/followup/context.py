"""What a follow-up knows about its lead (``LeadProfile``), from the CRM record or from an inline context, and the
facts derived from it:

    profile_from_crm(repo, lead_id)   lead → contact, company, owner, deals, latest activities / notes / messages
    profile_from_context(context)     the request's inline fields
    crm_facts(profile, products)      name → text: what the claim check accepts as the CRM record
    product_aliases(products)         every name a product may be called by ("Growth plan") → its catalogue name
    personalisation(message, profile) which of the lead's known facts the message uses (the personalisation score)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from leadpilot.crm.models import Activity, Product
from leadpilot.followup.grounding import normalise_text
from leadpilot.followup.repository import FollowupDataRepository
from leadpilot.followup.schemas import LeadContext
from leadpilot.kit.clock import utcnow

# What the last interaction was, in words a message can use ("Thanks for ...").
_ACTIVITY_PHRASES: dict[str, tuple[str, str]] = {
    # type: (phrase, topic word the personalisation check looks for)
    "meeting": ("your time in our meeting", "meeting"),
    "call": ("your time on our call", "call"),
    "email_replied": ("your reply to my email", "reply"),
    "form_submitted": ("reaching out through our website", "reaching out"),
    "sms_received": ("your message", "message"),
    "purchase": ("your recent order", "order"),
}  # opens and clicks are tracking signals, not something to thank a person for
_HISTORY_TOPICS: tuple[tuple[str, str, str], ...] = (
    # pattern in the interaction history, phrase, topic word
    (r"pric|cost|quote|budget", "your questions about pricing", "pricing"),
    (r"\bdemo\b", "your interest in a demo", "demo"),
    (r"trial", "trying out our product", "trial"),
    (r"webinar|event", "joining our webinar", "webinar"),
    (r"download|whitepaper|guide|ebook|e-book|report", "downloading our guide", "guide"),
    (r"meeting|met\b", "your time in our meeting", "meeting"),
    (r"call|spoke|phone", "your time on our call", "call"),
    (r"email|replied|wrote|message", "your message", "message"),
)


@dataclass(frozen=True)
class LeadProfile:
    lead_id: int | None = None
    first_name: str | None = None
    full_name: str | None = None
    company_name: str | None = None
    industry: str | None = None
    company_size: str | None = None
    region: str | None = None
    product: str | None = None
    product_category: str | None = None
    stage: str | None = None
    status: str | None = None
    score: float | None = None
    engagement_score: float | None = None
    days_since_contact: int | None = None
    objections: tuple[str, ...] = ()
    interaction_phrase: str | None = None
    interaction_topic: str | None = None
    texts: tuple[str, ...] = ()
    tone: str | None = None
    sender_name: str | None = None
    org_name: str | None = None
    extra_facts: tuple[tuple[str, str], ...] = field(default=())

    def cache_facts(self) -> dict[str, Any]:
        return asdict(self)


def _size_band(employees: int | None) -> str | None:
    if employees is None:
        return None
    for limit, band in ((10, "micro"), (50, "small"), (250, "midmarket"), (1000, "upper midmarket")):
        if employees < limit:
            return band
    return "enterprise"


def _money(amount: Decimal | None, currency: str | None) -> str | None:
    if amount is None:
        return None
    return f"{currency or ''} {amount:,.2f}".strip()


def _interaction_from_history(history: str) -> tuple[str | None, str | None]:
    for pattern, phrase, topic in _HISTORY_TOPICS:
        if re.search(pattern, history, flags=re.IGNORECASE):
            return phrase, topic
    return None, None


def _interaction_from_activities(activities: Sequence[Activity]) -> tuple[str | None, str | None]:
    for activity in activities:
        if activity.type == "web_visit":
            url = (activity.url or "").lower()
            if "pricing" in url:
                return "taking a look at our pricing", "pricing"
            if "demo" in url:
                return "your interest in a demo", "demo"
            continue
        if activity.type in _ACTIVITY_PHRASES:
            return _ACTIVITY_PHRASES[activity.type]
    return None, None


def _objection_labels(annotations: Mapping[str, Any]) -> list[str]:
    labels: list[str] = []
    for item in annotations.get("objections") or []:
        if isinstance(item, str):
            labels.append(item)
        elif isinstance(item, Mapping):
            label = item.get("label") or item.get("type") or item.get("kind")
            if isinstance(label, str):
                labels.append(label)
    return labels


def profile_from_context(context: LeadContext, *, org_name: str | None = None) -> LeadProfile:
    history = context.interaction_history
    lines = [history] if isinstance(history, str) else list(history or [])
    joined = "\n".join(lines)
    phrase, topic = _interaction_from_history(joined)
    name = context.lead_name.strip()
    return LeadProfile(
        first_name=name.split()[0], full_name=name, company_name=context.company_name,
        industry=context.lead_industry, company_size=context.company_size, region=context.geographic_region,
        product=context.product_name, product_category=context.product_category, stage=context.lead_stage,
        score=context.lead_score, engagement_score=context.engagement_score,
        days_since_contact=context.days_since_contact, objections=tuple(context.objections_raised),
        interaction_phrase=phrase, interaction_topic=topic, texts=tuple(reversed(lines)), tone=context.tone_required,
        org_name=org_name,
    )  # fmt: skip


def _days_since(moments: Iterable[datetime | None], now: datetime) -> int | None:
    known = [m for m in moments if m is not None]
    return max(0, (now - max(known)).days) if known else None


def profile_from_crm(repo: FollowupDataRepository, lead_id: int) -> LeadProfile:
    """The lead's profile; raises ``LeadNotFound`` for a missing lead and for another org's lead alike."""
    lead = repo.access_by_id(lead_id)
    contact = repo.contact(lead.contact_id)
    company = repo.company(lead.company_id or (contact.company_id if contact else None))
    owner = repo.user(lead.owner_id or (contact.owner_id if contact else None))
    org = repo.org()
    activities = repo.activities(lead)
    notes = repo.notes(lead)
    messages = repo.inbound_messages(lead.contact_id) if contact else []
    last_message = repo.last_message_at(lead.contact_id) if contact else None

    phrase, topic = None, None
    if messages and (not activities or messages[0].created_at >= activities[0].occurred_at):
        phrase, topic = "your message", "message"
    else:
        phrase, topic = _interaction_from_activities(activities)
    objections: list[str] = []
    for message in messages:
        objections += _objection_labels(message.annotations or {})
    texts = [m.text for m in messages if m.text] + [n.body for n in notes if n.body]
    if lead.lost_reason:
        texts.insert(0, lead.lost_reason)
    now = utcnow()
    days = _days_since(
        [lead.last_contacted_at, activities[0].occurred_at if activities else None,
         last_message.created_at if last_message else None], now,
    )  # fmt: skip
    first = contact.first_name if contact else None
    full = " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else None
    extra: list[tuple[str, str]] = []
    if company is not None and company.employee_count is not None:
        extra.append(("company_employees", f"{company.employee_count} employees"))
    if lead.budget_amount is not None:
        extra.append(("budget", _money(lead.budget_amount, lead.budget_currency) or ""))
    if lead.need:
        extra.append(("need", lead.need))
    if lead.timeline is not None:
        extra.append(("timeline", lead.timeline.isoformat()))
    for deal in repo.deals(lead.id):
        text = deal.name + (f": {_money(deal.amount, deal.currency)}" if deal.amount is not None else "")
        extra.append((f"deal:{deal.id}", text))
    if contact is not None and contact.title:
        extra.append(("title", contact.title))
    return LeadProfile(
        lead_id=lead.id, first_name=first or (full.split()[0] if full else None), full_name=full or None,
        company_name=company.name if company else None, industry=company.industry if company else None,
        company_size=_size_band(company.employee_count) if company else None,
        region=(contact.country if contact else None) or (company.country if company else None),
        product=lead.product_interest, stage=lead.stage, status=lead.status, score=lead.score,
        days_since_contact=days, objections=tuple(dict.fromkeys(objections)), interaction_phrase=phrase,
        interaction_topic=topic, texts=tuple(t[:2000] for t in texts), sender_name=owner.name if owner else None,
        org_name=org.name if org else None, extra_facts=tuple(extra),
    )  # fmt: skip


def _base_name(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def product_aliases(products: Sequence[Product]) -> dict[str, str]:
    """Catalogue names, the same without a "(monthly)"-style suffix, and for plans "<last word> plan" and the last
    word alone ("Growth", matched only when capitalised)."""
    aliases: dict[str, str] = {}
    for product in products:
        base = _base_name(product.name)
        for alias in (product.name, base):
            if len(alias) >= 3:
                aliases.setdefault(alias, product.name)
        if (product.category or "").lower() == "plan" and len(base.split()) > 1:
            aliases.setdefault(f"{base.split()[-1]} plan", product.name)
            aliases.setdefault(base.split()[-1], product.name)
    return aliases


_PERIOD_WORDS = {"month": "per month", "year": "per year", "one_time": "one-time"}


def crm_facts(profile: LeadProfile, products: Sequence[Product] = ()) -> dict[str, str]:
    """The CRM record as name → text, the evidence the claim check accepts besides the knowledge base."""
    facts: dict[str, str] = {}
    for key in ("full_name", "first_name", "company_name", "industry", "company_size", "region", "product",
                "product_category", "sender_name", "org_name"):  # fmt: skip
        value = getattr(profile, key)
        if value:
            facts[key] = str(value)
    facts.update({key: value for key, value in profile.extra_facts if value})
    for product in products:
        price = f"{product.currency} {product.unit_price:,.2f}"
        period = _PERIOD_WORDS.get(product.billing_period or "", "")
        facts[f"product:{product.sku}"] = f"{product.name}: {price} {period}".strip()
    return facts


def _mentions(message: str, phrase: str | None) -> bool:
    if not phrase:
        return False
    needle = normalise_text(phrase)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise_text(message)) is not None


_OBJECTION_WORDS = {
    "price_objection": ("price", "pricing", "cost", "budget"),
    "not_now": ("timing", "time", "later", "check back"),
    "rejection": ("letting me know", "close this out"),
}


def personalisation(message: str, profile: LeadProfile, *, edge_case: str | None) -> tuple[float, list[str], list[str]]:
    """(score, facts used, facts available): the share of the lead's known facts — name, company, product,
    industry, last interaction, objection — that the message uses."""
    checks: dict[str, tuple[str, ...] | None] = {
        "name": (profile.first_name,) if profile.first_name else None,
        "company": (profile.company_name,) if profile.company_name else None,
        "product": (profile.product, _base_name(profile.product)) if profile.product else None,
        "industry": (profile.industry,) if profile.industry else None,
        "last_interaction": (profile.interaction_phrase, profile.interaction_topic)
        if profile.interaction_phrase or profile.interaction_topic
        else None,
        "objection": _OBJECTION_WORDS.get(edge_case or "") if edge_case in _OBJECTION_WORDS or profile.objections
        else None,
    }  # fmt: skip
    if checks["objection"] is None and profile.objections:
        checks["objection"] = tuple(profile.objections)
    available = [name for name, phrases in checks.items() if phrases]
    used = [name for name in available if any(_mentions(message, p) for p in checks[name] or ())]
    score = round(len(used) / len(available), 3) if available else 0.0
    return score, used, available
