"""BANT facts stated in one message, each with its evidence (the exact substring and its span) and a confidence.

    budget     amount + ISO currency from "$25k", "25.000 €", "around 40 thousand dollars", "20 mil euros";
               an amount per seat / month is a price being discussed, not a budget, and gets a low confidence
    authority  the writer's role ("I'm the CFO") and whether they decide, or who approves ("need to check with my
               boss" → not the decision maker, approver "boss")
    need       the sentence that states a problem or a want ("we're losing leads after hours")
    timeline   an ISO date resolved against the message time: "next quarter" → first day of the next quarter, "by end
               of March" → the coming 31 March, "in two weeks" → +14 days, "Q3" → 1 July

Rules are plain regular expressions over English, Spanish, German and French. Pure: no database, no clock (the
message time is an argument).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

# --- sentences -------------------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^.!?;\n]+(?:[.!?;]+|$)")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Sentences with their exact spans in ``text`` (a number like "25.000" is not split: a break needs a space)."""
    result = []
    # Protect decimal / thousands separators: "25.000" or "1.5" are not sentence ends.
    masked = re.sub(r"(?<=\d)[.,](?=\d)", "\x00", text)
    for match in _SENTENCE.finditer(masked):
        raw = match.group(0)
        lead = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if not body:
            continue
        start = match.start() + lead
        result.append(Sentence(start, start + len(body), text[start : start + len(body)]))
    return result


def _evidence(sentence: Sentence, confidence: float) -> dict[str, Any]:
    return {"quote": sentence.text, "span": [sentence.start, sentence.end], "confidence": round(confidence, 2)}


# --- budget ----------------------------------------------------------------------------------------------------------

_CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "dólares": "USD", "dolares": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "chf": "CHF", "cad": "CAD", "aud": "AUD",
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3, "mil": 1e3, "tsd": 1e3, "tausend": 1e3, "mille": 1e3,
    "m": 1e6, "mm": 1e6, "million": 1e6, "millions": 1e6, "mio": 1e6, "millones": 1e6, "millón": 1e6,
}  # fmt: skip
_NUM = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT = r"k|K|mm|MM|m|M|thousand|grand|mil|Tsd\.?|Tausend|mille|millions?|Mio\.?|millones|millón"
_CUR_BEFORE = r"US\$|\$|€|£|USD|EUR|GBP|CHF|CAD|AUD"
_CUR_AFTER = r"US\$|\$|€|£|USD|EUR|GBP|CHF|CAD|AUD|[Dd]ollars?|[Dd]ólares|[Ee]uros?|[Pp]ounds?"
_AMOUNT = re.compile(
    rf"(?:(?P<cur1>{_CUR_BEFORE})\s?(?P<num1>{_NUM})(?:\s?(?P<mult1>{_MULT})\b)?)"
    rf"|(?:\b(?P<num2>{_NUM})(?:\s?(?P<mult2>{_MULT}))?\s?(?P<cur2>{_CUR_AFTER})(?![a-z]))"
)
_BUDGET_WORDS = re.compile(
    r"budget|presupuesto|spend|afford|allocated|approved|set aside|up to|no more than|under|maximum|max\b|"
    r"around|about|roughly|we have|tenemos|haben|disposons|avons|enveloppe|approx",
    re.IGNORECASE,
)
_PER_UNIT = re.compile(
    r"\b(per|a|each|/)\s?(seat|user|licen[cs]e|month|mo|year|contact|message|sms)\b|"
    r"pro (Nutzer|Monat|Jahr)|al mes|por usuario|par (mois|utilisateur)|/\s?(mo|month|user|seat)",
    re.IGNORECASE,
)
_PERIODS = {"month": "month", "mo": "month", "year": "year", "monat": "month", "jahr": "year", "mes": "month",
            "mois": "month"}  # fmt: skip


def parse_number(raw: str) -> float | None:
    """ "25.000" → 25000, "1,200" → 1200, "1.5" → 1.5, "2,5" → 2.5, "1,234.56" → 1234.56, "15 000" → 15000."""
    s = raw.replace(" ", "").replace("\u00a0", "")
    if not s:
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        s = "".join(parts) if len(parts) > 2 or len(parts[-1]) == 3 else ".".join(parts)
    try:
        return float(s)
    except ValueError:
        return None


