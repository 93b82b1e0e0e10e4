"""Point-in-time lead features. Pure: no database, no clock.

    LeadRecord ── what is known about a lead, its contact and its company, with the time of every fact
      └ lead_features(record, as_of) → one row of FEATURES (numbers; categories as strings)
           └ FeatureEncoder.encode(rows) → float matrix for the models (categories as codes, NaN = unknown)

Point in time: a feature computed *as of* ``t`` sees only facts stamped before ``t`` — activities and messages
(``occurred_at`` / ``created_at`` < t), stage changes, BANT fields from the moment they were learnt
(``bant_evidence[field].at``, else the lead's last update), opt-outs from their consent time. Facts without a time
(company size, industry, a contact's title) are treated as static. A record carries no outcome (stage, status,
``converted_at``): labels live in ``scoring.dataset`` and cannot reach a feature. ``point_in_time_violations``
recomputes features on a copy of the record cut at ``t`` and names every feature that differs; the tests and every
training run use it as the leakage guard.

Conversation signals: messages are read through ``message_signal`` from ``Message.annotations`` (written by the
conversation-intelligence service when it is installed; empty otherwise) — see docs/scoring.md for the keys.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

import numpy as np

FEATURE_SET_VERSION = "lead-v1"
DAY = 86_400.0
NAN = math.nan

# --- events ----------------------------------------------------------------------------------------------------------

# Event codes: one per kind of thing that happened. Web visits are split by the kind of page.
WEB, WEB_PRICING, WEB_DEMO, WEB_CAREERS, WEB_APP = 0, 1, 2, 3, 4
EMAIL_SENT, EMAIL_OPENED, EMAIL_CLICKED, EMAIL_REPLIED, EMAIL_BOUNCED = 5, 6, 7, 8, 9
FORM, CALL, MEETING, SMS_SENT, SMS_RECEIVED = 10, 11, 12, 13, 14
PURCHASE, REFUND, NOTE, MSG_IN, MSG_OUT, OTHER = 15, 16, 17, 18, 19, 20
N_CODES = 21
WEB_CODES = (WEB, WEB_PRICING, WEB_DEMO, WEB_CAREERS, WEB_APP)

# Event flags
SESSION_START = 1  # first page of a web session
INBOUND = 2  # the contact did it (visit, open, click, reply, form, inbound call or message)
BY_USER = 4  # a sales touch: a person (or the AI) on our side reached out
CONNECTED = 8  # a call that connected, a meeting that was held
NO_SHOW = 16

ACTIVITY_CODES = {
    "email_sent": EMAIL_SENT,
    "email_opened": EMAIL_OPENED,
    "email_clicked": EMAIL_CLICKED,
    "email_replied": EMAIL_REPLIED,
    "email_bounced": EMAIL_BOUNCED,
    "form_submitted": FORM,
    "call": CALL,
    "meeting": MEETING,
    "sms_sent": SMS_SENT,
    "sms_received": SMS_RECEIVED,
    "purchase": PURCHASE,
    "refund": REFUND,
    "note": NOTE,
}
_INBOUND_CODES = {EMAIL_OPENED, EMAIL_CLICKED, EMAIL_REPLIED, FORM, SMS_RECEIVED, MSG_IN, *WEB_CODES}
_TOUCH_CODES = {EMAIL_SENT, CALL, SMS_SENT, MEETING, MSG_OUT}
SESSION_GAP = 30 * 60.0

# Page kinds by the first segment of the path (configurable per org later; docs/scoring.md lists them).
PAGE_KINDS: dict[str, int] = {
    "pricing": WEB_PRICING,
    "plans": WEB_PRICING,
    "price": WEB_PRICING,
    "prices": WEB_PRICING,
    "demo": WEB_DEMO,
    "contact": WEB_DEMO,
    "contact-sales": WEB_DEMO,
    "book-a-demo": WEB_DEMO,
    "trial": WEB_DEMO,
    "quote": WEB_DEMO,
    "get-a-quote": WEB_DEMO,
    "signup": WEB_DEMO,
    "get-started": WEB_DEMO,
    "careers": WEB_CAREERS,
    "jobs": WEB_CAREERS,
    "app": WEB_APP,
}


def page_code(url: str | None, page: str | None = None) -> int:
    path = page or (urlsplit(url).path if url else "") or ""
    first = path.strip("/").split("/", 1)[0].split("#", 1)[0].lower()
    return PAGE_KINDS.get(first, WEB)


# --- contacts --------------------------------------------------------------------------------------------------------

SENIORITIES = ("c_level", "vp", "director", "manager", "individual_contributor")
_SENIORITY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("c_level", re.compile(r"\b(chief|ceo|cfo|coo|cto|cmo|cio|cdo|cro|founder|co-founder|owner|president)\b")),
    ("vp", re.compile(r"\b(vp|svp|evp|vice president)\b")),
    ("director", re.compile(r"\b(director|head of|head)\b")),
    ("manager", re.compile(r"\b(manager|lead|supervisor)\b")),
)
_SENIORITY_ALIASES = {
    "c-level": "c_level",
    "clevel": "c_level",
    "executive": "c_level",
    "ic": "individual_contributor",
    "individual contributor": "individual_contributor",
    "senior": "individual_contributor",
}
PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
    }
)


def seniority_of(seniority: str | None, title: str | None) -> str | None:
    """The contact's seniority, or one read from the title ("VP Finance" → vp)."""
    if seniority:
        key = seniority.strip().lower().replace(" ", "_")
        key = _SENIORITY_ALIASES.get(seniority.strip().lower(), key)
        if key in SENIORITIES:
            return key
    if not title:
        return None
    lowered = title.lower()
    for level, pattern in _SENIORITY_WORDS:
        if pattern.search(lowered):
            return level
    return "individual_contributor"


