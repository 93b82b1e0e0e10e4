"""The scoring dimensions besides the conversion probability (definitions and validation: docs/scoring.md).

    intent               0-100  recency-weighted buying signals (pricing / demo pages, forms, replies, buying
                                questions in messages), fading with the time since the last engagement
    engagement_readiness 0-100  P(the lead engages — visit, open, click, reply, message — in the next 7 days),
                                a logistic model learnt per org (hand-set weights until then), with the best channel
                                and the contact's usual local hour
    timing               days   expected days until conversion if it converts (LightGBM regression on converted
                                leads, with an 80 % interval from held-out residuals; a table by stage until then)
    budget_fit           0-100  the known budget against the typical won deal of that company size, or the
                                company-size band's historical conversion when no budget is known
    churn_risk           0-1    for contacts who buy: P(no order in the next 90 days), logistic over recency,
                                frequency, spend and product use (hand-set weights until learnt)

Every function is pure and point-in-time like the features: it reads a feature row or events before ``as_of``.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from leadpilot.scoring.features import (
    DAY,
    FEATURE_INDEX,
    WEB_APP,
    LeadRecord,
    size_band,
)

# --- a small JSON-able logistic model --------------------------------------------------------------------------------


@dataclass
class LinearModel:
    """Logistic regression over a few named inputs: log1p for counts and durations, a missing indicator, z-scores."""

    names: list[str]
    log: list[bool]
    medians: list[float]
    means: list[float]
    scales: list[float]
    coef: list[float]
    missing_coef: list[float]
    intercept: float
    trained: bool = False

    def transform(self, values: Sequence[float]) -> tuple[list[float], list[float]]:
        z, missing = [], []
        for i, raw in enumerate(values):
            value = raw if isinstance(raw, (int, float)) and math.isfinite(raw) else math.nan
            if self.log[i] and value == value:
                value = math.log1p(max(0.0, value))
            absent = value != value
            missing.append(1.0 if absent else 0.0)
            value = self.medians[i] if absent else value
            z.append((value - self.means[i]) / self.scales[i])
        return z, missing

    def logit(self, values: Sequence[float]) -> float:
        z, missing = self.transform(values)
        return (
            self.intercept
            + sum(c * v for c, v in zip(self.coef, z, strict=True))
            + sum(c * m for c, m in zip(self.missing_coef, missing, strict=True))
        )

    def probability(self, values: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, self.logit(values)))))

    @classmethod
    def fit(
        cls,
        names: Sequence[str],
        log: Sequence[bool],
        rows: Sequence[Sequence[float]],
        y: np.ndarray,
        *,
        c: float = 0.5,
    ) -> LinearModel:
        from sklearn.linear_model import LogisticRegression

        x = np.array(rows, dtype=float)
        x[~np.isfinite(x)] = np.nan
        for j, is_log in enumerate(log):
            if is_log:
                x[:, j] = np.log1p(np.clip(x[:, j], 0, None))
        missing = np.isnan(x).astype(float)
        medians = np.nan_to_num(np.nanmedian(np.where(np.all(np.isnan(x), axis=0), 0.0, x), axis=0))
        filled = np.where(np.isnan(x), medians, x)
        means = filled.mean(axis=0)
        scales = filled.std(axis=0)
        scales[scales < 1e-9] = 1.0
        z = (filled - means) / scales
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(np.hstack([z, missing]), y)
        k = len(names)
        return cls(
            list(names),
            list(log),
            medians.tolist(),
            means.tolist(),
            scales.tolist(),
            model.coef_[0][:k].tolist(),
            model.coef_[0][k:].tolist(),
            float(model.intercept_[0]),
            True,
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(**data)


def _hand_set(
    names: Sequence[str],
    log: Sequence[bool],
    weights: Sequence[float],
    intercept: float,
    missing: Sequence[float] | None = None,
) -> LinearModel:
    k = len(names)
    return LinearModel(
        list(names), list(log), [0.0] * k, [0.0] * k, [1.0] * k, list(weights), list(missing or [0.0] * k), intercept
    )


# --- intent ----------------------------------------------------------------------------------------------------------

INTENT_WEIGHTS: dict[str, float] = {
    "pricing_views_7d": 1.0,
    "pricing_views_30d": 0.3,
    "demo_views_30d": 1.5,
    "form_submissions": 1.0,
    "email_clicks_30d": 0.5,
    "email_replies": 1.0,
    "high_intent_messages": 2.0,
    "buying_signal_max": 3.0,
    "web_sessions_7d": 0.3,
    "app_views_14d": 0.4,
    "messages_in_30d": 0.5,
    "sms_received": 0.5,
}
INTENT_PENALTIES: dict[str, float] = {"careers_views_30d": 0.7, "negative_intent_messages": 3.0}
INTENT_FADE_DAYS = 30.0
INTENT_SCALE = 4.0


def _value(row: Sequence[Any], name: str) -> float:
    value = row[FEATURE_INDEX[name]]
    return value if isinstance(value, float) and math.isfinite(value) else 0.0


def intent(row: Sequence[Any]) -> dict[str, Any]:
    """0-100: ``100 · (1 - exp(-S / 4))`` where S sums the weighted signals, faded by ``exp(-d / 30)`` for ``d``
    days since the last engagement, minus penalties (careers pages, declines)."""
    positive = {name: weight * _value(row, name) for name, weight in INTENT_WEIGHTS.items()}
    days = row[FEATURE_INDEX["days_since_last_inbound"]]
    fade = math.exp(-days / INTENT_FADE_DAYS) if isinstance(days, float) and days == days else 0.0
    total = fade * sum(positive.values()) - sum(w * _value(row, n) for n, w in INTENT_PENALTIES.items())
    value = 100.0 * (1.0 - math.exp(-max(0.0, total) / INTENT_SCALE))
    signals = [name for name, v in sorted(positive.items(), key=lambda kv: -kv[1]) if v > 0][:3]
    return {"value": round(value, 1), "signals": signals}


# --- engagement readiness --------------------------------------------------------------------------------------------

READINESS_INPUTS = (
    "inbound_7d",
    "inbound_30d",
    "days_since_last_inbound",
    "email_open_rate",
    "email_reply_rate",
    "web_sessions_7d",
    "messages_in_30d",
    "email_opted_out",
    "email_bounced",
    "has_phone",
)
READINESS_LOG = (True, True, True, False, False, True, True, False, False, False)
READINESS_DEFAULT = _hand_set(
    READINESS_INPUTS,
    READINESS_LOG,
    (0.8, 0.5, -0.6, 1.0, 1.5, 0.4, 0.4, -1.0, -1.0, 0.2),
    -1.0,
    missing=(0, 0, -0.8, 0, 0, 0, 0, 0, 0, 0),
)
READINESS_WINDOW_DAYS = 7


def readiness_inputs(row: Sequence[Any]) -> list[float]:
    return [row[FEATURE_INDEX[name]] for name in READINESS_INPUTS]


def engaged_within(record: LeadRecord, as_of: float, days: float = READINESS_WINDOW_DAYS) -> int:
    """The readiness label: did the contact do anything (visit, open, click, reply, write) in the window."""
    inbound = record.events_index().inbound
    return int(bisect_left(inbound, as_of + days * DAY) > bisect_left(inbound, as_of))


def best_channel(row: Sequence[Any]) -> str | None:
    opted_out = _value(row, "email_opted_out") >= 1 or _value(row, "email_bounced") >= 1
    if _value(row, "sms_received") > 0 and _value(row, "has_phone") >= 1:
        return "sms"
    if _value(row, "calls_connected") > 0:
        return "phone"
    if not opted_out and (_value(row, "email_replies") > 0 or _value(row, "email_opens_30d") > 0):
        return "email"
    if _value(row, "messages_in") > 0:
        return "chat"
    if not opted_out:
        return "email"
    return "phone" if _value(row, "has_phone") >= 1 else None


def usual_hour(record: LeadRecord | None, as_of: float) -> int | None:
    """The contact's most frequent local hour of engagement in the last 90 days (None under 3 events).

    Uses the zone's UTC offset at ``as_of`` for the whole window: a daylight-saving change inside it moves some
    events by an hour, which does not change the habit this reports.
    """
    if record is None:
        return None
    inbound = record.events_index().inbound
    end = bisect_left(inbound, as_of)
    start = bisect_left(inbound, as_of - 90 * DAY)
    if end - start < 3:
        return None
    try:
        zone = ZoneInfo(record.timezone) if record.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    offset = datetime.fromtimestamp(as_of, zone).utcoffset()
    shift = offset.total_seconds() if offset is not None else 0.0
    hours = Counter(int((inbound[i] + shift) // 3600) % 24 for i in range(start, end))
    return hours.most_common(1)[0][0]


def readiness(row: Sequence[Any], model: LinearModel, record: LeadRecord | None, as_of: float) -> dict[str, Any]:
    return {
        "value": round(100.0 * model.probability(readiness_inputs(row)), 1),
        "best_channel": best_channel(row),
        "usual_hour_local": usual_hour(record, as_of),
        "learnt": model.trained,
    }


# --- timing ----------------------------------------------------------------------------------------------------------

STAGE_DAYS_DEFAULT = {"new": 35.0, "contacted": 30.0, "engaged": 21.0, "qualified": 14.0, "meeting_booked": 7.0}


def timing_from_stage(row: Sequence[Any]) -> dict[str, Any]:
    stage = row[FEATURE_INDEX["stage"]]
    days = STAGE_DAYS_DEFAULT.get(stage if isinstance(stage, str) else "new", 30.0)
    return {"expected_days": days, "interval_days": [round(days * 0.4, 1), round(days * 2.0, 1)], "learnt": False}


# --- budget fit ------------------------------------------------------------------------------------------------------


@dataclass
class BudgetReference:
    """What a won deal is worth per company-size band, and how well each band converts (from the org's history)."""

    deal_median: float | None = None
    deal_median_by_band: dict[str, float] = field(default_factory=dict)
    conversion_by_band: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        won_deals: Sequence[tuple[float, float, float | None]],
        bands: Sequence[str | None],
        labels: Sequence[int],
        *,
        until: float,
    ) -> BudgetReference:
        amounts = [amount for closed, amount, _ in won_deals if closed < until]
        by_band: dict[str, list[float]] = {}
        for closed, amount, employees in won_deals:
            band = size_band(employees)
            if closed < until and band is not None:
                by_band.setdefault(band, []).append(amount)
        counts: dict[str, list[int]] = {}
        for band, label in zip(bands, labels, strict=True):
            if band is not None:
                counts.setdefault(band, []).append(label)
        return cls(
            deal_median=float(np.median(amounts)) if amounts else None,
            deal_median_by_band={b: float(np.median(v)) for b, v in by_band.items() if len(v) >= 3},
            conversion_by_band={b: float(np.mean(v)) for b, v in counts.items() if len(v) >= 20},
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BudgetReference:
        return cls(**data)


def budget_fit(row: Sequence[Any], reference: BudgetReference) -> dict[str, Any]:
    """0-100. With a known budget: budget ÷ typical won deal of that size (capped at 100). Without: the size band's
    conversion rate against the best band's. None when neither is known."""
    band = row[FEATURE_INDEX["company_size_band"]]
    budget_log = row[FEATURE_INDEX["budget_amount_log"]]
    typical = (
        reference.deal_median_by_band.get(band, reference.deal_median)
        if isinstance(band, str)
        else (reference.deal_median)
    )
    if isinstance(budget_log, float) and budget_log == budget_log and typical:
        budget = math.expm1(budget_log)
        return {
            "value": round(100.0 * min(1.0, budget / typical), 1),
            "basis": "budget",
            "typical_deal": round(typical, 2),
        }
    rates = reference.conversion_by_band
    if isinstance(band, str) and band in rates and max(rates.values()) > 0:
        return {
            "value": round(100.0 * rates[band] / max(rates.values()), 1),
            "basis": "company_size",
            "typical_deal": round(typical, 2) if typical else None,
        }
    return {"value": None, "basis": "unknown", "typical_deal": round(typical, 2) if typical else None}


# --- churn risk (customers) ------------------------------------------------------------------------------------------

CHURN_INPUTS = (
    "days_since_last_order",
    "orders_365d",
    "orders_total",
    "spend_365d",
    "tenure_days",
    "mean_gap_days",
    "recency_ratio",
    "app_views_30d",
    "app_trend",
)
CHURN_LOG = (True, True, True, True, True, True, False, True, False)
CHURN_DEFAULT = _hand_set(CHURN_INPUTS, CHURN_LOG, (0.9, -0.6, -0.2, -0.1, 0.0, 0.0, 0.5, -0.4, -0.3), -3.0)
CHURN_HORIZON_DAYS = 90


def churn_inputs(orders: Sequence[tuple[float, float]], app_times: Sequence[float], as_of: float) -> list[float] | None:
    """Churn inputs as of ``as_of``, or None for someone who had not bought before it."""
    past = [o for o in orders if o[0] < as_of]
    if not past:
        return None
    times = [t for t, _ in past]
    first, last = times[0], times[-1]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    mean_gap = (sum(gaps) / len(gaps) / DAY) if gaps else math.nan
    since_last = (as_of - last) / DAY
    year_ago = as_of - 365 * DAY
    app_end = bisect_left(app_times, as_of)
    app_30 = app_end - bisect_left(app_times, as_of - 30 * DAY)
    app_prior = bisect_left(app_times, as_of - 30 * DAY) - bisect_left(app_times, as_of - 90 * DAY)
    return [
        since_last,
        float(sum(1 for t in times if t >= year_ago)),
        float(len(times)),
        float(sum(a for t, a in past if t >= year_ago)),
        (as_of - first) / DAY,
        mean_gap,
        since_last / mean_gap if mean_gap == mean_gap and mean_gap > 0 else math.nan,
        float(app_30),
        math.log((app_30 + 1.0) / (app_prior / 2.0 + 1.0)),
    ]


def churn_label(orders: Sequence[tuple[float, float]], as_of: float, horizon_days: float = CHURN_HORIZON_DAYS) -> int:
    start = as_of
    end = as_of + horizon_days * DAY
    return int(not any(start <= t < end for t, _ in orders))


def app_times_of(record: LeadRecord) -> list[float]:
    return record.events_index().by_code[WEB_APP]


def churn_risk(record: LeadRecord | None, model: LinearModel, as_of: float) -> dict[str, Any] | None:
    if record is None or not record.purchases:
        return None
    inputs = churn_inputs(record.purchases, app_times_of(record), as_of)
    if inputs is None:
        return None
    return {
        "value": round(model.probability(inputs), 3),
        "days_since_last_order": round(inputs[0], 1),
        "horizon_days": CHURN_HORIZON_DAYS,
        "learnt": model.trained,
    }
