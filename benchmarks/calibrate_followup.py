"""Fit the follow-up service's two calibrated models on the evaluation set and write them to
src/leadpilot/followup/data/calibration.json (what the service ships), with cross-validated figures.

    python benchmarks/calibrate_followup.py            # fit, print the figures, write calibration.json
    python benchmarks/calibrate_followup.py --write docs/benchmarks.md   # ... and the figures into that file

1. Answerability: for every situation whose lead asked a question, the chunks retrieved for the question alone
   (``leadpilot.followup.calibration.answerability_features``) against "the knowledge base answers it" (the
   situation's label). Logistic regression; 5-fold stratified cross-validation gives out-of-fold probabilities, the
   ROC AUC and the threshold (best balanced accuracy) the service abstains below.
2. Confidence: strict follow-ups for every situation, generated with the answerability model of step 1, against
   "grounded and the question handled right" (answered from an expected document when the knowledge base has the
   answer; left for the team when it has not). Logistic regression over the response's confidence parts; the
   expected calibration error and Brier score are measured on out-of-fold probabilities, next to the fixed weighted
   sum used before (0.4 retrieval + 0.35 grounding + 0.25 strategy).

The shipped coefficients are fitted on all situations; the cross-validated figures are what to expect on new
situations like them. 138 situations of one fictional vendor: a small set, and the docs say so.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_summary, write_section  # noqa: E402
from benchmarks.bench_followup import (  # noqa: E402
    load_demo,
    load_jsonl,
    reliability,
    roc_auc,
    run_followups,
    use_database,
)

SECTION = "followup-calibration"
FOLDS = 5
SEED = 7
OLD_WEIGHTS = {"retrieval": 0.4, "grounding": 0.35, "strategy": 0.25}


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000).fit(x, y)


def out_of_fold(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros(len(y))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        probabilities[test] = _fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return probabilities


def best_threshold(probabilities: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(threshold, share of positives kept, share of negatives caught) with the best balanced accuracy."""
    best = (0.5, 0.0, 0.0)
    best_score = -1.0
    for threshold in np.arange(0.05, 0.96, 0.01):
        kept = float(np.mean(probabilities[y == 1] >= threshold))
        caught = float(np.mean(probabilities[y == 0] < threshold))
        if (kept + caught) / 2 > best_score:
            best_score, best = (kept + caught) / 2, (round(float(threshold), 2), kept, caught)
    return best


def model_dict(model: Any, features: tuple[str, ...], threshold: float = 0.5) -> dict[str, Any]:
    return {"features": list(features), "weights": [round(float(w), 6) for w in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6), "threshold": threshold}  # fmt: skip