SIZE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5001+")


def size_band(employees: float | None) -> str | None:
    if employees is None or not math.isfinite(employees) or employees <= 0:
        return None
    for band, upper in zip(SIZE_BANDS, (10, 50, 200, 1000, 5000), strict=False):
        if employees <= upper:
            return band
    return SIZE_BANDS[-1]


LEAD_STAGES = ("new", "contacted", "engaged", "qualified", "meeting_booked")
STAGE_RANK = {"new": 0, "contacted": 1, "engaged": 2, "qualified": 3, "meeting_booked": 4, "converted": 5}
BANT_FIELDS = ("budget", "authority", "need", "timeline")

# --- conversation signals (the hook for conversation intelligence) ----------------------------------------------------

_HIGH_INTENTS = frozenset({"pricing", "demo_request", "purchase_intent", "buying", "trial_request"})
_NEGATIVE_INTENTS = frozenset({"unsubscribe", "stop", "complaint", "not_interested"})


@dataclass(frozen=True, slots=True)
class MessageSignal:
    """What an annotated inbound message says about buying. Every field is optional in the annotations."""

    at: float
    high_intent: bool = False
    negative_intent: bool = False
    sentiment: float = NAN  # -1 … 1
    buying_signal: float = 0.0  # strongest buying signal, 0 … 1
    objections: int = 0
    objection_severity: float = 0.0  # 0 … 1