def extract_budget(text: str) -> dict[str, Any] | None:
    best: tuple[float, dict[str, Any]] | None = None
    for sentence in sentences(text):
        for match in _AMOUNT.finditer(sentence.text):
            raw_num = match.group("num1") or match.group("num2")
            number = parse_number(raw_num or "")
            if number is None or number <= 0:
                continue
            mult = (match.group("mult1") or match.group("mult2") or "").lower().rstrip(".")
            amount = number * _MULTIPLIERS.get(mult, 1.0)
            currency = _CURRENCIES.get((match.group("cur1") or match.group("cur2") or "").lower())
            if currency is None:
                continue
            tail = sentence.text[match.end() : match.end() + 20]
            per_unit = _PER_UNIT.search(tail)
            confidence = 0.85 if _BUDGET_WORDS.search(sentence.text) else 0.6
            period = None
            if per_unit:
                word = (per_unit.group(2) or per_unit.group(0)).lower().split()[-1].strip("/")
                period = _PERIODS.get(word, word)
                confidence = 0.4 if period not in ("month", "year") else confidence - 0.15
            found = {
                "amount": round(amount, 2),
                "currency": currency,
                "period": period,
                **_evidence(sentence, confidence),
            }
            if best is None or confidence > best[0]:
                best = (confidence, found)
    return best[1] if best else None


# --- authority -------------------------------------------------------------------------------------------------------

_TITLE = (
    r"CEO|CFO|COO|CTO|CMO|CIO|CRO|founder|co-founder|cofounder|owner|president|managing director|general manager|"
    r"(?:sales |marketing |operations |finance |IT )?director|VP(?: of [A-Za-z]+)?|vice president|head of [A-Za-z]+|"
    r"(?:sales |office |operations |marketing |IT |account )?manager|partner|procurement|purchasing|legal|finance|"
    r"board|boss|management|leadership|committee|"
    r"jefe|director general|gerente|gerencia|director financiero|dueño|fundador|socio|"
    r"Chef|Geschäftsführer(?:in)?|Geschäftsführung|Einkauf|Vorstand|Inhaber(?:in)?|Gründer(?:in)?|Leiter(?:in)?|"
    r"responsable|directeur|directrice|DAF|PDG|gérant|patron|fondateur|associé|service achats"
)
_SENIOR = re.compile(
    r"CEO|CFO|COO|CTO|CMO|CIO|CRO|founder|owner|president|managing director|VP|vice president|head of|director|"
    r"partner|dueño|fundador|director|Geschäftsführer|Inhaber|Gründer|directeur|directrice|PDG|gérant|fondateur|DAF",
    re.IGNORECASE,
)
_SELF = re.compile(
    rf"\b(?:I'?m|I am|as|soy|Ich bin|je suis)\s+(?:the |a |an |el |la |der |die |le |l')?(?P<role>{_TITLE})\b",
    re.IGNORECASE,
)
_DECIDER = re.compile(
    r"\bI (?:make|take) the (?:final )?decisions?\b|\bI(?:'m| am) the decision[- ]maker\b|\bI decide\b|"
    r"\bI sign off\b|\bmy call\b(?<!not my call)|\bdecido yo\b|\bich entscheide\b|\bc'est moi qui décide\b",
    re.IGNORECASE,
)
_DEFERS = re.compile(
    r"check with|run (?:it|this) by|loop in|need (?:my|our|the)? ?[\w ]{0,30}(?:approval|sign-?off|buy-in|ok)\b|"
    r"approval (?:from|of)|(?:has|have|need|needs) to (?:approve|sign off|agree|decide|vote|be involved|sign)|"
    r"not (?:the one|the person|my call|my decision)|don'?t make (?:these|the|those) decisions|no say|"
    r"decision (?:sits|is|lies|belongs) with|final (?:call|word|say|sign-?off)|the decision belongs|"
    r"(?:talk|speak|discuss|present)(?: it| this)? (?:to|with) (?:my|our|the) |I can only recommend|"
    r"consultar(?:lo)? con|no tomo la decisión|aprobación|tiene que aprobar|lo tiene que|"
    r"abstimmen|Freigabe|Entscheidung trifft|muss .{0,30}freigeben|"
    r"en parler à|ce n'est pas moi qui décide|l'accord|qui valide|doit valider",
    re.IGNORECASE,
)
_APPROVER = re.compile(
    rf"\b(?:my|our|the|mi|nuestro|meinem|unserem|unser|mon|notre|la|le|el|die|der)\s+(?P<role>{_TITLE})\b",
    re.IGNORECASE,
)


