"""Scoring rules: serving scores, storing them, the model registry (train, promote, roll back), shadow scoring and
drift checks. Flushes, never commits.

    score_leads(ids)        features as of now (or as of the outcome for a converted / lost lead) → Scorer
      └ _store(results)     lead columns, history rows when the score moved, shadow rows of a candidate,
                            ``lead.scored`` when a lead gets its first score or changes tier
    train()                 prepare_training (reads) → run_training (CPU, no database) → register (writes)
    promote(id) / rollback  one active version per org and kind; both re-score the org after commit
    check_drift()           PSI of the open leads against the active version's reference → DriftReport

Which model scores: the active version of the org (blended with the prior while the org has few outcomes), or the
prior alone when there is none. A version whose artifact cannot be read falls back to the prior and logs why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm.leads.repository import LeadNotFound
from leadpilot.crm.models import Lead
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.kit.clock import utcnow
from leadpilot.orgs.models import Org
from leadpilot.scoring import drift, registry
from leadpilot.scoring.config import ScoringConfig
from leadpilot.scoring.dataset import Built, build
from leadpilot.scoring.features import FEATURE_SET_VERSION, lead_features, row_from_mapping
from leadpilot.scoring.metrics import auc
from leadpilot.scoring.models import DriftReport, LeadScore, ModelVersion
from leadpilot.scoring.repository import (
    DriftReportRepository,
    LeadScoreRepository,
    ModelVersionRepository,
    ScoringDataRepository,
    VersionRef,
)
from leadpilot.scoring.schemas import ShadowComparison
from leadpilot.scoring.scorer import ModelBundle, Scorer, ScoreResult
from leadpilot.scoring.training import KIND, NotEnoughData, TrainingResult, train_lead_model
from leadpilot.webhooks import repository as webhook_repository
from leadpilot.webhooks.events import emit_event, subscribed

log = logging.getLogger("leadpilot.scoring")

MATERIAL_POINTS = 1.0  # a stored score moves by at least this much before a history row is written
BATCH_CHUNK = 2000


@dataclass
class TrainingInput:
    built: Built
    data_end: datetime
    version: str
    number: int
    config: ScoringConfig
    active: ModelBundle | None
    active_id: int | None


@dataclass
class TrainOutcome:
    trained: bool
    detail: str
    version: ModelVersion | None = None


@dataclass
class BatchSummary:
    scored: int
    stored: int
    model: str
    model_version: str
    seconds: float


def _points(value: float) -> float:
    return round(value, 2)


class ScoringService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.org_id = principal.org_id
        self.versions = ModelVersionRepository(session, principal)
        self.scores = LeadScoreRepository(session, principal)
        self.drift_reports = DriftReportRepository(session, principal)
        self.data = ScoringDataRepository(session, principal)

    # --- models in use ------------------------------------------------------------------------------------------

    def config(self) -> ScoringConfig:
        org = self.session.get(Org, self.org_id)
        return ScoringConfig.from_settings(org.settings if org is not None else None)

    def _bundle(self, version: ModelVersion | VersionRef | None) -> ModelBundle | None:
        if version is None:
            return None
        try:
            return registry.load(version.artifact_path, version.artifact_sha256)
        except registry.ArtifactError as exc:
            log.error(
                "model artifact unavailable; scoring with the prior",
                extra={"version": version.version, "error": str(exc)},
            )
            return None

    def scorer(self, kind: str = KIND) -> tuple[Scorer, VersionRef | None]:
        active = self.versions.ref(kind, "active")
        bundle = self._bundle(active)
        return Scorer(bundle, self.config()), active if bundle is not None else None

    def candidate_scorer(self, kind: str = KIND) -> tuple[Scorer, VersionRef] | None:
        candidate = self.versions.ref(kind, "candidate")
        bundle = self._bundle(candidate)
        if candidate is None or bundle is None:
            return None
        return Scorer(bundle, self.config()), candidate

    # --- serving ------------------------------------------------------------------------------------------------

    def _check_leads(self, lead_ids: Sequence[int]) -> list[int]:
        unique = list(dict.fromkeys(lead_ids))
        found = set(self.data.current_scores(unique))
        for lead_id in unique:
            if lead_id not in found:
                # The same answer for a missing lead and another org's lead.
                raise LeadNotFound(extra={"lead_id": lead_id})
        return unique

    def _rows_for(
        self, lead_ids: Sequence[int], now: datetime, *, check: bool = False
    ) -> tuple[Built, list[int], list[Any], list[datetime]]:
        """Feature rows of the leads that exist (``check``: a missing one is a 404), with their as-of times."""
        built = build(self.data.crm_tables(lead_ids))
        missing = [i for i in lead_ids if i not in built.records]
        if missing and check:
            # The same answer for a missing lead and another org's lead.
            raise LeadNotFound(extra={"lead_id": missing[0]})
        lead_ids = [i for i in lead_ids if i in built.records]
        rows, as_ofs = [], []
        ts_now = now.timestamp()
        for lead_id in lead_ids:
            outcome = built.outcomes[lead_id]
            # A converted or lost lead keeps the score it had just before its outcome.
            ts = min(ts_now, outcome.resolved_at) if outcome.resolved_at is not None else ts_now
            rows.append(lead_features(built.records[lead_id], ts))
            as_ofs.append(datetime.fromtimestamp(ts, now.tzinfo))
        return built, lead_ids, rows, as_ofs

    def score_leads(
        self, lead_ids: Sequence[int], *, persist: bool = True, trigger: str = "api", check: bool = True
    ) -> list[ScoreResult]:
        ids = list(dict.fromkeys(lead_ids))
        if not ids:
            return []
        now = utcnow()
        built, ids, rows, as_ofs = self._rows_for(ids, now, check=check)
        scorer, version = self.scorer()
        records = [built.records[i] for i in ids]
        results = scorer.score(rows, as_of=as_ofs, records=records, lead_ids=ids)
        if persist:
            self._store(results, rows, as_ofs, trigger=trigger, version=version, now=now)
        return results

    def score_features(self, items: Sequence[dict[str, Any]]) -> list[ScoreResult]:
        """Ad-hoc feature values (never stored). Unknown or unusable values become warnings, never errors."""
        rows, warnings = [], []
        for item in items:
            row, problems = row_from_mapping(item if isinstance(item, dict) else {})
            rows.append(row)
            warnings.append(problems)
        scorer, _ = self.scorer()
        results = scorer.score(rows, as_of=utcnow())
        for result, problems in zip(results, warnings, strict=True):
            result.warnings = [*problems, *result.warnings]
        return results

    def lead_score(self, lead_id: int) -> tuple[ScoreResult, list[LeadScore]]:
        result = self.score_leads([lead_id], persist=False)[0]
        return result, self.scores.history(lead_id)

    def score_history(self, lead_id: int, *, limit: int = 50) -> list[LeadScore]:
        """Stored scores of a lead, newest first (404 for a lead of another org)."""
        self._check_leads([lead_id])
        return self.scores.history(lead_id, limit=limit)

    def score_all(self, *, trigger: str = "batch", unscored_only: bool = False) -> BatchSummary:
        """Re-score the org's leads in chunks: probabilities for all, explanations where the score moved."""
        started = time.perf_counter()
        lead_ids = self.data.lead_ids(unscored_only=unscored_only)
        scorer, version = self.scorer()
        stored = 0
        for start in range(0, len(lead_ids), BATCH_CHUNK):
            stored += self._score_chunk(lead_ids[start : start + BATCH_CHUNK], scorer, version, trigger=trigger)
        return BatchSummary(
            scored=len(lead_ids),
            stored=stored,
            model="prior" if version is None else "model",
            model_version=scorer.version,
            seconds=time.perf_counter() - started,
        )

    def _score_chunk(self, ids: list[int], scorer: Scorer, version: VersionRef | None, *, trigger: str) -> int:
        now = utcnow()
        built, ids, rows, as_ofs = self._rows_for(ids, now)
        current = self.data.current_scores(ids)
        quick = scorer.probabilities(rows)
        moved = [
            i
            for i, lead_id in enumerate(ids)
            if self._moved(current.get(lead_id), 100.0 * float(quick.probability[i]), quick.tiers[i], scorer.version)
        ]
        if moved:
            full = scorer.score(
                [rows[i] for i in moved],
                as_of=[as_ofs[i] for i in moved],
                records=[built.records[ids[i]] for i in moved],
                lead_ids=[ids[i] for i in moved],
            )
            self._store(
                full,
                [rows[i] for i in moved],
                [as_ofs[i] for i in moved],
                trigger=trigger,
                version=version,
                now=now,
                current=current,
            )
        moved_set = set(moved)
        still = [i for i in range(len(ids)) if i not in moved_set]
        if still:
            self.session.execute(
                update(Lead),
                [
                    {
                        "id": ids[i],
                        "score": _points(100.0 * float(quick.probability[i])),
                        "score_probability": float(quick.probability[i]),
                        "scored_at": now,
                        "updated_at": current[ids[i]]["updated_at"],
                    }
                    for i in still
                ],
            )
        return len(moved)

    @staticmethod
    def _moved(current: dict[str, Any] | None, score: float, tier: str, model_version: str) -> bool:
        """Whether a new score is worth a history row: a first score, a move of a point, a new tier or model."""
        if current is None or current.get("score") is None:
            return True
        return (
            abs(float(current["score"]) - score) >= MATERIAL_POINTS
            or current.get("score_tier") != tier
            or current.get("score_model_version") != model_version
        )

    def _material(self, current: dict[str, Any] | None, result: ScoreResult) -> bool:
        return self._moved(current, result.score, result.tier, result.model_version)

    def _store(
        self,
        results: Sequence[ScoreResult],
        rows: Sequence[Any],
        as_ofs: Sequence[datetime],
        *,
        trigger: str,
        version: VersionRef | None,
        now: datetime,
        current: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        """Write scores to the leads, and history rows where the score moved. While a candidate is shadowed, a
        single-lead score (API, activity) is always kept, with the candidate's score beside it for comparison."""
        if not results:
            return
        ids = [r.lead_id for r in results if r.lead_id is not None]
        current = current if current is not None else self.data.current_scores(ids)
        candidate = self.candidate_scorer()
        keep_all = candidate is not None and trigger != "batch"
        updates, history, changed_tier = [], [], []
        moved_index = []
        for i, result in enumerate(results):
            before = current.get(result.lead_id) if result.lead_id is not None else None
            if before is None:
                continue
            updates.append(
                {
                    "id": result.lead_id,
                    "score": _points(result.score),
                    "score_probability": result.probability,
                    "score_tier": result.tier,
                    "score_reasons": result.reasons,
                    "score_model_version": result.model_version,
                    "scored_at": now,
                    "updated_at": before["updated_at"],
                }
            )
            if keep_all or self._material(before, result):
                moved_index.append(i)
                history.append(self._history_row(result, version, trigger=trigger, now=now, shadow=False))
            if before.get("score_tier") != result.tier:
                changed_tier.append((result, before.get("score_tier")))
        if updates:
            self.session.execute(update(Lead), updates)
        if history:
            self.session.execute(insert(LeadScore), history)
        if moved_index and candidate is not None:
            self._shadow(candidate, results, rows, as_ofs, moved_index, trigger=trigger, now=now)
        self._emit_scored(changed_tier)

    def _history_row(
        self, result: ScoreResult, version: VersionRef | None, *, trigger: str, now: datetime, shadow: bool
    ) -> dict[str, Any]:
        return {
            "org_id": self.org_id,
            "lead_id": result.lead_id,
            "model_version_id": version.id if version else None,
            "model_version": result.model_version,
            "model": result.model,
            "shadow": shadow,
            "trigger": trigger,
            "as_of": result.as_of,
            "scored_at": now,
            "probability": result.probability,
            "score": _points(result.score),
            "tier": result.tier,
            "lower": result.lower,
            "upper": result.upper,
            "dimensions": result.dimensions,
            "reasons": result.reasons,
        }

    def _shadow(
        self,
        candidate: tuple[Scorer, VersionRef],
        results: Sequence[ScoreResult],
        rows: Sequence[Any],
        as_ofs: Sequence[datetime],
        index: Sequence[int],
        *,
        trigger: str,
        now: datetime,
    ) -> None:
        scorer, version = candidate
        shadow = scorer.score(
            [rows[i] for i in index],
            as_of=[as_ofs[i] for i in index],
            lead_ids=[results[i].lead_id for i in index],
            explain_scores=False,
            with_dimensions=False,
        )
        self.session.execute(
            insert(LeadScore), [self._history_row(r, version, trigger=trigger, now=now, shadow=True) for r in shadow]
        )

    def _emit_scored(self, changed: list[tuple[ScoreResult, str | None]]) -> None:
        """``lead.scored`` for a first score or a new tier; skipped at once when no endpoint listens."""
        if not changed:
            return
        endpoints = webhook_repository.active_endpoints(self.session, self.org_id)
        if not any(subscribed(e.events or [], "lead.scored") for e in endpoints):
            return
        for result, previous in changed:
            emit_event(
                self.session,
                self.org_id,
                "lead.scored",
                {
                    "id": result.lead_id,
                    "score": _points(result.score),
                    "probability": round(result.probability, 4),
                    "tier": result.tier,
                    "previous_tier": previous,
                    "model": result.model,
                    "model_version": result.model_version,
                    "reasons": result.reasons,
                },
            )

    # --- registry -----------------------------------------------------------------------------------------------

    def prepare_training(self, kind: str = KIND) -> TrainingInput:
        if kind != KIND:
            raise InvalidInput(f"unknown model kind {kind!r}")
        active = self.versions.active(kind)
        number = self.versions.next_number()
        built = build(self.data.crm_tables(None))
        now = utcnow()
        return TrainingInput(
            built=built,
            data_end=datetime.fromtimestamp(built.data_end(now.timestamp()), now.tzinfo),
            version=f"lead-v{number}",
            number=number,
            config=self.config(),
            active=self._bundle(active),
            active_id=active.id if active else None,
        )

    def register(
        self, prepared: TrainingInput, result: TrainingResult, *, trigger: str, promote: bool | None = None
    ) -> ModelVersion:
        path, sha = registry.save(self.org_id, prepared.version, result.bundle.files())
        calibration = result.metrics.get("calibration", {}).get("method", "identity")
        version = ModelVersion(
            kind=KIND,
            version=prepared.version,
            number=prepared.number,
            status="candidate",
            algorithm=f"lightgbm+{calibration}",
            feature_set=FEATURE_SET_VERSION,
            trigger=trigger,
            training_window_start=result.window_start,
            training_window_end=result.window_end,
            horizon_days=result.horizon_days,
            rows=result.rows,
            positives=result.positives,
            metrics=result.metrics,
            params=result.params,
            artifact_path=path,
            artifact_sha256=sha,
            created_by_id=self.principal.user_id,
        )
        self.versions.add(version)
        test = result.metrics.get("test", {})
        record(
            self.session,
            self.principal,
            "model.trained",
            entity_type="model_version",
            entity_id=version.id,
            data={"version": version.version, "auc": test.get("auc")},
        )
        emit_event(self.session, self.org_id, "model.trained", self._event_data(version))
        active = self.versions.active(KIND)
        if promote is None:
            promote = active is None or (
                trigger == "scheduled" and prepared.config.auto_promote and _at_least_as_good(result.metrics)
            )
        if promote:
            self.promote(version.id, message="first model of the org" if active is None else None)
        return version

    def train(self, *, kind: str = KIND, trigger: str = "manual", promote: bool | None = None) -> TrainOutcome:
        """Read, train and register in this session (the session holds its transaction throughout)."""
        prepared = self.prepare_training(kind)
        outcome = run_training(prepared)
        if isinstance(outcome, str):
            return TrainOutcome(False, outcome)
        version = self.register(prepared, outcome, trigger=trigger, promote=promote)
        return TrainOutcome(True, f"trained {version.version} ({version.status})", version)

    def _event_data(self, version: ModelVersion) -> dict[str, Any]:
        test = (version.metrics or {}).get("test", {})
        return {
            "id": version.id,
            "kind": version.kind,
            "version": version.version,
            "status": version.status,
            "auc": test.get("auc"),
            "brier": test.get("brier"),
        }

    def promote(self, version_id: int, *, message: str | None = None) -> ModelVersion:
        version = self.versions.access_by_id(version_id)
        if version.status == "active":
            raise Conflict(f"{version.version} is already active")
        self._bundle_or_conflict(version)
        now = utcnow()
        current = self.versions.active(version.kind)
        if current is not None:
            current.status, current.archived_at = "archived", now
        version.status, version.promoted_at, version.archived_at = "active", now, None
        version.promoted_by_id = self.principal.user_id
        version.replaced_id = current.id if current is not None else None
        if message:
            version.message = message
        self.session.flush()
        record(
            self.session,
            self.principal,
            "model.promoted",
            entity_type="model_version",
            entity_id=version.id,
            data={"version": version.version, "previous": current.version if current else None},
        )
        emit_event(
            self.session,
            self.org_id,
            "model.promoted",
            {**self._event_data(version), "previous_version": current.version if current else None},
        )
        _rescore_after_commit(self.session, self.org_id)
        return version

    def rollback(self, kind: str = KIND) -> tuple[ModelVersion | None, ModelVersion]:
        """Archive the active version and re-activate the one it replaced (or fall back to the prior)."""
        current = self.versions.active(kind)
        if current is None:
            raise Conflict("no active model to roll back")
        previous = self.versions.get(current.replaced_id) if current.replaced_id is not None else None
        if previous is not None:
            self._bundle_or_conflict(previous)
        now = utcnow()
        current.status, current.archived_at = "archived", now
        if previous is not None:
            previous.status, previous.promoted_at, previous.archived_at = "active", now, None
            previous.promoted_by_id = self.principal.user_id
        self.session.flush()
        data = {"rolled_back": current.version, "active": previous.version if previous else None}
        record(
            self.session,
            self.principal,
            "model.rolled_back",
            entity_type="model_version",
            entity_id=current.id,
            data=data,
        )
        emit_event(self.session, self.org_id, "model.rolled_back", {**self._event_data(current), **data})
        _rescore_after_commit(self.session, self.org_id)
        return previous, current

    def _bundle_or_conflict(self, version: ModelVersion) -> None:
        if self._bundle(version) is None:
            raise Conflict(f"the artifact of {version.version} cannot be loaded; retrain instead")

    def list_versions(self, *, kind: str | None = None, status: str | None = None) -> list[ModelVersion]:
        return self.versions.list(kind=kind, status=status)

    def get_version(self, version_id: int) -> ModelVersion:
        return self.versions.access_by_id(version_id)

    def shadow_comparison(self, version: ModelVersion) -> ShadowComparison | None:
        pairs = self.scores.shadow_pairs(version.id)
        if not pairs:
            return None if version.status != "candidate" else ShadowComparison(pairs=0)
        from scipy.stats import spearmanr

        active = np.array([a.probability for a, _ in pairs])
        shadow = np.array([s.probability for _, s in pairs])
        statuses = self.data.current_scores([a.lead_id for a, _ in pairs])
        outcome = [
            (i, 1.0 if statuses[a.lead_id]["status"] == "converted" else 0.0)
            for i, (a, _) in enumerate(pairs)
            if a.lead_id in statuses and statuses[a.lead_id]["status"] in ("converted", "lost")
        ]
        idx = [i for i, _ in outcome]
        y = np.array([label for _, label in outcome])
        correlation = spearmanr(active, shadow).statistic if len(pairs) > 2 and active.std() and shadow.std() else None
        return ShadowComparison(
            pairs=len(pairs),
            mean_abs_difference=float(np.mean(np.abs(active - shadow))) * 100.0,
            rank_correlation=float(correlation) if correlation is not None else None,
            tier_agreement=float(np.mean([a.tier == s.tier for a, s in pairs])),
            resolved=len(idx),
            active_auc=auc(y, active[idx]) if idx else None,
            candidate_auc=auc(y, shadow[idx]) if idx else None,
        )

    # --- drift --------------------------------------------------------------------------------------------------

    def check_drift(self, kind: str = KIND) -> DriftReport | None:
        active = self.versions.active(kind)
        bundle = self._bundle(active)
        if active is None or bundle is None:
            return None
        now = utcnow()
        ids = self.data.lead_ids(open_only=True)
        built = build(self.data.crm_tables(ids)) if ids else None
        rows = [lead_features(built.records[i], now.timestamp()) for i in ids] if built else []
        probabilities = Scorer(bundle, self.config()).probabilities(rows).probability
        result = drift.compare(bundle.metadata.get("drift_reference") or {}, rows, list(probabilities))
        previous = self.drift_reports.latest(active.id, limit=1)
        report = DriftReport(
            model_version_id=active.id,
            computed_at=now,
            rows=result.rows,
            status=result.status,
            score_psi=result.score_psi,
            feature_psi=result.feature_psi,
            drifted_features=result.drifted_features,
        )
        self.drift_reports.add(report)
        if result.status == "drift" and (not previous or previous[0].status != "drift"):
            emit_event(
                self.session,
                self.org_id,
                "model.drift_detected",
                {
                    "model_version_id": active.id,
                    "version": active.version,
                    "score_psi": result.score_psi,
                    "drifted_features": result.drifted_features[:10],
                    "rows": result.rows,
                    "report_id": report.id,
                },
            )
        return report

    def latest_drift(self, version_id: int | None = None, *, limit: int = 30) -> list[DriftReport]:
        return self.drift_reports.latest(version_id, limit=limit)


def run_training(prepared: TrainingInput) -> TrainingResult | str:
    """Train without touching the database; a refusal (too few outcomes) is returned as its explanation."""
    try:
        return train_lead_model(
            prepared.built,
            data_end=prepared.data_end,
            version=prepared.version,
            config=prepared.config,
            compare_with=prepared.active,
        )
    except NotEnoughData as exc:
        return str(exc)


def _at_least_as_good(metrics: dict[str, Any]) -> bool:
    """A scheduled candidate replaces the active version only if, on the same newest leads, it ranks them at least
    as well (AUC within 0.005) and is not worse calibrated (Brier within 0.002)."""
    comparison = metrics.get("comparison")
    test = metrics.get("test", {})
    if not comparison or test.get("auc") is None:
        return False
    active = comparison["test"]
    if active.get("auc") is None:
        return True
    return test["auc"] >= active["auc"] - 0.005 and test["brier"] <= active["brier"] + 0.002


def _rescore_after_commit(session: Session, org_id: int) -> None:
    from leadpilot.jobs.queue import enqueue_after_commit
    from leadpilot.scoring.tasks import score_org

    enqueue_after_commit(session, score_org, org_id, "model_change")
