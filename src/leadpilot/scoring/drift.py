"""Population stability: is the model scoring the kind of leads it was trained for?

At training, ``reference`` stores the distribution of every feature and of the scores over the *reference
population* (the leads open when the model was trained, as they were then). A drift check compares the leads open
now with it, by the population stability index

    PSI = Σ_bins (current share - reference share) · ln(current share / reference share)

on the reference's decile bins (numbers; missing values are a bin of their own) or categories. Reading, as usual:
below 0.1 stable, 0.1-0.25 a moderate shift (``warning``), 0.25 and above a shift that needs a look (``drift``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leadpilot.scoring.features import FEATURES

WARNING_PSI = 0.10
DRIFT_PSI = 0.25
MIN_ROWS = 50
SCORE_EDGES = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
_EPS = 1e-4
_TOP_CATEGORIES = 20


def _numeric_edges(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return []
    return sorted({float(v) for v in np.quantile(finite, np.linspace(0.1, 0.9, 9))})


def _numeric_shares(values: np.ndarray, edges: Sequence[float]) -> list[float]:
    n = len(values)
    if n == 0:
        return []
    finite = np.isfinite(values)
    counts = np.bincount(np.searchsorted(edges, values[finite], side="left"), minlength=len(edges) + 1)
    shares = [float(c) / n for c in counts]
    shares.append(float((~finite).sum()) / n)
    return shares


def _category_shares(values: Sequence[Any], categories: Sequence[str]) -> list[float]:
    n = len(values)
    if n == 0:
        return []
    index = {c: i for i, c in enumerate(categories)}
    counts = [0] * (len(categories) + 2)  # + other + missing
    for value in values:
        if not isinstance(value, str):
            counts[-1] += 1
        else:
            counts[index.get(value, len(categories))] += 1
    return [c / n for c in counts]


def psi(reference: Sequence[float], current: Sequence[float]) -> float:
    total = 0.0
    for e, a in zip(reference, current, strict=True):
        e, a = max(e, _EPS), max(a, _EPS)
        total += (a - e) * math.log(a / e)
    return total


def _column(rows: Sequence[Sequence[Any]], index: int) -> list[Any]:
    return [row[index] for row in rows]


def _floats(values: Sequence[Any]) -> np.ndarray:
    return np.array([v if isinstance(v, (int, float)) and v is not None else np.nan for v in values], dtype=float)


def reference(rows: Sequence[Sequence[Any]], probabilities: Sequence[float], *, source: str) -> dict[str, Any]:
    features: dict[str, Any] = {}
    for index, feature in enumerate(FEATURES):
        column = _column(rows, index)
        if feature.kind == "cat":
            counts: dict[str, int] = {}
            for value in column:
                if isinstance(value, str):
                    counts[value] = counts.get(value, 0) + 1
            categories = [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP_CATEGORIES]]
            features[feature.name] = {"categories": categories, "shares": _category_shares(column, categories)}
        else:
            values = _floats(column)
            edges = _numeric_edges(values)
            features[feature.name] = {"edges": edges, "shares": _numeric_shares(values, edges)}
    scores = np.array(probabilities, dtype=float)
    return {
        "source": source,
        "rows": len(rows),
        "features": features,
        "score": {"edges": SCORE_EDGES, "shares": _numeric_shares(scores, SCORE_EDGES)},
        "score_mean": float(scores.mean()) if scores.size else None,
    }


@dataclass
class DriftResult:
    rows: int
    status: str  # ok | warning | drift | insufficient
    score_psi: float | None
    feature_psi: dict[str, float] = field(default_factory=dict)
    drifted_features: list[str] = field(default_factory=list)
    score_mean: float | None = None


def compare(ref: Mapping[str, Any], rows: Sequence[Sequence[Any]], probabilities: Sequence[float]) -> DriftResult:
    n = len(rows)
    if n < MIN_ROWS or not ref or int(ref.get("rows", 0)) < MIN_ROWS:
        return DriftResult(rows=n, status="insufficient", score_psi=None)
    feature_psi: dict[str, float] = {}
    for index, feature in enumerate(FEATURES):
        spec = ref["features"].get(feature.name)
        if not spec:
            continue
        column = _column(rows, index)
        if "categories" in spec:
            current = _category_shares(column, spec["categories"])
        else:
            current = _numeric_shares(_floats(column), spec["edges"])
        if len(current) == len(spec["shares"]):
            feature_psi[feature.name] = round(psi(spec["shares"], current), 4)
    scores = np.array(probabilities, dtype=float)
    score_psi = round(psi(ref["score"]["shares"], _numeric_shares(scores, ref["score"]["edges"])), 4)
    drifted = sorted(
        (name for name, value in feature_psi.items() if value >= DRIFT_PSI), key=lambda name: -feature_psi[name]
    )
    worst = max([score_psi, *feature_psi.values()])
    status = "drift" if score_psi >= DRIFT_PSI or drifted else "warning" if worst >= WARNING_PSI else "ok"
    return DriftResult(
        rows=n,
        status=status,
        score_psi=score_psi,
        feature_psi=feature_psi,
        drifted_features=drifted,
        score_mean=float(scores.mean()),
    )