def extract_authority(text: str) -> dict[str, Any] | None:
    for sentence in sentences(text):
        if _DEFERS.search(sentence.text):
            approver = _APPROVER.search(sentence.text) or re.search(rf"\b(?P<role>{_TITLE})\b", sentence.text,
                                                                    re.IGNORECASE)  # fmt: skip
            own = _SELF.search(sentence.text)
            return {
                "role": own.group("role") if own else None,
                "decision_maker": False,
                "approver": approver.group("role") if approver else None,
                **_evidence(sentence, 0.8),
            }
    for sentence in sentences(text):
        own = _SELF.search(sentence.text)
        decides = _DECIDER.search(sentence.text)
        if own or decides:
            role = own.group("role") if own else None
            senior = bool(decides) or (role is not None and bool(_SENIOR.search(role)))
            return {
                "role": role,
                "decision_maker": True if senior else None,
                "approver": None,
                **_evidence(sentence, 0.85 if decides or senior else 0.6),
            }
    return None


# --- need ------------------------------------------------------------------------------------------------------------

_NEED = re.compile(
    r"\bwe (?:really |urgently )?need\b|\bwe'?re (?:looking for|trying to|losing|struggling)|"
    r"\blooking for (?:a|an|something)\b|"
    r"\bwe want to\b|\bour (?:main |biggest )?(?:problem|challenge|issue|pain) is\b|\bstruggl(?:e|ing) (?:with|to)\b|"
    r"\bwe (?:lose|miss|spend too much)\b|\bcan'?t keep up\b|\btoo many (?:leads|calls|messages)\b|\bwe have to\b|"
    r"\bnecesitamos\b|\bbuscamos\b|\bqueremos\b|\bnuestro problema\b|\bperdemos\b|"
    r"\bwir brauchen\b|\bwir suchen\b|\bwir wollen\b|\bunser problem\b|\bwir verlieren\b|"
    r"\bnous avons besoin\b|\bnous cherchons\b|\bon cherche\b|\bnotre problème\b|\bnous perdons\b|\bnous voulons\b",
    re.IGNORECASE,
)
_NOT_NEED = re.compile(
    r"\b(?:don'?t|do not|no|not|never|nicht|kein|pas|no) (?:really )?(?:need|needed|necesitamos|brauchen|besoin)|"
    r"need (?:to (?:check|run|talk|ask|discuss|know|get|see|present)|my|our|the|your|buy-in|approval|sign)|"
    r"no nos hace falta",
    re.IGNORECASE,
)


def extract_need(text: str) -> dict[str, Any] | None:
    for sentence in sentences(text):
        if _NEED.search(sentence.text) and not _NOT_NEED.search(sentence.text):
            return {"statement": sentence.text, **_evidence(sentence, 0.7)}
    return None


# --- timeline --------------------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "enero", "januar", "janvier"),
        ("february", "feb", "febrero", "februar", "février", "fevrier"),
        ("march", "mar", "marzo", "märz", "maerz", "mars"),
        ("april", "apr", "abril", "avril"),
        ("may", "mayo", "mai"),
        ("june", "jun", "junio", "juni", "juin"),
        ("july", "jul", "julio", "juli", "juillet"),
        ("august", "aug", "agosto", "août", "aout"),
        ("september", "sep", "sept", "septiembre", "setiembre", "septembre"),
        ("october", "oct", "octubre", "oktober", "octobre"),
        ("november", "nov", "noviembre", "novembre"),
        ("december", "dec", "diciembre", "dezember", "décembre", "decembre"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
_MONTH = r"(?P<month>" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10,
    "couple of": 2, "a couple of": 2, "few": 3, "a few": 3, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
    "seis": 6, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "sechs": 6, "deux": 2, "trois": 3,
    "quatre": 4, "une": 1,
}  # fmt: skip
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted((re.escape(n) for n in _NUMBERS), key=len, reverse=True)) + r")"
_UNITS = {
    "day": 1, "days": 1, "días": 1, "dias": 1, "tage": 1, "tagen": 1, "jours": 1, "jour": 1,
    "week": 7, "weeks": 7, "semana": 7, "semanas": 7, "woche": 7, "wochen": 7, "semaine": 7, "semaines": 7,
    "month": 30, "months": 30, "mes": 30, "meses": 30, "monat": 30, "monaten": 30, "mois": 30,
}  # fmt: skip
_UNIT = r"(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _upcoming_month(today: date, month: int) -> int:
    """The year in which ``month`` next occurs (this month counts as upcoming)."""
    return today.year if month >= today.month else today.year + 1


