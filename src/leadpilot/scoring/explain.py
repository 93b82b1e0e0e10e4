"""Explanations in words: the top feature contributions of a score, each rendered as a phrase a salesperson reads
("visited pricing 3 times this week", "title: VP Finance").

Contributions come in log-odds (LightGBM TreeSHAP via ``pred_contrib``, or the prior's points). They are turned into
score points (0-100) along the secant of the calibrated curve: a lead whose log-odds moved from the average ``bias``
to ``raw`` and whose score moved from ``base_score`` to ``score`` gets ``contribution x (score - base_score) /
(raw - bias)`` points per feature, so the points add up to the distance from the average lead. When the two log-odds
are nearly equal, or the secant is far from the local slope ``100 · p(1 - p)`` of a logistic curve (a flat stretch of
an isotonic calibration), the local slope is used instead: the points then show direction and relative size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from leadpilot.scoring.features import FEATURE_NAMES, FEATURES, STAGE_RANK

Phrase = Callable[[Any, Mapping[str, Any]], str]
_RANKED_STAGES = {rank: stage for stage, rank in STAGE_RANK.items()}


def _n(value: Any) -> int:
    return round(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _ago(days: Any) -> str:
    if not isinstance(days, (int, float)) or not math.isfinite(days):
        return "never"
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 14:
        return f"{int(days)} days ago"
    if days < 60:
        return f"{int(days // 7)} weeks ago"
    return f"{int(days // 30)} months ago"


def _money(value: float, currency: str | None = None) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get((currency or "USD").upper())
    text = f"{value:,.0f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _human(value: Any) -> str:
    return str(value).replace("_", " ")


def _count(positive: str, zero: str) -> Phrase:
    """``positive`` is formatted with ``n`` (and ``times``); ``zero`` is used when nothing happened."""

    def phrase(value: Any, _info: Mapping[str, Any]) -> str:
        n = _n(value)
        return positive.format(n=n, times=_times(n), s="" if n == 1 else "s") if n else zero

    return phrase


def _flag(yes: str, no: str) -> Phrase:
    return lambda value, _info: yes if _n(value) else no


def _seniority(value: Any, info: Mapping[str, Any]) -> str:
    title = info.get("title")
    if title:
        return f"title: {title}"
    labels = {
        "c_level": "C-level",
        "vp": "VP",
        "director": "director",
        "manager": "manager",
        "individual_contributor": "individual contributor",
    }
    return f"seniority: {labels.get(value, _human(value))}" if value else "seniority unknown"


def _employees(value: Any, _info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "company size unknown"
    return f"{_plural(round(math.expm1(value)), 'employee')}"


def _revenue(value: Any, info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "revenue unknown"
    return f"annual revenue about {_money(math.expm1(value))}"


def _budget(value: Any, info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "budget unknown"
    return f"budget: {_money(math.expm1(value), info.get('budget_currency'))}"


def _timeline(value: Any, info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "no buying timeline"
    days = round(value)
    if days >= 0:
        return f"plans to buy within {days} days" if days < 60 else f"plans to buy in about {days // 30} months"
    return f"planned purchase date passed {-days} days ago"


def _days(template: str, missing: str) -> Phrase:
    def phrase(value: Any, _info: Mapping[str, Any]) -> str:
        if not isinstance(value, float) or math.isnan(value):
            return missing
        return template.format(ago=_ago(value), days=_plural(int(value), "day"))

    return phrase


def _trend(value: Any, _info: Mapping[str, Any]) -> str:
    number = value if isinstance(value, float) and not math.isnan(value) else 0.0
    return (
        "website visits are rising"
        if number > 0.3
        else "website visits are falling"
        if number < -0.3
        else ("website visits are steady")
    )


def _rate(template: str) -> Phrase:
    def phrase(value: Any, _info: Mapping[str, Any]) -> str:
        if not isinstance(value, float) or math.isnan(value):
            return "no emails sent to them yet"
        return template.format(rate=f"{value:.0%}")

    return phrase


def _first_touch(value: Any, _info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "not contacted by sales yet"
    if value < 1:
        return f"first contacted {max(1, int(value * 60))} minutes after arriving"
    if value < 48:
        return f"first contacted {int(value)} hours after arriving"
    return f"first contacted {int(value // 24)} days after arriving"


def _sentiment(value: Any, _info: Mapping[str, Any]) -> str:
    if not isinstance(value, float) or math.isnan(value):
        return "no message sentiment"
    return (
        "messages sound positive"
        if value > 0.2
        else "messages sound negative"
        if value < -0.2
        else ("messages sound neutral")
    )


def _text(label: str, missing: str) -> Phrase:
    return lambda value, _info: f"{label}: {_human(value)}" if value else missing


def _max_stage(value: Any, _info: Mapping[str, Any]) -> str:
    stage = _RANKED_STAGES.get(_n(value), "new")
    return f"has reached {_human(stage)}" if stage != "new" else "has not moved past new"


PHRASES: dict[str, Phrase] = {
    "company_size_band": lambda v, _i: f"company size: {v} employees" if v else "company size unknown",
    "company_employees_log": _employees,
    "company_revenue_log": _revenue,
    "company_industry": _text("industry", "industry unknown"),
    "company_country": _text("country", "country unknown"),
    "company_is_customer": _flag("the company is already a customer", "the company is not a customer yet"),
    "company_other_leads": _count("{n} other lead{s} at the same company", "the only lead at the company"),
    "seniority": _seniority,
    "department": _text("department", "department unknown"),
    "has_phone": _flag("phone number known", "no phone number"),
    "personal_email": _flag("uses a personal email address", "uses a work email address"),
    "email_opted_out": _flag("opted out of email", "can be emailed"),
    "source": _text("source", "source unknown"),
    "paid_medium": _flag("came from a paid ad", "did not come from a paid ad"),
    "lead_age_days": _days("lead arrived {ago}", "lead age unknown"),
    "known_before_lead_days": _days("known for {days} before becoming a lead", "new contact"),
    "web_sessions_7d": _count("{n} website visit{s} this week", "no website visits this week"),
    "web_sessions_30d": _count("{n} website visit{s} in the last 30 days", "no website visits in 30 days"),
    "web_sessions_total": _count("{n} website visit{s} in total", "has never visited the website"),
    "web_trend": _trend,
    "pages_per_session": lambda v, _i: (
        f"{v:.1f} pages per visit" if isinstance(v, float) and v == v else ("no website visits")
    ),
    "pricing_views_7d": _count("visited pricing {times} this week", "no pricing visits this week"),
    "pricing_views_30d": _count("visited pricing {times} in 30 days", "has not looked at pricing in 30 days"),
    "demo_views_30d": _count("opened the demo or contact page {times}", "no demo page visits"),
    "careers_views_30d": _count("visited the careers pages {times}", "no careers page visits"),
    "app_views_14d": _count("used the product {times} in 2 weeks", "no product use in 2 weeks"),
    "form_submissions": _count("submitted {n} form{s}", "submitted no forms"),
    "inbound_7d": _count("{n} interaction{s} this week", "no interactions this week"),
    "inbound_30d": _count("{n} interaction{s} in 30 days", "no interactions in 30 days"),
    "days_since_last_inbound": _days("last engaged {ago}", "has never engaged"),
    "days_since_last_activity": _days("last activity {ago}", "no activity yet"),
    "emails_received_30d": _count("{n} email{s} sent to them in 30 days", "no emails sent to them in 30 days"),
    "email_opens_30d": _count("opened {n} email{s} in 30 days", "opened no emails in 30 days"),
    "email_clicks_30d": _count("clicked {n} email link{s} in 30 days", "no email clicks in 30 days"),
    "email_replies": _count("replied to {n} email{s}", "has not replied to any email"),
    "email_open_rate": _rate("opens {rate} of emails"),
    "email_reply_rate": _rate("replies to {rate} of emails"),
    "email_bounced": _flag("an email bounced", "no bounced emails"),
    "sms_received": _count("sent {n} text message{s}", "no text messages from them"),
    "sales_touches": _count("{n} sales touch(es) so far", "not contacted by sales yet"),
    "sales_touches_7d": _count("{n} sales touch(es) this week", "no sales touches this week"),
    "hours_to_first_touch": _first_touch,
    "calls_connected": _count("{n} connected call{s}", "no connected calls"),
    "meetings_held": _count("{n} meeting{s} held", "no meetings yet"),
    "meetings_no_show": _count("missed {n} meeting{s}", "no missed meetings"),
    "notes": _count("{n} note{s} by the team", "no notes by the team"),
    "stage": lambda v, _i: f"stage: {_human(v)}" if v else "stage unknown",
    "days_in_stage": _days("in this stage for {days}", "time in stage unknown"),
    "stage_changes": _count("{n} stage change{s} so far", "has not moved stage yet"),
    "max_stage_rank": _max_stage,
    "messages_in": _count("wrote to us {times}", "has not written to us"),
    "messages_in_30d": _count("wrote to us {times} in 30 days", "no messages from them in 30 days"),
    "days_since_message_in": _days("last message from them {ago}", "has never written to us"),
    "high_intent_messages": _count("asked about pricing, a demo or buying {times}", "no buying questions yet"),
    "negative_intent_messages": _count("declined or asked to stop {times}", "has not declined"),
    "sentiment_mean": _sentiment,
    "buying_signal_max": lambda v, _i: (
        "strong buying signal in a message"
        if _n(v * 10) >= 7
        else ("buying signal in a message" if isinstance(v, float) and v > 0 else "no buying signals in messages")
    ),
    "objections": _count("raised {n} objection{s}", "no objections raised"),
    "objection_severity_max": lambda v, _i: (
        "a serious objection is open"
        if isinstance(v, float) and v >= 0.7
        else ("a minor objection" if isinstance(v, float) and v > 0 else "no objections")
    ),
    "bant_known": lambda v, _i: f"BANT: {_n(v)} of 4 known",
    "budget_known": _flag("budget known", "budget unknown"),
    "authority_known": _flag("decision maker known", "decision maker unknown"),
    "need_known": _flag("need known", "need unknown"),
    "timeline_known": _flag("buying timeline known", "buying timeline unknown"),
    "budget_amount_log": _budget,
    "timeline_days": _timeline,
}
assert set(PHRASES) == set(FEATURE_NAMES), set(FEATURE_NAMES) ^ set(PHRASES)
GROUPS = {f.name: f.group for f in FEATURES}


def describe(feature: str, value: Any, info: Mapping[str, Any] | None = None) -> str:
    phrase = PHRASES.get(feature)
    if phrase is None:
        return f"{feature}: {value}"
    try:
        return phrase(value, info or {})
    except (TypeError, ValueError, OverflowError):
        return f"{_human(feature)}: {value}"


def to_points(contributions: np.ndarray, *, raw: float, bias: float, score: float, base_score: float) -> np.ndarray:
    """Log-odds contributions → score points (see the module docstring)."""
    p = min(max(score / 100.0, 1e-4), 1 - 1e-4)
    local = 100.0 * p * (1 - p)
    slope = local
    delta = raw - bias
    if abs(delta) > 0.05:
        secant = (score - base_score) / delta
        # A flat stretch of the calibration curve would silence every reason: keep the slope near the local one.
        if 0.25 * local <= secant <= 4.0 * local:
            slope = secant
    return np.asarray(contributions, dtype=float) * slope


def reasons(
    points: np.ndarray,
    row: Sequence[Any],
    info: Mapping[str, Any] | None = None,
    *,
    top: int = 5,
    min_points: float = 0.5,
    keep: int = 3,
) -> list[dict[str, Any]]:
    """The ``top`` largest contributions, each in words: those of at least ``min_points``, and at any rate the
    ``keep`` largest non-zero ones (a lead near the average still gets its reasons)."""
    points = np.asarray(points, dtype=float)
    size = np.abs(points)
    k = min(top, len(points))
    candidates: list[int] = [int(i) for i in np.argpartition(-size, k - 1)[:k]] if k else []
    order = sorted(candidates, key=lambda i: -size[i])
    result: list[dict[str, Any]] = []
    for rank, i in enumerate(order):
        if size[i] < 0.05 or (size[i] < min_points and rank >= keep):
            break
        name = FEATURE_NAMES[i]
        value = row[i]
        result.append(
            {
                "feature": name,
                "group": GROUPS[name],
                "label": describe(name, value, info),
                "contribution": round(float(points[i]), 1),
                "value": _json_value(value),
            }
        )
    return result


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def record_info(record: Any) -> dict[str, Any]:
    """The display facts of a record that phrases use (a title reads better than a seniority code)."""
    return {
        "title": getattr(record, "title", None),
        "company_name": getattr(record, "company_name", None),
        "timezone": getattr(record, "timezone", None),
    }


def utc_date(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()
