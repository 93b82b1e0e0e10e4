"""The grounding check: every checkable claim of a draft must be traceable to a retrieved source or the CRM record.

    check_claims(draft, sources=chunks, crm_facts={"company": "Globex", ...})
     ├ extract_claims(draft)      regexes: money (currency + amount + period), percentages, numbers with a unit,
     │                            dates; the org's product and plan names; capitalised names (companies, people);
     │                            superlatives ("best", "#1", "fastest", "guaranteed", ...); a sentence with
     │                            none of those that states a capability ("Every plan can be self-hosted")
     ├ index the evidence         the same extractor over every sentence of every source and CRM fact, with the
     │                            sentence's polarity (it, or its heading, denies something)
     └ verify each claim          numeric / date claims: the normalised value occurs in a source sentence or a
                                  CRM fact ($3,990 = USD 3990; "per month" must not contradict "per year"), for
                                  the product the sentence names; dates and counts for the same thing.
                                  Names: the name occurs in a CRM fact, or in a source sentence that says the
                                  same thing (embedding similarity of the two sentences >= the threshold).
                                  Products: what the sentence says of one must be said of that one, with the
                                  same polarity. Statements: a same-polarity source sentence in mostly the same
                                  words that reads the same. Superlatives: only when a source sentence uses the
                                  same term in the same sense.

A verdict names the claim, its kind, ``supported`` / ``unsupported``, the chunk (or CRM fact) that supports it and
the quoted sentence. The similarity threshold was measured on the bundled MiniLM (docs/followups.md).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal, Protocol

import numpy as np

ClaimKind = Literal["money", "percentage", "number", "date", "product", "company", "name", "superlative", "statement"]
Verdict = Literal["supported", "unsupported"]
NUMERIC_KINDS = frozenset({"money", "percentage", "number", "date"})

# Cosine similarity (bundled MiniLM) above which two sentences are taken to state the same thing; measured on
# paraphrase / unrelated pairs from the demo knowledge base (docs/followups.md).
DEFAULT_SIMILARITY_THRESHOLD = 0.5
SHORT_LINE = 240  # a heading-and-sentence line; a whole paragraph on one line (PDF text) says too many things


class SourceLike(Protocol):
    """What the check needs of a retrieved chunk (``knowledge.retrieval.RetrievedChunk`` has it)."""

    @property
    def chunk_id(self) -> int: ...

    @property
    def document_title(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Claim:
    text: str
    kind: ClaimKind
    sentence: str
    start: int
    # Normalised values compared with the evidence (e.g. ("USD", "399", "month") for money).
    value: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    claim: str
    kind: ClaimKind
    verdict: Verdict
    sentence: str
    reason: str
    source: Literal["knowledge", "crm"] | None = None
    chunk_id: int | None = None
    document_title: str | None = None
    quote: str | None = None
    crm_fact: str | None = None
    similarity: float | None = None

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"


@dataclass(frozen=True, slots=True)
class GroundingReport:
    verdicts: tuple[ClaimVerdict, ...] = ()

    @property
    def verified(self) -> bool:
        return all(v.supported for v in self.verdicts)

    @property
    def unsupported(self) -> list[ClaimVerdict]:
        return [v for v in self.verdicts if not v.supported]

    @property
    def supported_share(self) -> float:
        """Share of claims supported (1.0 when the draft makes no checkable claim)."""
        if not self.verdicts:
            return 1.0
        return sum(v.supported for v in self.verdicts) / len(self.verdicts)

    def feedback(self) -> str:
        """The unsupported claims, one a line, for a rewrite prompt."""
        return "\n".join(f'- "{v.claim}" ({v.kind}): {v.reason}' for v in self.unsupported)


# --- text helpers ---------------------------------------------------------------------------------------------------

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“'(\[]?[A-Z0-9$€£#])|(?<=:)\s+(?=[A-Z])")
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items, lines) of ``text``, stripped, without empty ones."""
    parts = []
    for line in (text or "").splitlines():
        for raw in _SENTENCE_SPLIT.split(_BULLET.sub("", line)):
            sentence = raw.strip().strip("#").strip()
            if sentence:
                parts.append(sentence)
    return parts