def _quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def _next_quarter(today: date) -> date:
    quarter = (today.month - 1) // 3 + 1
    return _quarter_start(today.year + (quarter == 4), quarter % 4 + 1)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_Rule = tuple[re.Pattern[str], float, Any]
_RULES: list[_Rule] = []


def _rule(pattern: str, confidence: float) -> Any:
    def register(fn: Any) -> Any:
        _RULES.append((re.compile(pattern, re.IGNORECASE), confidence, fn))
        return fn

    return register


@_rule(r"\b(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b", 0.9)
def _iso(m: re.Match[str], today: date) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


@_rule(r"\b(?:by |before |until |till |bis |avant |antes de )?(?:the )?(?:end of|ende|fin(?:ales)? de|fin|d'ici fin)\s+"
       + _MONTH + r"(?:\s+(?P<year>20\d{2}))?", 0.85)  # fmt: skip
def _end_of_month(m: re.Match[str], today: date) -> date:
    month = _MONTHS[m["month"].lower()]
    year = int(m["year"]) if m["year"] else _upcoming_month(today, month)
    return _month_end(year, month)


@_rule(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>20\d{2}))?", 0.85)
def _month_day(m: re.Match[str], today: date) -> date | None:
    month, day = _MONTHS[m["month"].lower()], int(m["day"])
    year = int(m["year"]) if m["year"] else today.year
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if m["year"] or found >= today else date(year + 1, month, day)