def _unit(value: Any, low: float = 0.0, high: float = 1.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return NAN
    if not math.isfinite(number):
        return NAN
    return min(high, max(low, number))


def _label(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("label") or value.get("name") or value.get("type")
    return str(value).strip().lower().replace(" ", "_") if isinstance(value, str) and value.strip() else None


def message_signal(at: float, annotations: Mapping[str, Any] | None) -> MessageSignal | None:
    """Read ``Message.annotations`` defensively: any shape that is not understood is ignored, never raised.

    Understood keys: ``sentiment`` (number or ``{"score"}`` in -1…1), ``intent`` / ``intents`` (label or
    ``{"label"}``, or a list of them), ``buying_signals`` (list of ``{"strength"}`` 0…1), ``objections`` (list of
    ``{"type", "severity"}`` with severity 0…1 or low/medium/high).
    """
    if not isinstance(annotations, Mapping) or not annotations:
        return None
    sentiment = annotations.get("sentiment")
    if isinstance(sentiment, Mapping):
        sentiment = sentiment.get("score", sentiment.get("value"))
    intents_raw = annotations.get("intents", annotations.get("intent"))
    intents = intents_raw if isinstance(intents_raw, list) else [intents_raw]
    labels = {label for label in (_label(i) for i in intents) if label}
    strength = 0.0
    signals = annotations.get("buying_signals")
    if isinstance(signals, list):
        for signal in signals:
            value = _unit(signal.get("strength", 0.5) if isinstance(signal, Mapping) else 0.5)
            if value == value:
                strength = max(strength, value)
    objections = annotations.get("objections")
    count, severity = 0, 0.0
    if isinstance(objections, list):
        for objection in objections:
            count += 1
            raw = objection.get("severity", 0.5) if isinstance(objection, Mapping) else 0.5
            raw = {"low": 0.25, "medium": 0.5, "high": 0.9}.get(raw, raw) if isinstance(raw, str) else raw
            value = _unit(raw)
            if value == value:
                severity = max(severity, value)
    return MessageSignal(
        at=at,
        high_intent=bool(labels & _HIGH_INTENTS),
        negative_intent=bool(labels & _NEGATIVE_INTENTS),
        sentiment=_unit(sentiment, -1.0, 1.0),
        buying_signal=strength,
        objections=count,
        objection_severity=severity,
    )


# --- the record ------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class EventIndex:
    """Sorted times per kind of event, so that counts before any as-of time are binary searches."""

    by_code: list[list[float]]
    sessions: list[float]
    inbound: list[float]
    touches: list[float]
    calls_connected: list[float]
    meetings_held: list[float]
    no_shows: list[float]
    not_notes: list[float]
    web: list[float]

    @classmethod
    def build(cls, times: Sequence[float], codes: Sequence[int], flags: Sequence[int]) -> EventIndex:
        index = cls([[] for _ in range(N_CODES)], [], [], [], [], [], [], [], [])
        for at, code, flag in zip(times, codes, flags, strict=True):
            index.by_code[code].append(at)
            if code <= WEB_APP:
                index.web.append(at)
            if flag & SESSION_START:
                index.sessions.append(at)
            if flag & INBOUND:
                index.inbound.append(at)
            if flag & BY_USER:
                index.touches.append(at)
            if code == CALL and flag & CONNECTED:
                index.calls_connected.append(at)
            elif code == MEETING:
                if flag & CONNECTED:
                    index.meetings_held.append(at)
                elif flag & NO_SHOW:
                    index.no_shows.append(at)
            if code != NOTE:
                index.not_notes.append(at)
        return index


@dataclass(slots=True)
class LeadRecord:
    """Everything scoring may know about one lead, each fact with its time (POSIX seconds). No outcome."""

    lead_id: int
    created_at: float
    updated_at: float
    contact_created_at: float
    source: str | None = None
    paid_medium: bool = False
    seniority: str | None = None
    department: str | None = None
    title: str | None = None
    has_phone: bool = False
    personal_email: bool = False
    email_opt_out_at: float | None = None
    timezone: str | None = None
    company_id: int | None = None
    company_name: str | None = None
    employees: float | None = None
    revenue: float | None = None
    industry: str | None = None
    country: str | None = None
    company_customer_since: float | None = None
    company_lead_times: list[float] = field(default_factory=list)  # other leads of the company, created at
    times: list[float] = field(default_factory=list)  # events, sorted by time
    codes: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    signals: list[MessageSignal] = field(default_factory=list)  # sorted by time
    stages: list[tuple[float, str]] = field(default_factory=list)  # (changed_at, to_stage), sorted
    bant_known_since: dict[str, float] = field(default_factory=dict)  # field → when it was learnt
    budget_amount: float | None = None
    timeline_at: float | None = None
    purchases: list[tuple[float, float]] = field(default_factory=list)  # (time, amount) per order, sorted
    index: EventIndex | None = None

    def events_index(self) -> EventIndex:
        if self.index is None:
            self.index = EventIndex.build(self.times, self.codes, self.flags)
        return self.index

    def cut(self, as_of: float) -> LeadRecord:
        """A copy that knows only what happened before ``as_of`` (the reference of the leakage guard)."""
        n = bisect_left(self.times, as_of)
        return replace(
            self,
            company_customer_since=self.company_customer_since
            if self.company_customer_since is not None and self.company_customer_since < as_of
            else None,
            company_lead_times=[t for t in self.company_lead_times if t < as_of],
            times=self.times[:n],
            codes=self.codes[:n],
            flags=self.flags[:n],
            signals=[s for s in self.signals if s.at < as_of],
            stages=[s for s in self.stages if s[0] < as_of],
            bant_known_since={k: v for k, v in self.bant_known_since.items() if v < as_of},
            budget_amount=self.budget_amount if self.bant_known_since.get("budget", math.inf) < as_of else None,
            timeline_at=self.timeline_at if self.bant_known_since.get("timeline", math.inf) < as_of else None,
            email_opt_out_at=self.email_opt_out_at
            if self.email_opt_out_at is not None and self.email_opt_out_at < as_of
            else None,
            purchases=[p for p in self.purchases if p[0] < as_of],
            index=None,
        )


def timestamp(value: datetime | date | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def add_events(record: LeadRecord, events: Iterable[tuple[float, int, int]]) -> None:
    """Merge (time, code, flags) events into the record, keeping time order and marking web session starts."""
    merged = sorted([*zip(record.times, record.codes, record.flags, strict=True), *events], key=lambda e: e[0])
    last_web = -math.inf
    times, codes, flags = [], [], []
    for at, code, flag in merged:
        if code in WEB_CODES:
            flag = flag & ~SESSION_START
            if at - last_web > SESSION_GAP:
                flag |= SESSION_START
            last_web = at
        times.append(at)
        codes.append(code)
        flags.append(flag)
    record.times, record.codes, record.flags = times, codes, flags
    record.index = None


def activity_event(activity: Mapping[str, Any]) -> tuple[float, int, int] | None:
    """An activity row (dict with the Activity columns) as an event, or None without a usable time."""
    at = timestamp(activity.get("occurred_at"))
    if at is None or not math.isfinite(at):
        return None
    kind = activity.get("type") or ""
    properties = activity.get("properties") or {}
    if not isinstance(properties, Mapping):
        properties = {}
    if kind == "web_visit":
        page = properties.get("page")
        code = page_code(activity.get("url"), page if isinstance(page, str) else None)
    else:
        code = ACTIVITY_CODES.get(kind, OTHER)
    flags = 0
    direction = properties.get("direction")
    if code in _INBOUND_CODES or (code == CALL and direction == "inbound"):
        flags |= INBOUND
    if code in _TOUCH_CODES and activity.get("user_id") is not None and direction != "inbound":
        flags |= BY_USER
    outcome = properties.get("outcome")
    if outcome in ("connected", "held", "completed"):
        flags |= CONNECTED
    elif outcome == "no_show":
        flags |= NO_SHOW
    return at, code, flags


def message_event(message: Mapping[str, Any]) -> tuple[float, int, int] | None:
    at = timestamp(message.get("created_at"))
    if at is None:
        return None
    if message.get("direction") == "inbound":
        return at, MSG_IN, INBOUND
    by_user = BY_USER if message.get("sender_type") in ("user", "ai") else 0
    return at, MSG_OUT, by_user


# --- the features ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    group: str  # firmographic | contact | source | engagement | email | sales | stage | conversation | bant
    kind: str = "num"  # num | cat | bool
    vocabulary: tuple[str, ...] | None = None  # fixed categories; None for categories learnt at training


FEATURES: tuple[Feature, ...] = (
    Feature("company_size_band", "firmographic", "cat", SIZE_BANDS),
    Feature("company_employees_log", "firmographic"),
    Feature("company_revenue_log", "firmographic"),
    Feature("company_industry", "firmographic", "cat"),
    Feature("company_country", "firmographic", "cat"),
    Feature("company_is_customer", "firmographic", "bool"),
    Feature("company_other_leads", "firmographic"),
    Feature("seniority", "contact", "cat", SENIORITIES),
    Feature("department", "contact", "cat"),
    Feature("has_phone", "contact", "bool"),
    Feature("personal_email", "contact", "bool"),
    Feature("email_opted_out", "contact", "bool"),
    Feature("source", "source", "cat"),
    Feature("paid_medium", "source", "bool"),
    Feature("lead_age_days", "source"),
    Feature("known_before_lead_days", "source"),
    Feature("web_sessions_7d", "engagement"),
    Feature("web_sessions_30d", "engagement"),
    Feature("web_sessions_total", "engagement"),
    Feature("web_trend", "engagement"),
    Feature("pages_per_session", "engagement"),
    Feature("pricing_views_7d", "engagement"),
    Feature("pricing_views_30d", "engagement"),
    Feature("demo_views_30d", "engagement"),
    Feature("careers_views_30d", "engagement"),
    Feature("app_views_14d", "engagement"),
    Feature("form_submissions", "engagement"),
    Feature("inbound_7d", "engagement"),
    Feature("inbound_30d", "engagement"),
    Feature("days_since_last_inbound", "engagement"),
    Feature("days_since_last_activity", "engagement"),
    Feature("emails_received_30d", "email"),
    Feature("email_opens_30d", "email"),
    Feature("email_clicks_30d", "email"),
    Feature("email_replies", "email"),
    Feature("email_open_rate", "email"),
    Feature("email_reply_rate", "email"),
    Feature("email_bounced", "email", "bool"),
    Feature("sms_received", "email"),
    Feature("sales_touches", "sales"),
    Feature("sales_touches_7d", "sales"),
    Feature("hours_to_first_touch", "sales"),
    Feature("calls_connected", "sales"),
    Feature("meetings_held", "sales"),
    Feature("meetings_no_show", "sales"),
    Feature("notes", "sales"),
    Feature("stage", "stage", "cat", LEAD_STAGES),
    Feature("days_in_stage", "stage"),
    Feature("stage_changes", "stage"),
    Feature("max_stage_rank", "stage"),
    Feature("messages_in", "conversation"),
    Feature("messages_in_30d", "conversation"),
    Feature("days_since_message_in", "conversation"),
    Feature("high_intent_messages", "conversation"),
    Feature("negative_intent_messages", "conversation"),
    Feature("sentiment_mean", "conversation"),
    Feature("buying_signal_max", "conversation"),
    Feature("objections", "conversation"),
    Feature("objection_severity_max", "conversation"),
    Feature("bant_known", "bant"),
    Feature("budget_known", "bant", "bool"),
    Feature("authority_known", "bant", "bool"),
    Feature("need_known", "bant", "bool"),
    Feature("timeline_known", "bant", "bool"),
    Feature("budget_amount_log", "bant"),
    Feature("timeline_days", "bant"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
FEATURES_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
CATEGORICAL = tuple(f.name for f in FEATURES if f.kind == "cat")


def _log1p(value: float | None) -> float:
    if value is None or not math.isfinite(value) or value < 0:
        return NAN
    return math.log1p(value)


def lead_features(record: LeadRecord, as_of: float) -> list[Any]:
    """The feature row of ``record`` as of ``as_of`` (POSIX seconds), in ``FEATURE_NAMES`` order.

    Only facts stamped strictly before ``as_of`` are read: events through ``bisect_left`` on their times (all counts
    are "how many times are < as_of"), every other timed fact by comparing its time. Categories are strings (or
    None); the rest are floats (NaN = unknown).
    """
    index = record.events_index()
    times, codes, flags = record.times, record.codes, record.flags
    d7, d14, d30 = as_of - 7 * DAY, as_of - 14 * DAY, as_of - 30 * DAY
    n = bisect_left(times, as_of)
    last7 = [0] * N_CODES
    last30 = [0] * N_CODES
    sessions_7 = sessions_30 = inbound_7 = inbound_30 = touches_7 = app_14 = 0
    for i in range(bisect_left(times, d30), n):
        at = times[i]
        code = codes[i]
        flag = flags[i]
        last30[code] += 1
        recent = at >= d7
        if recent:
            last7[code] += 1
        if flag & SESSION_START:
            sessions_30 += 1
            sessions_7 += recent
        if flag & INBOUND:
            inbound_30 += 1
            inbound_7 += recent
        if flag & BY_USER and recent:
            touches_7 += 1
        if code == WEB_APP and at >= d14:
            app_14 += 1
    by_code = index.by_code
    bl = bisect_left
    created = record.created_at
    sessions_all = bl(index.sessions, as_of)
    web_views = bl(index.web, as_of)
    sent = bl(by_code[EMAIL_SENT], as_of)
    opens = bl(by_code[EMAIL_OPENED], as_of)
    replies = bl(by_code[EMAIL_REPLIED], as_of)
    touch_times = index.touches
    touches = bl(touch_times, as_of)
    first = bl(touch_times, created)
    first_touch = touch_times[first] if first < touches else math.inf
    k = bl(index.inbound, as_of)
    last_inbound = index.inbound[k - 1] if k else -math.inf
    k = bl(index.not_notes, as_of)
    last_any = index.not_notes[k - 1] if k else -math.inf
    messages_in = by_code[MSG_IN]
    k = bl(messages_in, as_of)
    last_msg_in = messages_in[k - 1] if k else -math.inf
    messages_in_count = k
    # sessions per day in the last 7 days against the 23 days before
    trend = math.log((sessions_7 / 7.0 + 0.05) / ((sessions_30 - sessions_7) / 23.0 + 0.05))

    # stage as of as_of
    stage: str | None = "new"
    stage_since = created
    stage_changes = 0
    max_rank = 0
    for changed_at, to_stage in record.stages:
        if changed_at >= as_of:
            break
        stage, stage_since = to_stage, changed_at
        stage_changes += 1
        max_rank = max(max_rank, STAGE_RANK.get(to_stage, 0))
    if stage not in STAGE_RANK or stage == "converted":
        stage = None

    # conversation signals
    msgs_in = msgs_in_30 = high = negative = objections = 0
    sentiment_sum = 0.0
    sentiment_n = 0
    buying = severity = 0.0
    for signal in record.signals:
        if signal.at >= as_of:
            break
        msgs_in += 1
        if signal.at >= d30:
            msgs_in_30 += 1
        high += signal.high_intent
        negative += signal.negative_intent
        if signal.sentiment == signal.sentiment:
            sentiment_sum += signal.sentiment
            sentiment_n += 1
        buying = max(buying, signal.buying_signal)
        objections += signal.objections
        severity = max(severity, signal.objection_severity)
    # plain inbound messages count too when they carry no annotations
    msgs_in = max(msgs_in, messages_in_count)
    msgs_in_30 = max(msgs_in_30, last30[MSG_IN])

    known = record.bant_known_since
    budget_known = known.get("budget", math.inf) < as_of
    authority_known = known.get("authority", math.inf) < as_of
    need_known = known.get("need", math.inf) < as_of
    timeline_known = known.get("timeline", math.inf) < as_of
    company_customer = record.company_customer_since is not None and record.company_customer_since < as_of
    opted_out = record.email_opt_out_at is not None and record.email_opt_out_at < as_of

    return [
        size_band(record.employees),
        _log1p(record.employees),
        _log1p(record.revenue),
        record.industry,
        record.country,
        float(company_customer),
        float(bl(record.company_lead_times, as_of)),
        record.seniority,
        record.department,
        float(record.has_phone),
        float(record.personal_email),
        float(opted_out),
        record.source,
        float(record.paid_medium),
        max(0.0, (as_of - created) / DAY),
        max(0.0, (created - record.contact_created_at) / DAY),
        float(sessions_7),
        float(sessions_30),
        float(sessions_all),
        trend,
        web_views / sessions_all if sessions_all else NAN,
        float(last7[WEB_PRICING]),
        float(last30[WEB_PRICING]),
        float(last30[WEB_DEMO]),
        float(last30[WEB_CAREERS]),
        float(app_14),
        float(bl(by_code[FORM], as_of)),
        float(inbound_7),
        float(inbound_30),
        (as_of - last_inbound) / DAY if last_inbound > -math.inf else NAN,
        (as_of - last_any) / DAY if last_any > -math.inf else NAN,
        float(last30[EMAIL_SENT]),
        float(last30[EMAIL_OPENED]),
        float(last30[EMAIL_CLICKED]),
        float(replies),
        min(1.0, opens / sent) if sent else NAN,
        min(1.0, replies / sent) if sent else NAN,
        float(bl(by_code[EMAIL_BOUNCED], as_of) > 0),
        float(bl(by_code[SMS_RECEIVED], as_of)),
        float(touches),
        float(touches_7),
        (first_touch - created) / 3600.0 if first_touch < math.inf else NAN,
        float(bl(index.calls_connected, as_of)),
        float(bl(index.meetings_held, as_of)),
        float(bl(index.no_shows, as_of)),
        float(bl(by_code[NOTE], as_of)),
        stage,
        (as_of - stage_since) / DAY if stage is not None else NAN,
        float(stage_changes),
        float(max_rank),
        float(msgs_in),
        float(msgs_in_30),
        (as_of - last_msg_in) / DAY if last_msg_in > -math.inf else NAN,
        float(high),
        float(negative),
        sentiment_sum / sentiment_n if sentiment_n else NAN,
        buying,
        float(objections),
        severity,
        float(budget_known + authority_known + need_known + timeline_known),
        float(budget_known),
        float(authority_known),
        float(need_known),
        float(timeline_known),
        _log1p(record.budget_amount) if budget_known else NAN,
        (record.timeline_at - as_of) / DAY if timeline_known and record.timeline_at is not None else NAN,
    ]


def feature_dict(row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(FEATURE_NAMES, row, strict=True))


# --- the leakage guard -----------------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (a != a and b != b) or a == b or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def point_in_time_violations(
    records: Iterable[LeadRecord], as_ofs: Iterable[float], *, features: Any = None
) -> dict[str, int]:
    """Features whose value as of ``t`` changes when everything from ``t`` on is removed, with how often.

    An empty result means that, on these records, no feature read an event at or after its as-of time.
    ``features`` is the function under test (default ``lead_features``).
    """
    compute = features or lead_features
    violations: dict[str, int] = {}
    for record, as_of in zip(records, as_ofs, strict=True):
        full = compute(record, as_of)
        cut = compute(record.cut(as_of), as_of)
        for name, a, b in zip(FEATURE_NAMES, full, cut, strict=True):
            if not _same(a, b):
                violations[name] = violations.get(name, 0) + 1
    return violations


# --- encoding for the models -----------------------------------------------------------------------------------------


@dataclass
class FeatureEncoder:
    """Turns feature rows into a float matrix: categories become codes from a vocabulary (unknown → NaN), numbers
    are clipped to the range seen in training (absurd values cannot push a score off the map)."""

    vocabularies: dict[str, list[str]]
    clip: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: Sequence[Sequence[Any]], *, min_count: int = 5) -> FeatureEncoder:
        vocabularies: dict[str, list[str]] = {}
        clip: dict[str, tuple[float, float]] = {}
        for index, feature in enumerate(FEATURES):
            column = [row[index] for row in rows]
            if feature.kind == "cat":
                if feature.vocabulary is not None:
                    vocabularies[feature.name] = list(feature.vocabulary)
                else:
                    counts: dict[str, int] = {}
                    for value in column:
                        if isinstance(value, str):
                            counts[value] = counts.get(value, 0) + 1
                    vocabularies[feature.name] = sorted(v for v, c in counts.items() if c >= min_count)
            elif feature.kind == "num":
                values = np.array([v for v in column if isinstance(v, float) and math.isfinite(v)], dtype=float)
                if values.size:
                    low, high = np.quantile(values, [0.0, 0.999])
                    clip[feature.name] = (float(low), float(max(high, low)))
        return cls(vocabularies=vocabularies, clip=clip)

    def to_json(self) -> dict[str, Any]:
        return {"vocabularies": self.vocabularies, "clip": {k: list(v) for k, v in self.clip.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureEncoder:
        return cls(
            vocabularies={k: list(v) for k, v in data["vocabularies"].items()},
            clip={k: (float(v[0]), float(v[1])) for k, v in data.get("clip", {}).items()},
        )

    def encode(self, rows: Sequence[Sequence[Any]]) -> np.ndarray:
        n = len(rows)
        matrix = np.full((n, len(FEATURES)), np.nan, dtype=np.float64)
        if n == 0:
            return matrix
        if any(len(row) != len(FEATURES) for row in rows):
            rows = [_padded(row) for row in rows]
        numeric = [_NUMERIC_GETTER(row) for row in rows]
        try:
            matrix[:, _NUMERIC] = np.array(numeric, dtype=np.float64)
        except (TypeError, ValueError):
            matrix[:, _NUMERIC] = np.array([[_as_float(v) for v in values] for values in numeric], dtype=np.float64)
        lookups = self._lookups
        for i in _CATEGORICAL:
            lookup = lookups.get(FEATURE_NAMES[i], {})
            matrix[:, i] = [lookup.get(row[i], NAN) if isinstance(row[i], str) else NAN for row in rows]
        for column, low, high in self._clip_columns:
            np.clip(matrix[:, column], low, high, out=matrix[:, column])
        matrix[~np.isfinite(matrix)] = np.nan
        return matrix

    @property
    def _clip_columns(self) -> list[tuple[int, float, float]]:
        return [(FEATURE_INDEX[name], low, high) for name, (low, high) in self.clip.items()]

    @property
    def _lookups(self) -> dict[str, dict[str, float]]:
        cached = self.__dict__.get("_lookup_cache")
        if cached is None:
            cached = {name: {v: float(i) for i, v in enumerate(vocab)} for name, vocab in self.vocabularies.items()}
            self.__dict__["_lookup_cache"] = cached
        return cached

    def categorical_indices(self) -> list[int]:
        return [i for i, f in enumerate(FEATURES) if f.kind == "cat"]


_NUMERIC = [i for i, f in enumerate(FEATURES) if f.kind != "cat"]
_CATEGORICAL = [i for i, f in enumerate(FEATURES) if f.kind == "cat"]
_NUMERIC_GETTER = itemgetter(*_NUMERIC)


def fit_rows(rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """Rows cut or padded (with unknowns) to the feature count: a malformed row is scored as far as it goes."""
    return [row if len(row) == len(FEATURES) else _padded(row) for row in rows]


def _padded(row: Sequence[Any]) -> list[Any]:
    padded = list(row[: len(FEATURES)])
    return padded + [None] * (len(FEATURES) - len(padded))


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


# --- ad-hoc features (API) -------------------------------------------------------------------------------------------


def row_from_mapping(values: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
    """A feature row from caller-supplied values; never raises. Missing features are unknown, unknown names and
    unusable values are dropped, each with a warning."""
    row: list[Any] = [None if f.kind == "cat" else NAN for f in FEATURES]
    warnings: list[str] = []
    for name, value in values.items():
        index = FEATURE_INDEX.get(str(name))
        if index is None:
            warnings.append(f"unknown feature {str(name)[:60]!r} ignored")
            continue
        feature = FEATURES[index]
        if value is None:
            continue
        if feature.kind == "cat":
            if isinstance(value, str):
                text = value.strip().lower().replace(" ", "_") if feature.vocabulary is not None else value.strip()
                if feature.name == "seniority":
                    text = seniority_of(value, None) or text
                row[index] = text[:200]
            else:
                warnings.append(f"{name}: expected a text value, got {type(value).__name__}; treated as unknown")
            continue
        number = _as_float(value)
        if not math.isfinite(number):
            warnings.append(f"{name}: {str(value)[:40]!r} is not a finite number; treated as unknown")
            continue
        row[index] = number
    return row, warnings