def normalise_text(text: str) -> str:
    """Lower case, accents and punctuation dropped, whitespace collapsed: how names are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w&#%$]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_NEGATION = re.compile(
    r"\b(?:no|not|never|without|cannot|none|neither|nor|excluded|excludes|unavailable|lacks?)\b|n['\u2019]t\b",
    re.IGNORECASE,
)


def negated(text: str) -> bool:
    """Whether ``text`` says something is not so ("Starter has no API access", a "What Starter does not include"
    heading). Crude on purpose: it only has to tell a sentence from its denial, which share most of their words and
    so look alike to an embedding."""
    return _NEGATION.search(text or "") is not None


def _contains_phrase(haystack_normalised: str, phrase: str) -> bool:
    needle = normalise_text(phrase)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack_normalised) is not None


# --- values ---------------------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MAG = r"(?:\s?(?:k|K|M|bn|thousand|million|billion)\b)"
_MAGNITUDES = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "bn": 10**9, "billion": 10**9}
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "A$": "AUD", "C$": "CAD"}
_CURRENCY_WORDS = {"dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP"}
_CODES = r"USD|EUR|GBP|JPY|AUD|CAD|CHF|INR|BRL|MXN|SGD"
_PERIOD_WORDS = {
    "month": "month", "mo": "month", "monthly": "month", "year": "year", "yr": "year", "annum": "year",
    "annually": "year", "yearly": "year", "annual": "year", "week": "week", "weekly": "week", "day": "day",
    "user": "user", "seat": "seat",
}  # fmt: skip
_PERIOD = (
    r"(?:\s?(?:/|per|a|an|each|every)\s?(?P<per>month|mo|year|yr|annum|week|day|user|seat)\b"
    r"|\s(?P<adv>monthly|annually|yearly)\b)"
)
_MONEY = re.compile(
    rf"(?:(?P<sym>US\$|A\$|C\$|[$€£¥])\s?(?P<n1>{_NUM})(?P<m1>{_MAG})?"
    rf"|(?P<code1>{_CODES})\s?(?P<n2>{_NUM})(?P<m2>{_MAG})?"
    rf"|(?P<n3>{_NUM})(?P<m3>{_MAG})?\s?(?P<code2>{_CODES}|dollars|euros|pounds)\b)"
    rf"{_PERIOD}?"
)
_PERCENT = re.compile(
    rf"(?<![\w.])(?P<a>{_NUM})(?:\s?%?\s?(?:-|\u2013|to)\s?(?P<b>{_NUM}))?\s?(?:%|percent\b|per cent\b)"
)
_UNITS = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "minute": "minute", "minutes": "minute",
    "min": "minute", "mins": "minute", "second": "second", "seconds": "second", "sec": "second", "secs": "second",
    "ms": "millisecond", "millisecond": "millisecond", "milliseconds": "millisecond", "day": "day", "days": "day",
    "week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    "seat": "seat", "seats": "seat", "user": "user", "users": "user", "named users": "user", "event": "event",
    "events": "event", "tracked events": "event", "connector": "connector", "connectors": "connector",
    "data source": "data source", "data sources": "data source", "source": "source", "sources": "source",
    "integration": "integration", "integrations": "integration", "dashboard": "dashboard", "dashboards": "dashboard",
    "report": "report", "reports": "report", "customer": "customer", "customers": "customer", "client": "client",
    "clients": "client", "company": "company", "companies": "company", "team": "team", "teams": "team",
    "employee": "employee", "employees": "employee", "people": "person", "person": "person", "session": "session",
    "sessions": "session", "language": "language", "languages": "language", "country": "country",
    "countries": "country", "x": "times", "times": "times", "gb": "gb", "tb": "tb", "mb": "mb",
    "license": "license", "licenses": "license", "licence": "license", "licences": "license",
    "workspace": "workspace", "workspaces": "workspace", "project": "project", "projects": "project",
    "lead": "lead", "leads": "lead", "deal": "deal", "deals": "deal", "order": "order", "orders": "order",
    "invoice": "invoice", "invoices": "invoice", "transaction": "transaction", "transactions": "transaction",
    "call": "call", "calls": "call", "meeting": "meeting", "meetings": "meeting", "email": "email",
    "emails": "email", "member": "member", "members": "member", "row": "row", "rows": "row", "query": "query",
    "queries": "query", "template": "template", "templates": "template", "step": "step", "steps": "step",
    "quarter": "quarter", "quarters": "quarter", "credit": "credit", "credits": "credit", "hourly": "hour",
    "business hour": "business hour", "business hours": "business hour", "business day": "business day",
    "business days": "business day", "working day": "business day", "working days": "business day",
}  # fmt: skip
_UNIT_ALTERNATION = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER_UNIT = re.compile(
    rf"(?<![\w$€£¥.,])(?P<a>{_NUM})(?P<ma>{_MAG})?(?:\s?(?:-|\u2013|to)\s?(?P<b>{_NUM})(?P<mb>{_MAG})?)?"
    rf"(?:\s|-)?(?P<unit>{_UNIT_ALTERNATION})\b",
    re.IGNORECASE,
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATES = (
    re.compile(r"\b(?P<y>20\d\d|19\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?"),
    re.compile(rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\b(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?"),
    re.compile(rf"\b(?P<mon>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"\bQ(?P<q>[1-4])\s?(?P<y>(?:19|20)\d\d)\b"),
    # A bare year is a claim when it dates something: "founded in 2012", "a customer since 2020".
    re.compile(r"\b(?:in|since|from|until|by|of)\s(?P<y>(?:19|20)\d\d)\b(?![-/.,]?\d)"),
)
_SUPERLATIVE = re.compile(
    r"(?<![\w#])(?:#\s?1\b|no\.\s?1\b|number[- ]one\b|(?:industry|market)[- ]leading\b|world[- ]class\b|"
    r"top[- ]rated\b|best[- ]in[- ]class\b|guarantee[ds]?\b|guaranteeing\b|risk[- ]free\b|unmatched\b|unbeatable\b|"
    r"unrivall?ed\b|never fails?\b|fastest\b|cheapest\b|lowest\b|highest\b|largest\b|biggest\b|leading\b|best\b|"
    r"most (?:popular|trusted|advanced|powerful|affordable|reliable|complete|accurate|secure)\b|"
    r"only (?:platform|solution|tool|vendor|product|provider)\b)",
    re.IGNORECASE,
)
# Everyday uses of those words that claim nothing about the product.
_NOT_SUPERLATIVE = re.compile(
    r"^(?:best (?:regards|wishes|time|day|way|person|fit|next step)|leading (?:to|up|into)|lowest-touch)",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = (
    r"Inc|Inc\.|Corp|Corp\.|Corporation|LLC|Ltd|Ltd\.|Limited|GmbH|AG|SA|S\.A\.|BV|PLC|Co|Co\.|Group|Holdings|"
    r"Labs|Technologies|Systems|Analytics|Solutions|Industries|Partners|Manufacturing|Logistics|Software"
)
_CAPITALISED = re.compile(r"(?:[A-Z][\w&'\u2019.-]*[\w]|[A-Z])(?:\s+(?:of|&|de|la|the)?\s*[A-Z][\w&'\u2019.-]*[\w])*")
_COMPANY_CUE = re.compile(r"(?:like|such as|including|at|from|helped|with|for|customers?|clients?)\s+$", re.IGNORECASE)
_PRODUCT_CUE = re.compile(r"^\s+(?:plan|tier|edition|package|add-on|addon|bundle|suite)\b", re.IGNORECASE)
# Capitalised words that are not names of anything a draft could invent.
_COMMON_CAPS = {
    "i", "i'm", "i\u2019m", "i'd", "i\u2019d", "i'll", "i\u2019ll", "i've", "i\u2019ve", "hi", "hello", "hey", "dear",
    "thanks",
    "thank", "best", "regards", "cheers", "kind", "warm", "ps", "p.s", "ok", "okay", "yes", "no", "faq", "roi",
    "crm", "api", "apis", "saas", "ai", "ceo", "cfo", "cto", "coo", "cmo", "vp", "svp", "hr", "it", "q1", "q2", "q3",
    "q4", "us", "usa", "uk", "eu", "emea", "apac", "latam", "usd", "eur", "gbp", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "sso", "saml", "scim", "sla", "csv", "pdf", "kpi",
    "kpis", "mrr", "arr", "b2b", "b2c", "re", "subject", "team", "the", "a", "an", "our", "your", "we", "you",
    "on", "in", "at", "for", "with", "from", "by", "to", "of", "as", "if", "when", "after", "before", "since",
    "every", "each", "all", "any", "both", "their", "its", "this", "that", "these", "those", "there", "here", "what",
    "why", "how", "who", "would", "could", "should", "can", "will", "please", "let", "just", "also", "more", "most",
    "new", "one", "and", "or", "but", "so", "they", "he", "she", "my", "me", "is", "are", "do", "did",
}  # fmt: skip


def _decimal(number: str, magnitude: str | None = None) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    scale = _MAGNITUDES.get((magnitude or "").strip().lower())
    if scale:
        value *= scale
    return value


def _canonical(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class _Span:
    spans: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.spans)

    def take(self, start: int, end: int) -> None:
        self.spans.append((start, end))


def _money_claims(sentence: str, taken: _Span, default_currency: str) -> Iterable[Claim]:
    for match in _MONEY.finditer(sentence):
        groups = match.groupdict()
        number = groups["n1"] or groups["n2"] or groups["n3"]
        magnitude = groups["m1"] or groups["m2"] or groups["m3"]
        if groups["sym"]:
            currency = _CURRENCY_SYMBOLS.get(groups["sym"], default_currency)
            if groups["sym"] == "$":
                currency = "USD" if default_currency not in {"AUD", "CAD", "SGD", "MXN"} else default_currency
        else:
            word = (groups["code1"] or groups["code2"] or "").strip()
            currency = _CURRENCY_WORDS.get(word.lower(), word.upper())
        period_word = groups["per"] or groups["adv"]
        period = _PERIOD_WORDS.get(period_word.lower()) if period_word else None
        taken.take(match.start(), match.end())
        yield Claim(match.group(0).strip(), "money", sentence, match.start(),
                    (currency, _canonical(_decimal(number, magnitude)), period))  # fmt: skip


def _percentage_claims(sentence: str, taken: _Span) -> Iterable[Claim]:
    for match in _PERCENT.finditer(sentence):
        if not taken.free(match.start(), match.end()):
            continue
        taken.take(match.start(), match.end())
        values = tuple(_canonical(_decimal(v)) for v in (match["a"], match["b"]) if v)
        yield Claim(match.group(0).strip(), "percentage", sentence, match.start(), values)


def _date_claims(sentence: str, taken: _Span) -> Iterable[Claim]:
    for pattern in _DATES:
        for match in pattern.finditer(sentence):
            groups = match.groupdict()
            if groups.get("q"):
                value: tuple[Any, ...] = ("quarter", int(groups["y"]), int(groups["q"]), None)
            else:
                if groups.get("m"):
                    month: int | None = int(groups["m"])
                elif groups.get("mon"):
                    month = _MONTHS[groups["mon"].lower()[:3]]
                else:
                    month = None
                day = int(groups["d"]) if groups.get("d") else None
                if day is not None and not 1 <= day <= 31:
                    continue
                value = ("date", int(groups["y"]) if groups.get("y") else None, month, day)
            # a bare year is matched with the word before it ("in 2016"); the claim is the year
            start, end = (match.start("y"), match.end("y")) if value[2] is None else (match.start(), match.end())
            if not taken.free(start, end):
                continue
            taken.take(start, end)
            yield Claim(sentence[start:end].strip(), "date", sentence, start, value)


def _number_claims(sentence: str, taken: _Span) -> Iterable[Claim]:
    for match in _NUMBER_UNIT.finditer(sentence):
        if not taken.free(match.start(), match.end()):
            continue
        unit = _UNITS[match["unit"].lower()]
        values = [_canonical(_decimal(match["a"], match["ma"]))]
        if match["b"]:
            values.append(_canonical(_decimal(match["b"], match["mb"] or match["ma"])))
        taken.take(match.start(), match.end())
        yield Claim(match.group(0).strip(), "number", sentence, match.start(), (unit, *values))


def _superlative_claims(sentence: str) -> Iterable[Claim]:
    for match in _SUPERLATIVE.finditer(sentence):
        if _NOT_SUPERLATIVE.match(sentence[match.start() :]):
            continue
        term = normalise_text(match.group(0)).replace("-", " ")
        yield Claim(match.group(0), "superlative", sentence, match.start(), (term,))


# What a product can do or comes with, said without a figure or a name ("Every plan can be self-hosted").
_CAPABILITY = re.compile(
    r"\b(?:can|cannot|includes?|included|supports?|supported|offers?|provides?|comes? with|connects?|integrates?|"
    r"available|hosted|self-hosted|lasts|runs on|works with|syncs?|exports?|encrypts?|encrypted|certified|compliant)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I'd|I'll|I've|I\u2019m|I\u2019d|I\u2019ll|I\u2019ve|me|my)\b")
_STOPWORDS = frozenset(
    [
        "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by", "for", "with",
        "from", "into", "over", "under", "about", "as", "is", "are", "was", "were", "be", "been", "being", "it",
        "its", "this", "that", "these", "those", "there", "here", "your", "you", "our", "we", "us", "they", "their",
        "them", "can", "cannot", "could", "will", "would", "should", "may", "might", "must", "do", "does", "did",
        "done", "has", "have", "had", "also", "just", "only", "very", "more", "most", "every", "each", "all", "any",
        "some", "no", "not", "own", "which", "who", "what", "when", "where", "how", "than", "too", "per", "up",
        "out",
    ]
)  # fmt: skip


_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem(word: str) -> str:
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    return word[:5]


def key_terms(text: str) -> set[str]:
    """The content words of ``text``, crudely stemmed ("copies" meets "copy", "hosted" meets "hosting"): what a
    sentence is about, for comparing it with a source sentence."""
    return {_stem(w) for w in normalise_text(text).replace("-", " ").split() if len(w) > 2 and w not in _STOPWORDS}


def states_capability(sentence: str) -> bool:
    """Whether ``sentence`` says what something does or includes. Questions and what the writer offers to do ("I can
    send ...") do not."""
    if sentence.rstrip().endswith("?") or _FIRST_PERSON.search(sentence):
        return False
    return _CAPABILITY.search(sentence) is not None


def _statement_claims(sentence: str) -> Iterable[Claim]:
    """A sentence with no figure or name that still states what the product does or includes is a claim as a
    whole."""
    if states_capability(sentence) and len(key_terms(sentence)) >= 2:
        yield Claim(sentence, "statement", sentence, 0, ())


def _name_claims(sentence: str, offset_in_sentence: int, products: Mapping[str, str], taken: _Span) -> Iterable[Claim]:
    found_products: list[tuple[int, int]] = []
    normalised_sentence = sentence
    for alias, canonical in sorted(products.items(), key=lambda kv: -len(kv[0])):
        # A one-word name ("Growth") is a name only when capitalised; "revenue growth" is not the plan.
        flags = re.IGNORECASE if " " in alias.strip() else 0
        for match in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", normalised_sentence, flags=flags):
            if any(not (match.end() <= s or match.start() >= e) for s, e in found_products):
                continue
            found_products.append((match.start(), match.end()))
            yield Claim(match.group(0), "product", sentence, match.start(), (canonical, alias))
    for match in _CAPITALISED.finditer(sentence):
        start, end = match.start(), match.end()
        text = match.group(0).rstrip(".'\u2019")
        if any(not (end <= s or start >= e) for s, e in found_products) or not taken.free(start, end):
            continue
        words = text.split()
        while words and words[0].lower().strip(".,'\u2019") in _COMMON_CAPS:
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower().strip(".,'\u2019") in _COMMON_CAPS:
            words = words[:-1]
        if not words:
            continue
        text = " ".join(words)
        at_sentence_start = sentence[:start].strip() == ""
        has_suffix = re.search(rf"\b(?:{_COMPANY_SUFFIX})$", text) is not None
        before = sentence[max(0, start - 20) : start]
        after = sentence[end : end + 12]
        if _PRODUCT_CUE.match(after):
            kind: ClaimKind = "product"
        elif has_suffix or _COMPANY_CUE.search(before):
            kind = "company"
        else:
            kind = "name"
        if at_sentence_start and len(words) == 1 and not has_suffix:
            continue  # sentence case, not a name
        if text.isdigit() or len(text) < 2:
            continue
        value = (text, text) if kind == "product" else (normalise_text(text),)
        yield Claim(text, kind, sentence, start, value)


def extract_claims(
    text: str, *, product_names: Mapping[str, str] | Sequence[str] = (), default_currency: str = "USD"
) -> list[Claim]:
    """The checkable claims of ``text``, in reading order. ``product_names`` maps each alias the org's products are
    known by (e.g. "Growth plan") to the product's name; a plain list is its own aliases."""
    products = dict(product_names) if isinstance(product_names, Mapping) else {n: n for n in product_names}
    claims: list[Claim] = []
    for sentence in split_sentences(text):
        taken = _Span()
        found: list[Claim] = []
        found += _money_claims(sentence, taken, default_currency)
        found += _percentage_claims(sentence, taken)
        found += _date_claims(sentence, taken)
        found += _number_claims(sentence, taken)
        found += _superlative_claims(sentence)
        found += _name_claims(sentence, 0, products, taken)
        if not found:
            found += _statement_claims(sentence)
        claims += sorted(found, key=lambda c: c.start)
    return claims


# --- evidence -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evidence:
    sentence: str
    normalised: str
    claims: tuple[Claim, ...]
    source: Literal["knowledge", "crm"]
    chunk_id: int | None = None
    document_title: str | None = None
    crm_fact: str | None = None
    # The whole chunk with its document title, normalised: a case study names its customer once, in its title or
    # first line, and states the results in later sentences.
    context: str = ""
    title: str = ""
    line: str = ""  # the line the sentence is on, normalised: a table row names its product once
    line_text: str = ""  # the same line as written ("March 2026: AI Insights ..." dates what follows the colon)
    section: str = ""  # the chunk's heading path, normalised ("what starter does not include")
    negated: bool = False  # the sentence, or the heading it sits under, says "not", "no", "without", ...


def _values_match(claim: Claim, other: Claim) -> bool:
    if claim.kind != other.kind:
        return False
    if claim.kind == "money":
        currency, amount, period = claim.value
        other_currency, other_amount, other_period = other.value
        return (currency, amount) == (other_currency, other_amount) and (
            period is None or other_period is None or period == other_period
        )
    if claim.kind == "percentage":
        return set(claim.value) <= set(other.value)
    if claim.kind == "number":
        return claim.value[0] == other.value[0] and set(claim.value[1:]) <= set(other.value[1:])
    if claim.kind == "date":
        kind, year, month, day = claim.value
        other_kind, other_year, other_month, other_day = other.value
        if kind != other_kind:
            return False
        if month is None:  # a bare year: any date of that year states it
            return year == other_year
        if month != other_month or (kind == "date" and day is not None and day != other_day):
            return False
        return year is None or other_year is None or year == other_year
    return False


def _base(name: str) -> str:
    return normalise_text(re.sub(r"\([^)]*\)", "", name))


_GENERIC_PRODUCT_WORDS = {"plan", "pack", "package", "monthly", "annual", "yearly", "add", "on", "addon", "the"}


def _distinctive_words(canonical: str, products: Mapping[str, str]) -> list[str]:
    """The words that tell a product from the others ("starter" of "Insight Starter (monthly)"): its base name
    without words most of the catalogue shares ("insight") or generic ones ("plan", "monthly")."""
    return _distinctive_in_catalogue(canonical, frozenset(products.values()))


@lru_cache(maxsize=4096)
def _distinctive_in_catalogue(canonical: str, catalogue: frozenset[str]) -> list[str]:
    base = _base(canonical)
    names = {_base(name) for name in catalogue}
    shared = {w for w in {w for n in names for w in n.split()} if sum(w in n.split() for n in names) >= 3}
    words = [w for w in base.split() if w not in shared and w not in _GENERIC_PRODUCT_WORDS]
    return words or base.split()


def _mentions(
    evidence: _Evidence, claim: Claim, products: Mapping[str, str], *, in_context: bool, text: str | None = None
) -> bool:
    if claim.kind == "superlative":
        return any(c.kind == "superlative" and c.value == claim.value for c in evidence.claims)
    if text is None:
        text = evidence.context if in_context and evidence.context else evidence.normalised
    if claim.kind == "product":
        canonical, alias = claim.value
        if _contains_phrase(text, alias) or _contains_phrase(text, canonical):
            return True
        return all(_contains_phrase(text, word) for word in _distinctive_words(canonical, products))
    return _contains_phrase(text, claim.text)


def _said_of(claim: Claim, evidence: Sequence[_Evidence], products: Mapping[str, str]) -> list[_Evidence]:
    """The evidence that speaks of ``claim``'s product in the same sense as the claim's sentence: the product is
    named by the evidence sentence itself, its heading or its document's title (not just somewhere in the chunk);
    the sentence names no other product without naming this one; and it affirms what the claim affirms (a denial,
    or a sentence under a "does not include" heading, supports only a denial)."""
    wanted = _base(claim.value[0])
    claim_negated = negated(claim.sentence)
    kept = []
    for item in evidence:
        if item.negated != claim_negated:
            continue
        where = f"{item.title} {item.section} {item.normalised}"
        if not _mentions(item, claim, products, in_context=False, text=where):
            continue
        named = {_base(c.value[0]) for c in item.claims if c.kind == "product"}
        if named and wanted not in named:
            continue
        kept.append(item)
    return kept


class _SentenceVectors:
    """Embeddings of sentences already seen by this process, per embedding model: the same knowledge-base sentences
    are evidence for many drafts, and embedding them is most of a check's time. A vector depends only on the text
    and the model, so sharing it across orgs shows nobody anything they did not pass in."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model: str, sentence: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get((model, sentence))
            if vector is not None:
                self._vectors.move_to_end((model, sentence))
            return vector

    def put(self, model: str, sentence: str, vector: np.ndarray) -> None:
        with self._lock:
            self._vectors[(model, sentence)] = vector
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)


sentence_vectors = _SentenceVectors(capacity=20_000)  # about 30 MB of 384-dimension vectors


def embed_sentences(embedder: Any, sentences: Sequence[str]) -> np.ndarray:
    """``embedder.embed(sentences)`` (unit vectors, one row each), embedding only what this process has not seen."""
    model = f"{getattr(embedder, 'provider', '')}:{getattr(embedder, 'name', type(embedder).__name__)}"
    found = {s: sentence_vectors.get(model, s) for s in dict.fromkeys(sentences)}
    missing = [s for s, vector in found.items() if vector is None]
    if missing:
        for sentence, vector in zip(missing, embedder.embed(missing), strict=True):
            found[sentence] = np.asarray(vector, dtype=np.float32)
            sentence_vectors.put(model, sentence, found[sentence])
    if not sentences:
        return np.zeros((0, int(getattr(embedder, "dimension", 0))), dtype=np.float32)
    return np.vstack([found[s] for s in sentences])


@dataclass
class _Similarity:
    """Cosine similarity between draft sentences and evidence sentences, embedded once, on demand."""

    embedder: Any
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def prepare(self, sentences: Iterable[str]) -> None:
        wanted = [s for s in dict.fromkeys(sentences) if s not in self.vectors]
        if wanted and self.embedder is not None:
            self.vectors.update(zip(wanted, embed_sentences(self.embedder, wanted), strict=True))

    def __call__(self, a: str, b: str) -> float:
        if a == b or normalise_text(a) == normalise_text(b):
            return 1.0
        if self.embedder is None:
            return 0.0
        if a not in self.vectors or b not in self.vectors:
            self.prepare([a, b])
        return float(np.dot(self.vectors[a], self.vectors[b]))

    def among(self, sentence: str, candidates: Sequence[str]) -> list[float]:
        """Similarity of ``sentence`` to each candidate, embedding what is needed in one batch. A candidate equal to
        the sentence (a verbatim quote) needs no model."""
        key = normalise_text(sentence)
        differing = [c for c in candidates if normalise_text(c) != key]
        if differing:
            self.prepare([sentence, *differing])
        return [self(sentence, c) for c in candidates]

    def best(self, sentence: str, evidence: Sequence[_Evidence], *, lines: bool = False) -> tuple[_Evidence, float]:
        """The evidence most similar to ``sentence`` (its sentence, or with ``lines`` also its short line)."""
        texts = [e.sentence for e in evidence]
        scores = self.among(sentence, texts)
        if lines:
            line_texts = [
                e.line_text if e.line_text and len(e.line_text) <= SHORT_LINE else e.sentence for e in evidence
            ]
            scores = [max(a, b) for a, b in zip(scores, self.among(sentence, line_texts), strict=True)]
        index = max(range(len(evidence)), key=lambda i: scores[i])
        return evidence[index], scores[index]


def _evidence(
    sources: Sequence[SourceLike], crm_facts: Mapping[str, str], products: Mapping[str, str], currency: str
) -> list[_Evidence]:
    items: list[_Evidence] = []
    for source in sources:
        context = normalise_text(f"{source.document_title}\n{source.text}")
        title = normalise_text(source.document_title)
        section = normalise_text(getattr(source, "section", None) or "")
        section_negated = negated(section)
        for line in source.text.splitlines():
            for sentence in split_sentences(line):
                claims = tuple(extract_claims(sentence, product_names=products, default_currency=currency))
                items.append(_Evidence(sentence, normalise_text(sentence), claims, "knowledge",
                                       chunk_id=source.chunk_id, document_title=source.document_title,
                                       context=context, title=title, line=normalise_text(line),
                                       line_text=line.strip(), section=section,
                                       negated=section_negated or negated(sentence)))  # fmt: skip
    for key, value in crm_facts.items():
        text = str(value)
        if not text.strip():
            continue
        claims = tuple(extract_claims(text, product_names=products, default_currency=currency))
        items.append(_Evidence(text, normalise_text(text), claims, "crm", crm_fact=key, negated=negated(text)))
    return items


def _verdict(claim: Claim, evidence: _Evidence | None, reason: str, similarity: float | None) -> ClaimVerdict:
    if evidence is None:
        return ClaimVerdict(claim.text, claim.kind, "unsupported", claim.sentence, reason, similarity=similarity)
    return ClaimVerdict(
        claim.text, claim.kind, "supported", claim.sentence, reason, source=evidence.source,
        chunk_id=evidence.chunk_id, document_title=evidence.document_title,
        quote=evidence.sentence if evidence.source == "knowledge" else None, crm_fact=evidence.crm_fact,
        similarity=None if similarity is None else round(similarity, 3),
    )  # fmt: skip


def _verify(
    claim: Claim,
    evidence: list[_Evidence],
    similarity: _Similarity,
    threshold: float,
    products: Mapping[str, str],
    sentence_verdicts: Mapping[str, list[ClaimVerdict]],
    sentence_products: Mapping[str, list[Claim]],
) -> ClaimVerdict:
    if claim.kind in NUMERIC_KINDS:
        matches = [e for e in evidence if any(_values_match(claim, c) for c in e.claims)]
        if not matches:
            near = [e for e in evidence if any(c.kind == claim.kind for c in e.claims)]
            reason = f"no source or CRM fact states {claim.text}"
            if claim.kind == "money" and near:
                reason += " (the sources state other amounts)"
            return _verdict(claim, None, reason, None)
        named = sentence_products.get(claim.sentence, [])
        if named and claim.kind in {"money", "number"}:
            # A price or an allowance belongs to a product: "$2,490 per year" of AI Insights is not Advanced
            # Security's price. The evidence must name one of the sentence's products (or be a document about it).
            wanted = {_base(p.value[0]) for p in named}
            matches = [
                e for e in matches
                if any(_mentions(e, p, products, in_context=False, text=f"{e.title} {e.line or e.normalised}")
                       for p in named)
                # a line about another product does not become about ours through its document's title
                and not ({_base(c.value[0]) for c in e.claims if c.kind == "product"} - wanted
                         and not {_base(c.value[0]) for c in e.claims if c.kind == "product"} & wanted)
            ]  # fmt: skip
            if not matches:
                names = ", ".join(dict.fromkeys(p.text for p in named))
                return _verdict(claim, None, f"the sources state {claim.text}, but not for {names}", None)
        crm = next((e for e in matches if e.source == "crm"), None)
        if crm is not None:
            return _verdict(claim, crm, f"CRM record: {crm.crm_fact}", None)
        # A date dates an event and a count counts something: the same month in a release note about something
        # else, or "30 days" of data retention, support neither "launched in March" nor "a 30-day trial". (A count
        # in a sentence that names a product was already tied to that product above.)
        tied = claim.kind == "date" or (claim.kind == "number" and not named)
        best, score = similarity.best(claim.sentence, matches, lines=tied)
        if tied and score < threshold:
            return ClaimVerdict(
                claim.text, claim.kind, "unsupported", claim.sentence,
                f"a source gives this {claim.kind} for something else (similarity {score:.2f} < {threshold:.2f})",
                chunk_id=best.chunk_id, document_title=best.document_title, quote=best.sentence,
                similarity=round(score, 3),
            )  # fmt: skip
        return _verdict(claim, best, "value stated in the source", score)

    if claim.kind == "statement":
        return _verify_statement(claim, evidence, similarity, threshold)
    # The CRM record supports naming the lead's product ("your interest in Insight Growth"), not what a sentence
    # says the product includes: "The Growth plan includes row-level permissions" needs a source that says so.
    relation = claim.kind == "product" and claim.value[0] in products.values() and states_capability(claim.sentence)
    if claim.kind != "superlative" and not relation:
        crm = next((e for e in evidence if e.source == "crm" and _mentions(e, claim, products, in_context=False)), None)
        if crm is not None:
            return _verdict(claim, crm, f"CRM record: {crm.crm_fact}", None)
    # Names are looked for in the whole chunk (and its title); superlatives in the sentence itself.
    knowledge = [
        e for e in evidence
        if e.source == "knowledge" and _mentions(e, claim, products, in_context=claim.kind != "superlative")
    ]  # fmt: skip
    if claim.kind == "product" and claim.value[0] in products.values():
        figures = [v for v in sentence_verdicts.get(claim.sentence, ()) if v.kind in NUMERIC_KINDS]
        if figures and all(v.supported for v in figures):
            source = next((v for v in figures if v.chunk_id is not None), figures[0])
            return ClaimVerdict(
                claim.text, claim.kind, "supported", claim.sentence,
                "a product of the catalogue; the sentence's figures are stated in the sources",
                source=source.source, chunk_id=source.chunk_id, document_title=source.document_title,
                quote=source.quote, crm_fact=source.crm_fact, similarity=source.similarity,
            )  # fmt: skip
    if claim.kind == "product" and claim.value[0] in products.values() and knowledge:
        # What a sentence says of a product must be said of that product: "Warehouse sync is included in the Growth
        # plan" is not supported by "It is included in the Scale and Enterprise plans" in a chunk that mentions
        # Growth elsewhere, nor by the "What Starter does not include" list of the Starter page.
        knowledge = _said_of(claim, knowledge, products)
        if not knowledge:
            return _verdict(claim, None, f"no source says this of {claim.text}", None)
    if not knowledge:
        what = "uses this superlative" if claim.kind == "superlative" else "names it"
        return _verdict(claim, None, f"no source or CRM fact {what}", None)
    best, score = similarity.best(claim.sentence, knowledge)
    if score < threshold:
        return ClaimVerdict(
            claim.text, claim.kind, "unsupported", claim.sentence,
            f"a source mentions it, but says something else (similarity {score:.2f} < {threshold:.2f})",
            chunk_id=best.chunk_id, document_title=best.document_title, quote=best.sentence, similarity=round(score, 3),
        )  # fmt: skip
    return _verdict(claim, best, "stated in the source", score)


STATEMENT_TERM_SHARE = 0.6
"""Share of a statement's content words its supporting source sentence (with its heading and title) must use."""


def _verify_statement(
    claim: Claim, evidence: list[_Evidence], similarity: _Similarity, threshold: float
) -> ClaimVerdict:
    """A statement is supported by a source sentence that affirms (or denies) the same, says it in mostly the same
    words and reads the same to the embedding model: "Every plan can be self-hosted" finds "Fully hosted, with SOC 2"
    similar enough, but not about self-hosting on one's own servers."""
    terms = key_terms(claim.sentence)
    claim_negated = negated(claim.sentence)
    candidates = [
        e for e in evidence
        if e.negated == claim_negated
        and len(terms & key_terms(f"{e.title} {e.section} {e.sentence}")) >= STATEMENT_TERM_SHARE * len(terms)
    ]  # fmt: skip
    if not candidates:
        return _verdict(claim, None, "no source says this", None)
    best, score = similarity.best(claim.sentence, candidates, lines=True)
    if score < threshold:
        return ClaimVerdict(
            claim.text, claim.kind, "unsupported", claim.sentence,
            f"the closest source says something else (similarity {score:.2f} < {threshold:.2f})",
            chunk_id=best.chunk_id, document_title=best.document_title, quote=best.sentence, similarity=round(score, 3),
        )  # fmt: skip
    return _verdict(claim, best, "stated in the source", score)


def check_claims(
    draft: str,
    *,
    sources: Sequence[SourceLike],
    crm_facts: Mapping[str, str],
    product_names: Mapping[str, str] | Sequence[str] = (),
    embedder: Any = None,
    threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    default_currency: str = "USD",
) -> GroundingReport:
    """Extract the checkable claims of ``draft`` and verify each against ``sources`` (retrieved chunks) and
    ``crm_facts`` (name → text, e.g. ``{"company": "Globex", "product:NW-GROWTH-M": "Insight Growth: USD 399 per
    month"}``). ``embedder`` (default: the installation's) compares sentences for non-numeric claims."""
    products = dict(product_names) if isinstance(product_names, Mapping) else {n: n for n in product_names}
    claims = extract_claims(draft, product_names=products, default_currency=default_currency)
    if not claims:
        return GroundingReport()
    evidence = _evidence(sources, crm_facts, products, default_currency)
    if embedder is None:
        from leadpilot.llm.providers import get_embedder

        embedder = get_embedder()
    similarity = _Similarity(embedder)
    # Figures first: a catalogue product named in a sentence whose figures check out is supported by them.
    verdicts: dict[int, ClaimVerdict] = {}
    by_sentence: dict[str, list[ClaimVerdict]] = {}
    named: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.kind == "product":
            named.setdefault(claim.sentence, []).append(claim)
    for index, claim in enumerate(claims):
        if claim.kind in NUMERIC_KINDS:
            verdicts[index] = _verify(claim, evidence, similarity, threshold, products, by_sentence, named)
            by_sentence.setdefault(claim.sentence, []).append(verdicts[index])
    for index, claim in enumerate(claims):
        if index not in verdicts:
            verdicts[index] = _verify(claim, evidence, similarity, threshold, products, by_sentence, named)
    return GroundingReport(tuple(verdicts[index] for index in range(len(claims))))
