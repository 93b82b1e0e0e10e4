"""Training a lead-conversion model version.

    train_lead_model(built, data_end, version, config)
      1. snapshots with labels from a window after as-of (dataset.lead_snapshots); refuse below min_positives
      2. leakage guard: features recomputed on records cut at as-of must not change (features.point_in_time_violations)
      3. time split by lead creation: oldest 70 % train, next 15 % calibrate, newest 15 % test
      4. LightGBM (early stopping on a per-account hold-out inside the training slice) + logistic baseline
      5. calibration chosen on the calibration slice (identity / Platt / isotonic by cross-validated Brier score),
         bootstrap band for the 90 % interval
      6. metrics on the test slice (served = calibrated and blended; also uncalibrated, logistic, prior), per-account
         5-fold validation, dimension models and their validation, the drift reference population
      → TrainingResult(bundle, metrics, ...)

``fit_booster``, ``choose_calibrator`` and ``logistic_baseline`` are shared with the public-dataset benchmarks.
Everything is seeded: the same data gives the same model.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from leadpilot.scoring import dimensions, drift
from leadpilot.scoring.calibration import Band, Calibrator
from leadpilot.scoring.config import ScoringConfig
from leadpilot.scoring.dataset import Built, Snapshot, lead_snapshots, split_by_time
from leadpilot.scoring.dimensions import BudgetReference, LinearModel
from leadpilot.scoring.features import (
    DAY,
    FEATURE_INDEX,
    FEATURE_NAMES,
    FEATURE_SET_VERSION,
    FeatureEncoder,
    lead_features,
    point_in_time_violations,
)
from leadpilot.scoring.metrics import auc, binary_metrics
from leadpilot.scoring.prior import PRIOR_VERSION, prior_probability
from leadpilot.scoring.scorer import ModelBundle, Scorer

LEAKAGE_SAMPLE = 200
KIND = "lead_conversion"


class TrainingRefused(Exception):
    """Training cannot produce a sound model (too few outcomes, or the leakage guard tripped)."""


class NotEnoughData(TrainingRefused):
    def __init__(self, detail: str, *, positives: int, rows: int) -> None:
        super().__init__(detail)
        self.positives = positives
        self.rows = rows


class LeakageDetected(TrainingRefused):
    pass


# --- shared building blocks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoosterConfig:
    num_leaves: int = 7
    learning_rate: float = 0.03
    min_child_samples: int = 50
    feature_fraction: float = 0.7
    bagging_fraction: float = 0.8
    bagging_freq: int = 1
    lambda_l2: float = 5.0
    cat_smooth: float = 20.0
    min_data_per_group: int = 50
    max_rounds: int = 1000
    early_stopping_rounds: int = 50
    default_rounds: int = 150
    seed: int = 7
    num_threads: int = 1

    def params(self, objective: str = "binary") -> dict[str, Any]:
        return {
            "objective": objective,
            "num_leaves": self.num_leaves,
            "learning_rate": self.learning_rate,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": self.bagging_freq,
            "lambda_l2": self.lambda_l2,
            "cat_smooth": self.cat_smooth,
            "min_data_per_group": self.min_data_per_group,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.num_threads,
            "verbose": -1,
        }


def fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    categorical: Sequence[int] = (),
    config: BoosterConfig = BoosterConfig(),
    objective: str = "binary",
    rounds: int | None = None,
) -> lgb.Booster:
    """Train with early stopping on 20 % of the accounts (``groups``) held out of ``x``; a fixed ``rounds`` skips it."""
    params = config.params(objective)
    cat = list(categorical)
    if rounds is not None or len(y) < 200:
        data = lgb.Dataset(x, y, categorical_feature=cat, free_raw_data=False)
        return lgb.train(params, data, rounds or config.default_rounds)
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=config.seed)
    fit_idx, valid_idx = next(splitter.split(x, y, groups if groups is not None else np.arange(len(y))))
    binary = objective == "binary"
    if binary and (y[valid_idx].sum() < 5 or y[fit_idx].sum() < 5):
        data = lgb.Dataset(x, y, categorical_feature=cat, free_raw_data=False)
        return lgb.train(params, data, config.default_rounds)
    train_set = lgb.Dataset(x[fit_idx], y[fit_idx], categorical_feature=cat, free_raw_data=False)
    valid_set = lgb.Dataset(x[valid_idx], y[valid_idx], categorical_feature=cat, reference=train_set)
    booster = lgb.train(
        params,
        train_set,
        config.max_rounds,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(config.early_stopping_rounds, verbose=False)],
    )
    best = max(20, booster.best_iteration or config.default_rounds)
    # Refit on the whole slice with the number of rounds the hold-out chose.
    full = lgb.Dataset(x, y, categorical_feature=cat, free_raw_data=False)
    return lgb.train(params, full, best)


def _brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def choose_calibrator(raw: np.ndarray, y: np.ndarray, *, seed: int = 7) -> Calibrator:
    """The calibration with the lowest Brier score in 2 x 2-fold cross-validation on the held-out slice:
    none (the model's own probabilities), Platt scaling, or isotonic regression when there is enough data."""
    if len(y) < 40 or y.sum() < 5 or y.sum() == len(y):
        return Calibrator("identity", [], [])
    candidates = ["identity", "platt"]
    if Calibrator.fit(raw, y).method == "isotonic":
        candidates.append("isotonic")
    losses = dict.fromkeys(candidates, 0.0)
    for repeat in range(2):
        folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=seed + repeat)
        for fit_idx, eval_idx in folds.split(raw.reshape(-1, 1), y):
            for method in candidates:
                calibrator = (
                    Calibrator("identity", [], [])
                    if method == "identity"
                    else Calibrator.fit(raw[fit_idx], y[fit_idx], method=method)
                )
                losses[method] += _brier(y[eval_idx], calibrator(raw[eval_idx]))
    best = min(candidates, key=lambda m: (losses[m], candidates.index(m)))
    return Calibrator("identity", [], []) if best == "identity" else Calibrator.fit(raw, y, method=best)


