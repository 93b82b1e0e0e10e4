"""Serving: a loaded model version (``ModelBundle``) and the ``Scorer`` that turns feature rows into scores.

    Scorer(bundle | None, config)
      score(rows, records, as_of) → [ScoreResult]
        ├ prior only (no bundle)        model = "prior"
        ├ bundle with blend weight < 1  model = "blend": calibrated(w · P(model) + (1 - w) · P(prior))
        └ bundle with weight 1          model = "lightgbm"
        each with: 0-100 score, tier, 90 % interval, reasons in words, dimensions

A bundle is stored as files (``model.txt`` / ``timing.txt``: LightGBM text models; ``metadata.json``: encoder,
calibration, band, dimension models, drift reference, metrics), never as a pickle. Scoring never raises for bad
feature values: the encoder maps them to "unknown" and each dimension that cannot be computed is left out with a
warning.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lightgbm as lgb
import numpy as np

from leadpilot.scoring import dimensions, explain
from leadpilot.scoring.calibration import Band, Calibrator, prior_band
from leadpilot.scoring.config import ScoringConfig
from leadpilot.scoring.dimensions import BudgetReference, LinearModel
from leadpilot.scoring.features import FEATURE_NAMES, FEATURE_SET_VERSION, FeatureEncoder, LeadRecord, fit_rows
from leadpilot.scoring.prior import BASE_LOGIT, PRIOR_VERSION, prior_contributions

log = logging.getLogger("leadpilot.scoring")

MODEL_FILE = "model.txt"
TIMING_FILE = "timing.txt"
METADATA_FILE = "metadata.json"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


@dataclass
class ModelBundle:
    version: str
    kind: str
    metadata: dict[str, Any]
    encoder: FeatureEncoder
    booster: lgb.Booster
    calibrator: Calibrator
    band: Band
    blend_weight: float
    readiness: LinearModel
    churn: LinearModel
    budget: BudgetReference
    timing: lgb.Booster | None = None
    timing_residuals: tuple[float, float] = (-0.7, 0.7)

    @property
    def horizon_days(self) -> int:
        return int(self.metadata.get("horizon_days", 60))

    def files(self) -> dict[str, bytes]:
        metadata = {
            **self.metadata,
            "version": self.version,
            "kind": self.kind,
            "encoder": self.encoder.to_json(),
            "calibration": self.calibrator.to_json(),
            "band": self.band.to_json(),
            "blend_weight": self.blend_weight,
            "readiness": self.readiness.to_json(),
            "churn": self.churn.to_json(),
            "budget_reference": self.budget.to_json(),
            "timing_residuals": list(self.timing_residuals),
        }
        files = {
            MODEL_FILE: self.booster.model_to_string().encode(),
            METADATA_FILE: json.dumps(metadata, indent=1, sort_keys=True, allow_nan=False).encode(),
        }
        if self.timing is not None:
            files[TIMING_FILE] = self.timing.model_to_string().encode()
        return files

    @classmethod
    def from_files(cls, files: Mapping[str, bytes]) -> ModelBundle:
        metadata = json.loads(files[METADATA_FILE])
        if metadata.get("feature_set") != FEATURE_SET_VERSION:
            raise ValueError(f"model built for feature set {metadata.get('feature_set')!r}, not {FEATURE_SET_VERSION}")
        timing = files.get(TIMING_FILE)
        residuals = metadata.get("timing_residuals") or [-0.7, 0.7]
        return cls(
            version=metadata["version"],
            kind=metadata["kind"],
            metadata=metadata,
            encoder=FeatureEncoder.from_json(metadata["encoder"]),
            booster=lgb.Booster(model_str=files[MODEL_FILE].decode()),
            calibrator=Calibrator.from_json(metadata["calibration"]),
            band=Band.from_json(metadata["band"]),
            blend_weight=float(metadata["blend_weight"]),
            readiness=LinearModel.from_json(metadata["readiness"]),
            churn=LinearModel.from_json(metadata["churn"]),
            budget=BudgetReference.from_json(metadata["budget_reference"]),
            timing=lgb.Booster(model_str=timing.decode()) if timing else None,
            timing_residuals=(float(residuals[0]), float(residuals[1])),
        )

    def raw_scores(self, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.predict(matrix, raw_score=True, num_threads=1), dtype=float)

    def served(self, rows: Sequence[Sequence[Any]], matrix: np.ndarray | None = None) -> Served:
        """The served probability of each row: the model's log-odds, blended with the prior's when the org has few
        outcomes (``blend_weight`` < 1), then calibrated; with its band."""
        if matrix is None:
            matrix = self.encoder.encode(rows)
        raw = self.raw_scores(matrix)
        prior_points = None
        served_input = raw
        if self.blend_weight < 1.0:
            prior_points = [prior_contributions(row) for row in rows]
            prior_logit = BASE_LOGIT + np.array([sum(points) for points in prior_points])
            mixed = self.blend_weight * _sigmoids(raw) + (1.0 - self.blend_weight) * _sigmoids(prior_logit)
            served_input = np.log(mixed / (1.0 - mixed))
        probability = self.calibrator(served_input)
        lower, upper = self.band(served_input, probability)
        return Served(raw, served_input, probability, lower, upper, prior_points)

    def served_input_of_bias(self, bias: float) -> float:
        """The served input of the average lead (model bias, prior base), for explanations."""
        if self.blend_weight >= 1.0:
            return bias
        mixed = self.blend_weight * _sigmoid(bias) + (1.0 - self.blend_weight) * _sigmoid(BASE_LOGIT)
        return math.log(mixed / (1.0 - mixed))

    def probabilities(self, rows: Sequence[Sequence[Any]]) -> np.ndarray:
        """Served probabilities."""
        return self.served(fit_rows(rows)).probability


@dataclass
class Served:
    raw: np.ndarray  # the model's log-odds
    served_input: np.ndarray  # log-odds after blending with the prior: what the calibration maps
    probability: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    prior_points: list[list[float]] | None


def _sigmoids(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


@dataclass
class ScoreResult:
    probability: float
    score: float
    tier: str
    lower: float
    upper: float
    model: str  # lightgbm | blend | prior
    model_version: str
    horizon_days: int
    reasons: list[dict[str, Any]]
    dimensions: dict[str, Any]
    as_of: datetime
    lead_id: int | None = None
    raw: float | None = None  # the model's log-odds (drift monitoring)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "probability": round(self.probability, 4),
            "score": round(self.score, 1),
            "tier": self.tier,
            "interval": [round(self.lower, 4), round(self.upper, 4)],
            "model": self.model,
            "model_version": self.model_version,
            "horizon_days": self.horizon_days,
            "reasons": self.reasons,
            "dimensions": self.dimensions,
            "warnings": self.warnings,
        }


@dataclass
class FastScores:
    probability: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    raw: np.ndarray
    tiers: list[str]


def tier_of(probability: float, tiers: Sequence[tuple[str, float]]) -> str:
    for name, threshold in tiers:
        if probability >= threshold:
            return name
    return tiers[-1][0]


class Scorer:
    """Scores feature rows with a bundle (or the prior alone). Stateless apart from the loaded bundle."""

    def __init__(self, bundle: ModelBundle | None, config: ScoringConfig | None = None) -> None:
        self.bundle = bundle
        self.config = config or ScoringConfig()

    @property
    def version(self) -> str:
        return self.bundle.version if self.bundle is not None else PRIOR_VERSION

    def probabilities(self, rows: Sequence[Sequence[Any]]) -> FastScores:
        """Probabilities, intervals and tiers of many rows at once, without reasons or dimensions (batches)."""
        rows = fit_rows(rows)
        n = len(rows)
        bundle = self.bundle
        if bundle is not None and n:
            served = bundle.served(rows)
            raw, p, lower, upper = served.raw, served.probability, served.lower, served.upper
        else:
            raw = np.zeros(n)
            p = _sigmoids(BASE_LOGIT + np.array([sum(prior_contributions(r)) for r in rows])) if n else np.zeros(0)
            lower, upper = prior_band(p) if n else (np.zeros(0), np.zeros(0))
        names = [name for name, _ in self.config.tiers]
        thresholds = np.array([threshold for _, threshold in self.config.tiers])
        # tiers are sorted by threshold, highest first: the first threshold reached names the tier
        index = np.argmax(p[:, None] >= thresholds[None, :], axis=1) if n else np.zeros(0, dtype=int)
        return FastScores(probability=p, lower=lower, upper=upper, raw=raw, tiers=[names[i] for i in index])

    def score(
        self,
        rows: Sequence[Sequence[Any]],
        *,
        as_of: datetime | Sequence[datetime],
        records: Sequence[LeadRecord | None] | None = None,
        lead_ids: Sequence[int | None] | None = None,
        explain_scores: bool = True,
        with_dimensions: bool = True,
    ) -> list[ScoreResult]:
        n = len(rows)
        if n == 0:
            return []
        rows = fit_rows(rows)
        records = records if records is not None else [None] * n
        lead_ids = lead_ids if lead_ids is not None else [None] * n
        bundle = self.bundle
        weight = bundle.blend_weight if bundle is not None else 0.0
        contrib: np.ndarray | None = None
        matrix: np.ndarray | None = None
        base_prior = _sigmoid(BASE_LOGIT)
        if bundle is not None:
            matrix = bundle.encoder.encode(rows)
            served = bundle.served(rows, matrix)
            raw, probabilities, lowers, uppers = served.raw, served.probability, served.lower, served.upper
            prior_points_all = served.prior_points
            if explain_scores:
                contrib = np.asarray(bundle.booster.predict(matrix, pred_contrib=True, num_threads=1), dtype=float)
            bias = float(contrib[0, -1]) if contrib is not None else 0.0
            base_model = float(bundle.calibrator(np.array([bundle.served_input_of_bias(bias)]))[0])
        else:
            raw = np.zeros(n)
            prior_points_all = [prior_contributions(row) for row in rows]
            probabilities = _sigmoids(BASE_LOGIT + np.array([sum(p) for p in prior_points_all]))
            lowers, uppers = prior_band(probabilities)
            bias = base_model = 0.0
        timing = self._timing(matrix, bundle) if with_dimensions else None
        as_ofs = [as_of] * n if isinstance(as_of, datetime) else list(as_of)
        results: list[ScoreResult] = []
        for i in range(n):
            row = rows[i]
            warnings: list[str] = []
            prior_points = prior_points_all[i] if prior_points_all is not None else None
            probability, lower, upper = float(probabilities[i]), float(lowers[i]), float(uppers[i])
            model = "prior" if bundle is None else ("lightgbm" if weight >= 1.0 else "blend")
            score = 100.0 * probability
            reasons: list[dict[str, Any]] = []
            if explain_scores:
                reasons = self._reasons(
                    row,
                    records[i],
                    contrib[i] if contrib is not None else None,
                    prior_points,
                    weight,
                    bias,
                    score,
                    base_model if bundle is not None else base_prior,
                )
            dims = (
                self._dimensions(row, records[i], as_ofs[i].timestamp(), probability, lower, upper, timing, i, warnings)
                if (with_dimensions)
                else {}
            )
            results.append(
                ScoreResult(
                    probability=probability,
                    score=score,
                    tier=tier_of(probability, self.config.tiers),
                    lower=lower,
                    upper=upper,
                    model=model,
                    model_version=self.version,
                    horizon_days=bundle.horizon_days if bundle is not None else self.config.horizon_days,
                    reasons=reasons,
                    dimensions=dims,
                    as_of=as_ofs[i],
                    lead_id=lead_ids[i],
                    raw=float(raw[i]) if bundle is not None else None,
                    warnings=warnings,
                )
            )
        return results

    def _reasons(
        self,
        row: Sequence[Any],
        record: LeadRecord | None,
        model_contrib: np.ndarray | None,
        prior_points: list[float] | None,
        weight: float,
        bias: float,
        score: float,
        base_probability: float,
    ) -> list[dict[str, Any]]:
        """Contributions in log-odds (the model's and the prior's, by the blend weight) → points → words."""
        n = len(FEATURE_NAMES)
        combined = np.zeros(n)
        if model_contrib is not None and weight > 0:
            combined += weight * model_contrib[:n]
        if prior_points is not None and weight < 1.0:
            combined += (1.0 - weight) * np.asarray(prior_points)
        total_bias = weight * bias + (1.0 - weight) * BASE_LOGIT
        points = explain.to_points(
            combined,
            raw=total_bias + float(combined.sum()),
            bias=total_bias,
            score=score,
            base_score=100.0 * base_probability,
        )
        return explain.reasons(points, row, explain.record_info(record), top=self.config.reasons)

    def _timing(self, matrix: np.ndarray | None, bundle: ModelBundle | None) -> np.ndarray | None:
        if bundle is None or bundle.timing is None or matrix is None:
            return None
        try:
            return np.asarray(bundle.timing.predict(matrix, num_threads=1), dtype=float)
        except Exception:
            log.exception("timing model failed")
            return None

    def _dimensions(
        self,
        row: Sequence[Any],
        record: LeadRecord | None,
        ts: float,
        probability: float,
        lower: float,
        upper: float,
        timing: np.ndarray | None,
        i: int,
        warnings: list[str],
    ) -> dict[str, Any]:
        bundle = self.bundle
        dims: dict[str, Any] = {
            "conversion_probability": {
                "value": round(probability, 4),
                "interval": [round(lower, 4), round(upper, 4)],
                "horizon_days": bundle.horizon_days if bundle else self.config.horizon_days,
            },
        }
        steps: dict[str, Any] = {
            "intent": lambda: dimensions.intent(row),
            "timing": lambda: self._timing_dimension(row, timing, i, ts),
            "budget_fit": lambda: dimensions.budget_fit(row, bundle.budget if bundle else BudgetReference()),
            "engagement_readiness": lambda: dimensions.readiness(
                row, bundle.readiness if bundle else dimensions.READINESS_DEFAULT, record, ts
            ),
            "churn_risk": lambda: dimensions.churn_risk(
                record, bundle.churn if bundle else dimensions.CHURN_DEFAULT, ts
            ),
        }
        for name, compute in steps.items():
            try:
                dims[name] = compute()
            except Exception as exc:
                log.warning("scoring dimension failed", extra={"dimension": name, "error": repr(exc)})
                dims[name] = None
                warnings.append(f"{name} could not be computed")
        return dims

    def _timing_dimension(self, row: Sequence[Any], timing: np.ndarray | None, i: int, ts: float) -> dict[str, Any]:
        if timing is None or self.bundle is None:
            result = dimensions.timing_from_stage(row)
        else:
            low, high = self.bundle.timing_residuals
            log_days = float(timing[i])
            days = max(0.5, math.expm1(log_days))
            result = {
                "expected_days": round(days, 1),
                "interval_days": [
                    round(max(0.0, math.expm1(log_days + low)), 1),
                    round(math.expm1(log_days + high), 1),
                ],
                "learnt": True,
            }
        expected = datetime.fromtimestamp(ts + result["expected_days"] * 86_400.0, UTC)
        result["expected_date"] = expected.date().isoformat()
        return result