@_rule(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?" + _MONTH + r"(?:\s+(?P<year>20\d{2}))?", 0.85)
def _day_month(m: re.Match[str], today: date) -> date | None:
    return _month_day(m, today)


@_rule(r"\b(?P<prep>by|before|until|till|in|from|starting(?: in)?|after|en|para|hasta|antes de|a partir de|im|ab|bis|"
       r"avant|dès|début|from early|early|late|mid)\s+" + _MONTH + r"(?:\s+(?P<year>20\d{2}))?\b", 0.75)  # fmt: skip
def _in_month(m: re.Match[str], today: date) -> date:
    month = _MONTHS[m["month"].lower()]
    year = int(m["year"]) if m["year"] else _upcoming_month(today, month)
    prep = m["prep"].lower()
    if prep in ("by", "before", "until", "till", "hasta", "antes de", "bis", "avant", "para", "late"):
        return _month_end(year, month)
    if prep == "after":
        return _add_months(date(year, month, 1), 1)
    if prep == "mid":
        return date(year, month, 15)
    return max(date(year, month, 1), today)  # "in January" written on 20 January: from now on


@_rule(r"\b(?:by |before )?(?:the )?end of (?:the |this )?(?P<unit>week|month|quarter|year)\b|"
       r"\b(?P<eoy>year[- ]end|end of (?:the )?fiscal year)\b", 0.8)  # fmt: skip
def _end_of_period(m: re.Match[str], today: date) -> date:
    unit = "year" if m["eoy"] else m["unit"].lower()
    if unit == "week":
        return today + timedelta(days=(4 - today.weekday()) % 7)
    if unit == "month":
        return _month_end(today.year, today.month)
    if unit == "quarter":
        return _next_quarter(today) - timedelta(days=1)
    return date(today.year, 12, 31)


@_rule(r"\bnext (?P<unit>week|month|quarter|year|fiscal year)\b|\b(?P<unit_es>próximo trimestre|trimestre que viene|"
       r"próximo mes|mes que viene|próxima semana|semana que viene|próximo año|año que viene)\b|"
       r"\b(?P<unit_de>nächste[nsm]? (?:Quartal|Monat|Woche|Jahr))\b|"
       r"\b(?P<unit_fr>prochain trimestre|trimestre prochain|mois prochain|semaine prochaine|an prochain|"
       r"année prochaine)\b", 0.75)  # fmt: skip
def _next_period(m: re.Match[str], today: date) -> date:
    phrase = (m["unit"] or m["unit_es"] or m["unit_de"] or m["unit_fr"]).lower()
    if any(w in phrase for w in ("quarter", "trimestre", "quartal")):
        return _next_quarter(today)
    if any(w in phrase for w in ("month", "mes", "monat", "mois")):
        return _add_months(date(today.year, today.month, 1), 1)
    if any(w in phrase for w in ("week", "semana", "woche", "semaine")):
        return today + timedelta(days=7 - today.weekday())
    return date(today.year + 1, 1, 1)


@_rule(r"\b(?:in |by |for |before |until )?Q(?P<q>[1-4])(?:\s*(?P<year>20\d{2}))?\b", 0.7)
def _quarter(m: re.Match[str], today: date) -> date:
    quarter = int(m["q"])
    if m["year"]:
        return _quarter_start(int(m["year"]), quarter)
    start = _quarter_start(today.year, quarter)
    current = (today.month - 1) // 3 + 1
    return start if quarter >= current else _quarter_start(today.year + 1, quarter)


@_rule(r"\b(?:in|within|dentro de|en|in den nächsten|innerhalb von|dans|d'ici)\s+(?:the next\s+)?" + _COUNT + r"\s+"
       + _UNIT + r"\b", 0.7)  # fmt: skip
def _in_delta(m: re.Match[str], today: date) -> date:
    raw = m["count"].lower().strip()
    count = int(raw) if raw.isdigit() else _NUMBERS.get(raw, 1)
    unit = m["unit"].lower()
    if _UNITS[unit] == 30:
        return _add_months(today, count)
    return today + timedelta(days=count * _UNITS[unit])


@_rule(r"\b(?P<word>tomorrow|mañana|morgen|demain|today|hoy|heute|aujourd'hui|this week|esta semana|diese Woche|"
       r"cette semaine)\b", 0.7)  # fmt: skip
def _near(m: re.Match[str], today: date) -> date:
    word = m["word"].lower()
    if word in ("tomorrow", "mañana", "morgen", "demain"):
        return today + timedelta(days=1)
    if word in ("today", "hoy", "heute", "aujourd'hui"):
        return today
    return today + timedelta(days=(4 - today.weekday()) % 7)


@_rule(r"\b(?:next |on |this |by )(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", 0.7)
def _weekday(m: re.Match[str], today: date) -> date:
    days = (_WEEKDAYS[m["weekday"].lower()] - today.weekday()) % 7 or 7
    return today + timedelta(days=days)


def _timeline_matches(text: str, today: date) -> Iterator[tuple[int, int, float, date]]:
    for pattern, confidence, resolve in _RULES:
        for match in pattern.finditer(text):
            try:
                resolved = resolve(match, today)
            except (ValueError, KeyError):
                continue
            if resolved is not None:
                end = match.end() - 1 if match.group(0).endswith(".") else match.end()
                yield match.start(), end, confidence, resolved


def extract_timeline(text: str, at: datetime) -> dict[str, Any] | None:
    """The first time expression of the text (ties: the longest, then the most specific rule), as an ISO date
    resolved against ``at`` (its UTC date)."""
    today = at.date()
    best = None
    for start, end, confidence, resolved in _timeline_matches(text, today):
        key = (start, -(end - start), -confidence)
        if best is None or key < best[0]:
            best = (key, start, end, confidence, resolved)
    if best is None:
        return None
    _, start, end, confidence, resolved = best
    return {
        "date": resolved.isoformat(),
        "days_from_message": (resolved - today).days,
        "quote": text[start:end],
        "span": [start, end],
        "confidence": confidence,
    }


def extract(text: str, at: datetime) -> dict[str, Any]:
    """Every BANT fact found in ``text`` (absent keys: nothing stated)."""
    found = {
        "budget": extract_budget(text),
        "authority": extract_authority(text),
        "need": extract_need(text),
        "timeline": extract_timeline(text, at),
    }
    return {key: value for key, value in found.items() if value is not None}
