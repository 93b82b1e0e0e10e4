"""Quality figures of a probabilistic classifier: AUC, average precision, Brier score, log loss, precision at
top-k, a reliability table and the expected calibration error. All take numpy arrays and return plain floats."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score


def _safe(fn: Any, y: np.ndarray, p: np.ndarray) -> float | None:
    if len(y) == 0 or y.min() == y.max():
        return None
    return float(fn(y, p))


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return _safe(roc_auc_score, y, p)


def precision_at(y: np.ndarray, p: np.ndarray, k: int) -> float | None:
    if len(y) == 0 or k <= 0:
        return None
    top = np.argsort(-p, kind="stable")[: min(k, len(y))]
    return float(y[top].mean())


def reliability(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width bins of predicted probability: rows, mean prediction and observed rate per bin."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        table.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "rows": n,
                "predicted": float(p[mask].mean()) if n else None,
                "observed": float(y[mask].mean()) if n else None,
            }
        )
    return table


def expected_calibration_error(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> float | None:
    if len(y) == 0:
        return None
    total = 0.0
    for row in reliability(y, p, bins=bins):
        if row["rows"]:
            total += row["rows"] * abs(row["predicted"] - row["observed"])
    return total / len(y)


def binary_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    n = len(y)
    k10 = max(1, math.ceil(0.1 * n)) if n else 0
    return {
        "rows": n,
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if n else None,
        "auc": auc(y, p),
        "average_precision": _safe(average_precision_score, y, p),
        "brier": float(brier_score_loss(y, p)) if n else None,
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if n else None,
        "precision_at_10pct": precision_at(y, p, k10),
        "precision_at_50": precision_at(y, p, 50),
        "lift_at_10pct": (precision_at(y, p, k10) or 0.0) / float(y.mean()) if n and y.mean() > 0 else None,
        "ece": expected_calibration_error(y, p),
        "reliability": reliability(y, p),
    }
