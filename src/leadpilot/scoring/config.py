"""Scoring settings of an org: defaults here, overridden by ``org.settings["scoring"]`` (any subset of the keys).

| key | default | meaning |
| --- | --- | --- |
| ``horizon_days`` | 60 | the conversion window a probability is about |
| ``min_positives`` | 30 | labelled conversions needed before a model is trained (the prior scores until then) |
| ``full_weight_positives`` | 150 | conversions at which the model gets all the weight (linear blend below) |
| ``tiers`` | A ≥ 0.40, B ≥ 0.15, C | tier thresholds on the probability |
| ``auto_promote`` | false | promote a scheduled candidate that is at least as good as the active version |
| ``reasons`` | 5 | reasons kept per score |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

DEFAULT_TIERS: tuple[tuple[str, float], ...] = (("A", 0.40), ("B", 0.15), ("C", 0.0))


@dataclass(frozen=True)
class ScoringConfig:
    horizon_days: int = 60
    min_positives: int = 30
    full_weight_positives: int = 150
    tiers: tuple[tuple[str, float], ...] = field(default=DEFAULT_TIERS)
    auto_promote: bool = False
    reasons: int = 5

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> ScoringConfig:
        """Read ``org.settings["scoring"]``; values of the wrong type are ignored, never fatal."""
        base = cls()
        scoring = (settings or {}).get("scoring") if isinstance(settings, Mapping) else None
        if not isinstance(scoring, Mapping):
            return base
        changes: dict[str, Any] = {}
        for f in fields(cls):
            value = scoring.get(f.name)
            if value is None:
                continue
            if f.name == "tiers":
                tiers = _tiers(value)
                if tiers:
                    changes["tiers"] = tiers
            elif (f.name == "auto_promote" and isinstance(value, bool)) or (
                isinstance(value, int) and not isinstance(value, bool) and value > 0
            ):
                changes[f.name] = value
        return replace(base, **changes)


def _tiers(value: Any) -> tuple[tuple[str, float], ...] | None:
    """``{"A": 0.4, "B": 0.15, "C": 0}`` or ``[["A", 0.4], ...]`` → sorted by threshold, highest first."""
    items = value.items() if isinstance(value, Mapping) else value if isinstance(value, list) else None
    if items is None:
        return None
    parsed = []
    for item in items:
        try:
            name, threshold = item
            parsed.append((str(name)[:16], float(threshold)))
        except (TypeError, ValueError):
            return None
    if not parsed:
        return None
    parsed.sort(key=lambda t: -t[1])
    if parsed[-1][1] > 0.0:
        parsed[-1] = (parsed[-1][0], 0.0)
    return tuple(parsed)
