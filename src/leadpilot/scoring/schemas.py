from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ModelKind = Literal["lead_conversion"]
ModelStatus = Literal["candidate", "active", "archived"]
MAX_SCORE_IDS = 1000
MAX_BATCH_IDS = 20_000


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(BaseModel):
    feature: str
    group: str
    label: str = Field(description="The contribution in words, e.g. 'visited pricing 3 times this week'")
    contribution: float = Field(description="Score points this fact adds (negative: takes away)")
    value: Any = None


class ScoreRead(BaseModel):
    lead_id: int | None
    as_of: datetime
    probability: float = Field(description="Calibrated P(converts within horizon_days)")
    score: float = Field(description="100 x probability")
    tier: str
    interval: list[float] = Field(description="90 % interval of the probability")
    model: Literal["lightgbm", "blend", "prior"]
    model_version: str
    horizon_days: int
    reasons: list[Reason]
    dimensions: dict[str, Any]
    warnings: list[str] = Field(default_factory=list)


class FeatureInput(_Write):
    features: dict[str, Any] = Field(description="Feature name → value; see GET /api/v1/models/features")


class ScoreRequest(_Write):
    """Score leads by id (stored on the lead unless ``persist`` is false) or ad-hoc feature values (never stored)."""

    lead_ids: list[int] | None = Field(default=None, max_length=MAX_SCORE_IDS)
    features: dict[str, Any] | None = None
    records: list[FeatureInput] | None = Field(default=None, max_length=MAX_SCORE_IDS)
    persist: bool = True

    @model_validator(mode="after")
    def _one_input(self) -> ScoreRequest:
        given = [name for name in ("lead_ids", "features", "records") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of lead_ids, features or records")
        return self


class ScoreResponse(BaseModel):
    items: list[ScoreRead]


class BatchScoreRequest(_Write):
    lead_ids: list[int] | None = Field(default=None, max_length=MAX_BATCH_IDS)
    all_leads: bool = Field(default=False, description="Queue a re-score of every lead of the org (202)")
    persist: bool = True

    @model_validator(mode="after")
    def _one_input(self) -> BatchScoreRequest:
        if (self.lead_ids is None) == (not self.all_leads):
            raise ValueError("send lead_ids, or all_leads: true")
        return self


class BatchItem(BaseModel):
    lead_id: int
    probability: float
    score: float
    tier: str
    interval: list[float]


class BatchScoreResponse(BaseModel):
    queued: bool = False
    scored: int = 0
    model: str | None = None
    model_version: str | None = None
    seconds: float | None = None
    items: list[BatchItem] = Field(default_factory=list)


class ScoreHistoryItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scored_at: datetime
    as_of: datetime
    probability: float
    score: float
    tier: str
    lower: float | None
    upper: float | None
    model: str
    model_version: str
    trigger: str


class LeadScoreDetail(BaseModel):
    lead_id: int
    current: ScoreRead = Field(description="The score as of now, computed for this request (not stored)")
    stored: ScoreHistoryItem | None = Field(description="The last stored score")
    history: list[ScoreHistoryItem]


class ModelVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    version: str
    number: int
    status: ModelStatus
    algorithm: str
    feature_set: str
    trigger: str
    training_window_start: datetime | None
    training_window_end: datetime | None
    horizon_days: int
    rows: int
    positives: int
    metrics: dict[str, Any]
    params: dict[str, Any]
    artifact_path: str
    artifact_sha256: str
    message: str | None
    created_at: datetime
    promoted_at: datetime | None
    archived_at: datetime | None
    replaced_id: int | None


class ShadowComparison(BaseModel):
    pairs: int
    mean_abs_difference: float | None = None
    rank_correlation: float | None = None
    tier_agreement: float | None = None
    resolved: int = 0
    active_auc: float | None = None
    candidate_auc: float | None = None


class ModelVersionDetail(ModelVersionRead):
    shadow: ShadowComparison | None = None


class TrainRequest(_Write):
    kind: ModelKind = "lead_conversion"
    wait: bool = Field(default=False, description="Train in this request and answer with the version (201)")
    promote: bool | None = Field(default=None, description="Promote at once (default: only the first model)")


class TrainResponse(BaseModel):
    queued: bool = False
    trained: bool = False
    detail: str
    version: ModelVersionRead | None = None


class RollbackRequest(_Write):
    kind: ModelKind = "lead_conversion"


class RollbackResponse(BaseModel):
    active: ModelVersionRead | None = Field(description="The version now active; null: scores use the prior")
    archived: ModelVersionRead


class DriftReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    model_version_id: int
    computed_at: datetime
    rows: int
    status: Literal["ok", "warning", "drift", "insufficient"]
    score_psi: float | None
    feature_psi: dict[str, Any]
    drifted_features: list[Any]


class FeatureInfo(BaseModel):
    name: str
    group: str
    kind: str
    categories: list[str] | None = None