def fit_answerability(org_id: int, situations: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    from leadpilot.db.session import new_session
    from leadpilot.followup.calibration import ANSWERABILITY_FEATURES, answerability_features
    from leadpilot.followup.service import QUESTION_CHUNKS
    from leadpilot.knowledge import retrieve

    asked = [s for s in situations if s["question"].rstrip().endswith("?")]
    with new_session(write=False) as session:
        rows = [answerability_features(s["question"], retrieve(session, org_id, s["question"], k=QUESTION_CHUNKS))
                for s in asked]  # fmt: skip
    x = np.array([[row[name] for name in ANSWERABILITY_FEATURES] for row in rows])
    y = np.array([int(s["answerable"]) for s in asked])
    oof = out_of_fold(x, y)
    threshold, kept, caught = best_threshold(oof, y)
    top = x[:, ANSWERABILITY_FEATURES.index("top_cosine")]
    figures = {"questions": len(asked), "answerable": int(y.sum()), "unanswerable": int((1 - y).sum()),
               "auc": roc_auc(oof[y == 1].tolist(), oof[y == 0].tolist()),
               "auc_top_cosine": roc_auc(top[y == 1].tolist(), top[y == 0].tolist()),
               "threshold": threshold, "kept": kept, "caught": caught}  # fmt: skip
    return model_dict(_fit(x, y), ANSWERABILITY_FEATURES, threshold), figures


def fit_confidence(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    from leadpilot.followup.calibration import CONFIDENCE_FEATURES

    def part(row: dict[str, Any], name: str) -> float:
        if name == "abstained":
            return float(row["abstained"])
        value = row["parts"].get(name)
        return 1.0 if value is None else float(value)  # no question: scored as answerable (service.py)

    x = np.array([[part(row, name) for name in CONFIDENCE_FEATURES] for row in rows])
    y = np.array([int(row["good"]) for row in rows])
    oof = out_of_fold(x, y)
    old = [sum(w * row["parts"][name] for name, w in OLD_WEIGHTS.items()) for row in rows]
    _, ece_cv, brier_cv = reliability([{**row, "confidence": float(p)} for row, p in zip(rows, oof, strict=True)])
    _, ece_old, brier_old = reliability([{**row, "confidence": p} for row, p in zip(rows, old, strict=True)])
    buckets, _, _ = reliability([{**row, "confidence": float(p)} for row, p in zip(rows, oof, strict=True)])
    figures = {"followups": len(rows), "good": float(y.mean()), "ece_cv": ece_cv, "brier_cv": brier_cv,
               "ece_old": ece_old, "brier_old": brier_old, "buckets": buckets,
               "auc_cv": roc_auc(oof[y == 1].tolist(), oof[y == 0].tolist())}  # fmt: skip
    return model_dict(_fit(x, y), CONFIDENCE_FEATURES), figures


def render(answer: dict[str, Any], confidence: dict[str, Any], calibration: dict[str, Any], machine: str) -> str:
    lines = [
        "## Follow-ups: answerability and calibrated confidence",
        "",
        f"Command: `.venv/bin/python benchmarks/calibrate_followup.py --write docs/benchmarks.md`. Machine: {machine}. "
        "Data: benchmarks/data/followup_eval/situations.jsonl on the demo knowledge base. Both models are logistic "
        f"regressions; figures are {FOLDS}-fold cross-validated (out-of-fold probabilities), the shipped "
        "coefficients (src/leadpilot/followup/data/calibration.json) are fitted on all situations.",
        "",
        f"**Answerability** ({answer['questions']} questions: {answer['answerable']} answerable, "
        f"{answer['unanswerable']} not): ROC AUC {answer['auc']:.3f} (top cosine alone "
        f"{answer['auc_top_cosine']:.3f}). "
        f"At the shipped threshold {answer['threshold']:.2f}: {answer['kept'] * 100:.1f} % of answerable questions "
        f"answered, {answer['caught'] * 100:.1f} % of unanswerable ones left for the team.",
        "",
        f"**Confidence** ({confidence['followups']} strict follow-ups, {confidence['good'] * 100:.1f} % with a good "
        "outcome = grounded, and answered from an expected document / left for the team when the knowledge base "
        f"has no answer): expected calibration error {confidence['ece_cv']:.3f}, Brier score "
        f"{confidence['brier_cv']:.3f}, ROC AUC {confidence['auc_cv']:.3f}; the fixed weighted sum used before: "
        f"ECE {confidence['ece_old']:.3f}, Brier {confidence['brier_old']:.3f}.",
        "",
        "| confidence (out of fold) | follow-ups | mean confidence | good outcome |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {n} | {conf:.3f} | {good * 100:.1f} % |" for label, n, conf, good in confidence["buckets"]]
    weights = ", ".join(
        f"{name} {w:+.2f}"
        for name, w in zip(calibration["confidence"]["features"], calibration["confidence"]["weights"], strict=True)
    )
    lines += ["", f"Shipped confidence weights: {weights}, intercept {calibration['confidence']['intercept']:+.2f}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help="write the figures into this markdown file")
    args = parser.parse_args()
    situations = load_jsonl("situations.jsonl")
    machine = machine_summary()
    home = Path(tempfile.mkdtemp(prefix="leadpilot-calibrate-"))
    use_database(f"sqlite:///{home}/calibrate.db", home)
    org_id = load_demo()

    from leadpilot.followup import calibration as calibration_module

    print("answerability", flush=True)
    answer_model, answer_figures = fit_answerability(org_id, situations)
    output = calibration_module.CALIBRATION_FILE  # what the service reads while step 2 runs
    calibration = json.loads(output.read_text())
    calibration["answerability"] = answer_model
    calibration["fitted_on"] = "benchmarks/data/followup_eval/situations.jsonl (demo knowledge base)"
    output.write_text(json.dumps(calibration, indent=2) + "\n")
    calibration_module.load.cache_clear()

    print("confidence: strict follow-ups", flush=True)
    result = run_followups(org_id, situations, "strict")
    if result["errors"]:
        raise SystemExit(f"{len(result['errors'])} follow-ups failed; first: {result['errors'][0]}")
    confidence_model, confidence_figures = fit_confidence(result["rows"])
    calibration["confidence"] = confidence_model
    output.write_text(json.dumps(calibration, indent=2) + "\n")
    calibration_module.load.cache_clear()

    body = render(answer_figures, confidence_figures, calibration, machine)
    print("\n" + body)
    if args.write:
        write_section(args.write, SECTION, body)


if __name__ == "__main__":
    main()