def logistic_baseline(
    x: np.ndarray, y: np.ndarray, *, categorical: Sequence[int], c: float = 0.3
) -> Callable[[np.ndarray], np.ndarray]:
    """A regularised logistic regression (median imputation with missing flags, z-scores, one-hot categories)."""
    cat = list(categorical)
    num = [j for j in range(x.shape[1]) if j not in set(cat)]
    num = [j for j in num if np.isfinite(x[:, j]).any()]
    steps = [("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), num)]
    if cat:
        steps.append(("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False), cat))
    model = Pipeline(
        [
            ("columns", ColumnTransformer(steps, sparse_threshold=0.0)),
            ("model", LogisticRegression(C=c, max_iter=3000, solver="newton-cholesky")),
        ]
    )

    def prepare(m: np.ndarray) -> np.ndarray:
        out = m.copy()
        if cat:
            block = out[:, cat]
            block[~np.isfinite(block)] = -1.0
            out[:, cat] = block
        return out

    model.fit(prepare(x), y)
    return lambda m: model.predict_proba(prepare(m))[:, 1]


def _predict(model: lgb.Booster, x: np.ndarray, *, raw_score: bool = False) -> np.ndarray:
    return np.asarray(model.predict(x, raw_score=raw_score, num_threads=1), dtype=float)


def band_coverage(y: np.ndarray, p: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, bins: int = 5) -> float | None:
    """Share of equal-count bins of prediction whose observed rate lies inside the bin's mean band."""
    if len(y) < bins * 20:
        return None
    order = np.argsort(p, kind="stable")
    hits = 0
    for chunk in np.array_split(order, bins):
        rate = y[chunk].mean()
        hits += int(lower[chunk].mean() <= rate <= upper[chunk].mean())
    return hits / bins


def _short(metrics: dict[str, Any]) -> dict[str, Any]:
    return {
        k: metrics[k]
        for k in ("rows", "positives", "auc", "average_precision", "brier", "ece", "precision_at_10pct")
        if k in metrics
    }


# --- the lead model --------------------------------------------------------------------------------------------------


@dataclass
class TrainingResult:
    bundle: ModelBundle
    metrics: dict[str, Any]
    rows: int
    positives: int
    window_start: datetime
    window_end: datetime
    horizon_days: int
    params: dict[str, Any] = field(default_factory=dict)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _rows(built: Built, snapshots: Sequence[Snapshot]) -> list[list[Any]]:
    return [lead_features(built.records[s.lead_id], s.as_of) for s in snapshots]


def labelled_counts(built: Built, *, data_end: datetime, horizon_days: int) -> tuple[int, int]:
    """(snapshots, converted leads) that training would use: decides between the prior and a model."""
    snapshots = lead_snapshots(built.outcomes.values(), data_end=data_end.timestamp(), horizon_days=horizon_days)
    return len(snapshots), len({s.lead_id for s in snapshots if s.label})


def train_lead_model(
    built: Built,
    *,
    data_end: datetime,
    version: str,
    config: ScoringConfig | None = None,
    booster: BoosterConfig | None = None,
    group_folds: int = 5,
    compare_with: ModelBundle | None = None,
) -> TrainingResult:
    """Train a version; ``compare_with`` (the active version) is evaluated on the same test slice."""
    # Single-threaded BLAS: on a shared 2-core machine more threads only make the solvers spin.
    with threadpool_limits(limits=1):
        return _train_lead_model(
            built,
            data_end=data_end,
            version=version,
            config=config,
            booster=booster,
            group_folds=group_folds,
            compare_with=compare_with,
        )


def _train_lead_model(
    built: Built,
    *,
    data_end: datetime,
    version: str,
    config: ScoringConfig | None,
    booster: BoosterConfig | None,
    group_folds: int,
    compare_with: ModelBundle | None = None,
) -> TrainingResult:
    config = config or ScoringConfig()
    booster = booster or BoosterConfig()
    end = data_end.timestamp()
    snapshots = lead_snapshots(built.outcomes.values(), data_end=end, horizon_days=config.horizon_days)
    positive_leads = len({s.lead_id for s in snapshots if s.label})
    if positive_leads < config.min_positives:
        raise NotEnoughData(
            f"{positive_leads} leads converted within {config.horizon_days} days of a labelled snapshot; "
            f"a model needs {config.min_positives}. Scores use the prior until then.",
            positives=positive_leads,
            rows=len(snapshots),
        )

    rng = random.Random(booster.seed)
    sample = rng.sample(snapshots, min(LEAKAGE_SAMPLE, len(snapshots)))
    violations = point_in_time_violations([built.records[s.lead_id] for s in sample], [s.as_of for s in sample])
    if violations:
        raise LeakageDetected(f"features read events after their as-of time: {sorted(violations)}")

    split = split_by_time(snapshots)
    if not split.train or not split.calibration or not split.test:
        raise NotEnoughData("too few leads to split by time", positives=positive_leads, rows=len(snapshots))
    rows_train, rows_cal, rows_test = (
        _rows(built, split.train),
        _rows(built, split.calibration),
        _rows(built, split.test),
    )
    y_train = np.array([s.label for s in split.train], dtype=float)
    y_cal = np.array([s.label for s in split.calibration], dtype=float)
    y_test = np.array([s.label for s in split.test], dtype=float)
    groups_train = np.array([s.group for s in split.train])
    encoder = FeatureEncoder.fit(rows_train)
    categorical = encoder.categorical_indices()
    x_train, x_cal, x_test = encoder.encode(rows_train), encoder.encode(rows_cal), encoder.encode(rows_test)

    model = fit_booster(x_train, y_train, groups=groups_train, categorical=categorical, config=booster)
    raw_test = _predict(model, x_test, raw_score=True)
    weight = min(1.0, positive_leads / config.full_weight_positives)

    readiness = _fit_readiness(built, split.train, rows_train)
    timing, residuals, timing_metrics = _fit_timing(built, split, x_train, x_cal, x_test, categorical, booster)
    budget = BudgetReference.fit(
        built.won_deals,
        [r[FEATURE_INDEX["company_size_band"]] for r in rows_train],
        [s.label for s in split.train],
        until=split.train_until,
    )
    churn, churn_metrics = _fit_churn(built, end)

    metadata: dict[str, Any] = {
        "feature_set": FEATURE_SET_VERSION,
        "features": list(FEATURE_NAMES),
        "horizon_days": config.horizon_days,
        "trained_at": datetime.now(UTC).isoformat(),
        "data_end": data_end.isoformat(),
        "booster": booster.params(),
        "num_trees": model.num_trees(),
        "prior_version": PRIOR_VERSION,
    }
    bundle = ModelBundle(
        version=version,
        kind=KIND,
        metadata=metadata,
        encoder=encoder,
        booster=model,
        calibrator=Calibrator("identity", [], []),
        band=Band([], [], []),
        blend_weight=weight,
        readiness=readiness,
        churn=churn,
        budget=budget,
        timing=timing,
        timing_residuals=residuals,
    )

    # What is calibrated is what is served: the model's log-odds, blended with the prior's while outcomes are few.
    served_input_cal = bundle.served(rows_cal, x_cal).served_input
    served_input_test = bundle.served(rows_test, x_test).served_input
    calibrator = bundle.calibrator = choose_calibrator(served_input_cal, y_cal, seed=booster.seed)
    band = bundle.band = Band.fit(served_input_cal, y_cal, calibrator, seed=booster.seed)
    served_test = bundle.served(rows_test, x_test)
    served, lower, upper = served_test.probability, served_test.lower, served_test.upper
    baseline = logistic_baseline(x_train, y_train, categorical=categorical)
    prior_test = np.array([prior_probability(r) for r in rows_test])
    metrics: dict[str, Any] = {
        "test": binary_metrics(y_test, served),
        "test_uncalibrated": _short(binary_metrics(y_test, 1.0 / (1.0 + np.exp(-served_input_test)))),
        "test_lightgbm": _short(binary_metrics(y_test, 1.0 / (1.0 + np.exp(-raw_test)))),
        "test_logistic": _short(binary_metrics(y_test, baseline(x_test))),
        "test_prior": _short(binary_metrics(y_test, prior_test)),
        "calibration": {
            "method": calibrator.method,
            "band_resamples": band.resamples,
            "band_coverage": band_coverage(y_test, served, lower, upper),
        },
        "blend_weight": weight,
        "split": {
            "train": _slice(split.train),
            "calibration": _slice(split.calibration),
            "test": _slice(split.test),
        },
        "group_cv": _group_cv(
            x_train, x_cal, y_train, y_cal, split, categorical, booster, model.num_trees(), folds=group_folds
        ),
        "dimensions": {
            "intent_auc": auc(y_test, np.array([dimensions.intent(r)["value"] for r in rows_test])),
            "budget_fit_auc": _budget_auc(rows_test, y_test, budget),
            "readiness": _readiness_validation(built, split.test, rows_test, readiness),
            "timing": timing_metrics,
            "churn": churn_metrics,
        },
        "feature_importance": _importance(model),
        "leakage_check": {"snapshots": len(sample), "violations": violations},
        "positive_leads": positive_leads,
    }
    if compare_with is not None:
        metrics["comparison"] = {
            "version": compare_with.version,
            "test": _short(binary_metrics(y_test, compare_with.probabilities(rows_test))),
        }
    reference_rows, reference_source = _reference_population(built, end, rows_test)
    reference_scores = Scorer(bundle, config).probabilities(reference_rows).probability
    metadata["drift_reference"] = drift.reference(reference_rows, list(reference_scores), source=reference_source)
    start = min(s.as_of for s in snapshots)
    return TrainingResult(
        bundle=bundle,
        metrics=metrics,
        rows=len(snapshots),
        positives=int(sum(s.label for s in snapshots)),
        window_start=datetime.fromtimestamp(start, UTC),
        window_end=data_end,
        horizon_days=config.horizon_days,
        params={"booster": booster.params(), "blend_weight": weight, "calibration": calibrator.method},
    )


def _slice(snapshots: Sequence[Snapshot]) -> dict[str, Any]:
    return {
        "rows": len(snapshots),
        "positives": int(sum(s.label for s in snapshots)),
        "leads": len({s.lead_id for s in snapshots}),
        "accounts": len({s.group for s in snapshots}),
        "created_from": _iso(min(s.created_at for s in snapshots)) if snapshots else None,
        "created_until": _iso(max(s.created_at for s in snapshots)) if snapshots else None,
    }


def _importance(model: lgb.Booster, top: int = 15) -> list[dict[str, Any]]:
    gains = model.feature_importance("gain")
    total = float(gains.sum()) or 1.0
    order = np.argsort(-gains)[:top]
    return [{"feature": FEATURE_NAMES[i], "share": round(float(gains[i]) / total, 4)} for i in order if gains[i] > 0]


def _group_cv(
    x_train: np.ndarray,
    x_cal: np.ndarray,
    y_train: np.ndarray,
    y_cal: np.ndarray,
    split: Any,
    categorical: Sequence[int],
    booster: BoosterConfig,
    rounds: int,
    *,
    folds: int,
) -> dict[str, Any]:
    """Per-account K-fold on the train and calibration slices: no account is both learnt from and scored."""
    x = np.vstack([x_train, x_cal])
    y = np.concatenate([y_train, y_cal])
    groups = np.array([s.group for s in [*split.train, *split.calibration]])
    if folds < 2 or len(set(groups.tolist())) < folds:
        return {"folds": 0}
    scores, baseline_scores = [], []
    for fit_idx, eval_idx in GroupKFold(n_splits=folds).split(x, y, groups):
        if y[eval_idx].min() == y[eval_idx].max():
            continue
        model = fit_booster(x[fit_idx], y[fit_idx], categorical=categorical, config=booster, rounds=rounds)
        scores.append(auc(y[eval_idx], _predict(model, x[eval_idx])))
        baseline = logistic_baseline(x[fit_idx], y[fit_idx], categorical=categorical)
        baseline_scores.append(auc(y[eval_idx], baseline(x[eval_idx])))
    found = [s for s in scores if s is not None]
    found_baseline = [s for s in baseline_scores if s is not None]
    return {
        "folds": len(found),
        "auc_mean": float(np.mean(found)) if found else None,
        "auc_std": float(np.std(found)) if found else None,
        "logistic_auc_mean": float(np.mean(found_baseline)) if found_baseline else None,
    }


def _fit_readiness(built: Built, snapshots: Sequence[Snapshot], rows: Sequence[Sequence[Any]]) -> LinearModel:
    labels = np.array([dimensions.engaged_within(built.records[s.lead_id], s.as_of) for s in snapshots])
    if labels.sum() < 20 or (len(labels) - labels.sum()) < 20:
        return dimensions.READINESS_DEFAULT
    inputs = [dimensions.readiness_inputs(r) for r in rows]
    return LinearModel.fit(dimensions.READINESS_INPUTS, dimensions.READINESS_LOG, inputs, labels)


def _readiness_validation(
    built: Built, snapshots: Sequence[Snapshot], rows: Sequence[Sequence[Any]], model: LinearModel
) -> dict[str, Any]:
    labels = np.array([dimensions.engaged_within(built.records[s.lead_id], s.as_of) for s in snapshots], dtype=float)
    predicted = np.array([model.probability(dimensions.readiness_inputs(r)) for r in rows])
    return {
        "auc": auc(labels, predicted),
        "base_rate": float(labels.mean()) if len(labels) else None,
        "window_days": dimensions.READINESS_WINDOW_DAYS,
        "learnt": model.trained,
    }


def _budget_auc(rows: Sequence[Sequence[Any]], y: np.ndarray, budget: BudgetReference) -> float | None:
    values = [dimensions.budget_fit(r, budget)["value"] for r in rows]
    known = [i for i, v in enumerate(values) if v is not None]
    if len(known) < 20:
        return None
    return auc(y[known], np.array([values[i] for i in known], dtype=float))


def _fit_timing(
    built: Built,
    split: Any,
    x_train: np.ndarray,
    x_cal: np.ndarray,
    x_test: np.ndarray,
    categorical: Sequence[int],
    booster: BoosterConfig,
) -> tuple[lgb.Booster | None, tuple[float, float], dict[str, Any]]:
    """log(1 + days to conversion) on converted snapshots; the interval comes from calibration-slice residuals."""

    def target(snapshots: Sequence[Snapshot]) -> tuple[np.ndarray, np.ndarray]:
        idx, days = [], []
        for i, s in enumerate(snapshots):
            converted = built.outcomes[s.lead_id].converted_at
            if s.label and converted is not None:
                idx.append(i)
                days.append(math.log1p(max(0.0, (converted - s.as_of) / DAY)))
        return np.array(idx, dtype=int), np.array(days)

    train_idx, train_y = target(split.train)
    cal_idx, cal_y = target(split.calibration)
    test_idx, test_y = target(split.test)
    if len(train_idx) < 60:
        return None, (-0.7, 0.7), {"learnt": False, "rows": len(train_idx)}
    config = BoosterConfig(num_leaves=7, learning_rate=0.05, min_child_samples=20, seed=booster.seed)
    model = fit_booster(
        x_train[train_idx], train_y, categorical=categorical, config=config, objective="regression", rounds=120
    )
    residuals = (-0.7, 0.7)
    if len(cal_idx) >= 20:
        res = cal_y - _predict(model, x_cal[cal_idx])
        residuals = (float(np.quantile(res, 0.1)), float(np.quantile(res, 0.9)))
    result: dict[str, Any] = {"learnt": True, "rows": len(train_idx), "interval_quantiles": [0.1, 0.9]}
    if len(test_idx):
        predicted = np.expm1(_predict(model, x_test[test_idx]))
        actual = np.expm1(test_y)
        baseline = float(np.expm1(np.median(train_y)))
        low, high = np.expm1(np.log1p(predicted) + residuals[0]), np.expm1(np.log1p(predicted) + residuals[1])
        result.update(
            {
                "test_rows": len(test_idx),
                "mae_days": float(np.mean(np.abs(predicted - actual))),
                "baseline_mae_days": float(np.mean(np.abs(baseline - actual))),
                "interval_coverage": float(np.mean((actual >= low) & (actual <= high))),
            }
        )
    return model, residuals, result


def _fit_churn(built: Built, end: float) -> tuple[LinearModel, dict[str, Any]]:
    """Monthly snapshots of every buying contact; label: no order in the next 90 days; time split 70 / 30."""
    horizon = dimensions.CHURN_HORIZON_DAYS * DAY
    samples: list[tuple[float, list[float], int]] = []
    for customer in built.customers.values():
        if not customer.orders:
            continue
        as_of = customer.orders[0][0] + 30 * DAY
        while as_of + horizon <= end:
            inputs = dimensions.churn_inputs(customer.orders, customer.app_times, as_of)
            if inputs is not None:
                samples.append((as_of, inputs, dimensions.churn_label(customer.orders, as_of)))
            as_of += 30 * DAY
    samples.sort(key=lambda s: s[0])
    labels = np.array([s[2] for s in samples])
    if len(samples) < 100 or labels.sum() < 20 or (len(labels) - labels.sum()) < 20:
        return dimensions.CHURN_DEFAULT, {"learnt": False, "rows": len(samples)}
    cut = int(len(samples) * 0.7)
    train, test = samples[:cut], samples[cut:]
    model = LinearModel.fit(
        dimensions.CHURN_INPUTS, dimensions.CHURN_LOG, [s[1] for s in train], np.array([s[2] for s in train])
    )
    y_test = np.array([s[2] for s in test], dtype=float)
    p_test = np.array([model.probability(s[1]) for s in test])
    default = np.array([dimensions.CHURN_DEFAULT.probability(s[1]) for s in test])
    return model, {
        "learnt": True,
        "rows": len(samples),
        "test_rows": len(test),
        "auc": auc(y_test, p_test),
        "brier": float(np.mean((p_test - y_test) ** 2)),
        "base_rate": float(y_test.mean()),
        "hand_set_auc": auc(y_test, default),
    }


def _reference_population(built: Built, end: float, fallback: list[list[Any]]) -> tuple[list[list[Any]], str]:
    """The leads a model will score first: those open at ``data_end``, seen then (the test slice if too few)."""
    open_rows = [
        lead_features(built.records[lead_id], end)
        for lead_id, outcome in built.outcomes.items()
        if outcome.resolved_at is None or outcome.resolved_at > end
    ]
    if len(open_rows) >= 100:
        return open_rows, "open_leads"
    return fallback, "test_slice"
