"""Probability calibration and the confidence band of a calibrated probability, stored as plain JSON.

    Calibrator.fit(raw, y) ── isotonic regression when the held-out slice has enough positives, Platt scaling
                              (a logistic curve on the raw log-odds) otherwise
    Band.fit(raw, y, calibrator) ── bootstrap: the calibrator refitted on resamples of the held-out slice; the
                              5th and 95th percentile curves, kept on a grid of raw scores

Both are evaluated with ``numpy.interp`` at serving time, so nothing but numbers is stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

MIN_ISOTONIC_POSITIVES = 60
MIN_ISOTONIC_ROWS = 400
_EPS = 1e-4


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


@dataclass
class Calibrator:
    method: str  # isotonic | platt | identity
    x: list[float]  # isotonic knots (raw log-odds)
    y: list[float]
    a: float = 1.0  # platt: sigmoid(a * raw + b)
    b: float = 0.0

    @classmethod
    def fit(cls, raw: np.ndarray, y: np.ndarray, *, method: str | None = None) -> Calibrator:
        positives = int(y.sum())
        if positives == 0 or positives == len(y):
            return cls("identity", [], [])
        chosen = method or (
            "isotonic" if positives >= MIN_ISOTONIC_POSITIVES and len(y) >= MIN_ISOTONIC_ROWS else "platt"
        )
        if chosen == "isotonic":
            iso = IsotonicRegression(out_of_bounds="clip", y_min=_EPS, y_max=1 - _EPS)
            iso.fit(raw, y)
            return cls("isotonic", [float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_])
        model = LogisticRegression(C=1e4, max_iter=1000)
        model.fit(raw.reshape(-1, 1), y)
        return cls("platt", [], [], a=float(model.coef_[0][0]), b=float(model.intercept_[0]))

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float)
        if self.method == "isotonic" and self.x:
            return np.clip(np.interp(raw, self.x, self.y), _EPS, 1 - _EPS)
        if self.method == "platt":
            return _sigmoid(self.a * raw + self.b)
        return _sigmoid(raw)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "x": self.x, "y": self.y, "a": self.a, "b": self.b}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibrator:
        return cls(
            data["method"], list(data.get("x", [])), list(data.get("y", [])), data.get("a", 1.0), data.get("b", 0.0)
        )


@dataclass
class Band:
    """A 90 % bootstrap band around the calibrated probability, as a function of the raw score."""

    grid: list[float]
    lower: list[float]
    upper: list[float]
    resamples: int = 0

    @classmethod
    def fit(cls, raw: np.ndarray, y: np.ndarray, calibrator: Calibrator, *, resamples: int = 60, seed: int = 7) -> Band:
        """Bootstrap the calibration on the held-out slice (Platt refits when the model is used uncalibrated), and
        widen the band to at least the Jeffreys interval of the held-out leads scored near each point: a region
        where every bootstrap agrees because it holds few leads must not look certain."""
        if len(y) == 0:
            return cls([], [], [])
        from scipy.stats import beta

        grid = np.unique(np.quantile(raw, np.linspace(0.0, 1.0, 41)))
        rng = np.random.default_rng(seed)
        method = calibrator.method if calibrator.method != "identity" else "platt"
        curves = []
        for _ in range(resamples):
            idx = rng.integers(0, len(y), len(y))
            if y[idx].sum() == 0 or y[idx].sum() == len(idx):
                continue
            curves.append(Calibrator.fit(raw[idx], y[idx], method=method)(grid))
        center = calibrator(grid)
        calibrated = calibrator(raw)
        near = np.array([np.sum(np.abs(calibrated - p) <= max(0.02, 0.25 * p)) for p in center], dtype=float)
        successes = center * near
        lower = beta.ppf(0.05, successes + 0.5, near - successes + 0.5)
        upper = beta.ppf(0.95, successes + 0.5, near - successes + 0.5)
        if curves:
            stacked = np.vstack(curves)
            lower = np.minimum(lower, np.quantile(stacked, 0.05, axis=0))
            upper = np.maximum(upper, np.quantile(stacked, 0.95, axis=0))
        # A band is a range around the estimate that grows with it: keep both monotone and the estimate inside.
        lower = np.minimum(np.maximum.accumulate(lower), center)
        upper = np.maximum(np.maximum.accumulate(upper), center)
        return cls([float(v) for v in grid], [float(v) for v in lower], [float(v) for v in upper], len(curves))

    def __call__(self, raw: np.ndarray, probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self.grid:
            return _beta_band(probability)
        lower = np.interp(raw, self.grid, self.lower)
        upper = np.interp(raw, self.grid, self.upper)
        return np.minimum(lower, probability), np.maximum(upper, probability)

    def to_json(self) -> dict[str, Any]:
        return {"grid": self.grid, "lower": self.lower, "upper": self.upper, "resamples": self.resamples}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Band:
        return cls(list(data["grid"]), list(data["lower"]), list(data["upper"]), int(data.get("resamples", 0)))


def _beta_band(probability: np.ndarray, *, pseudo_count: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """The band of a guess worth ``pseudo_count`` observations (the prior has no data behind it)."""
    from scipy.stats import beta

    p = np.clip(np.asarray(probability, dtype=float), 1e-3, 1 - 1e-3)
    a, b = p * pseudo_count, (1 - p) * pseudo_count
    return beta.ppf(0.05, a, b), beta.ppf(0.95, a, b)


def prior_band(probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _beta_band(probability)


def logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def is_finite(value: float) -> bool:
    return math.isfinite(value)
