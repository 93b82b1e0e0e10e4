"""Scoring records: model versions (the registry), the score history of every lead (including shadow scores of a
candidate), drift reports and pending re-score requests.

    ModelVersion ── one trained model of an org: kind, version label, status, training window, metrics, artifact
      ├ LeadScore ── one score of one lead by one version (``shadow`` for a candidate scored beside the active one)
      └ DriftReport ── PSI of the live population against the population the version was trained on
    ScoringRequest ── "re-score this lead at ``due_at``": written in the transaction that changed the lead's data, so
                      a re-score is never lost; a newer request for the same lead pushes it back (debounce), and
                      ``scoring.rescore_pending`` consumes the rows that are due
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin
from leadpilot.kit.clock import utcnow


class ModelVersion(IdMixin, OrgMixin, Base):
    """A trained model. Statuses: candidate → active → archived (one active version per org and kind).

    The artifact (LightGBM text model + JSON metadata, no pickles) lives under ``LEADPILOT_HOME/<artifact_path>``;
    ``artifact_sha256`` is checked when it is loaded.
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("org_id", "version"),
        Index("ix_model_versions_org_kind_status", "org_id", "kind", "status"),
    )

    kind: Mapped[str] = mapped_column(String(32))  # lead_conversion | customer_churn
    version: Mapped[str] = mapped_column(String(32))  # "lead-v3": unique per org, shown next to every score
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")  # candidate | active | archived
    algorithm: Mapped[str] = mapped_column(String(64))
    feature_set: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual | scheduled | bootstrap
    training_window_start: Mapped[datetime | None]
    training_window_end: Mapped[datetime | None]
    horizon_days: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    positives: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    artifact_path: Mapped[str] = mapped_column(String(500))
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    promoted_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    # the version this one replaced when it was promoted: what a rollback returns to (None: the prior)
    replaced_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("model_versions.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None]


class LeadScore(IdMixin, OrgMixin, Base):
    """One score of one lead. Rows are written when the score moves (see ``scoring.service``), not on every run."""

    __tablename__ = "lead_scores"
    __table_args__ = (
        Index("ix_lead_scores_lead_time", "lead_id", "scored_at"),
        Index("ix_lead_scores_org_version", "org_id", "model_version_id", "shadow"),
    )

    lead_id: Mapped[int] = mapped_column(BigId, ForeignKey("leads.id", ondelete="CASCADE"))
    model_version_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("model_versions.id", ondelete="SET NULL"))
    model_version: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(16))  # lightgbm | blend | prior
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(16))  # activity | lead | batch | api | bootstrap
    as_of: Mapped[datetime]
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
    probability: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(16))
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)


class DriftReport(IdMixin, OrgMixin, Base):
    """Population stability of one model version: PSI per feature and on the scores (see ``scoring.drift``)."""

    __tablename__ = "drift_reports"
    __table_args__ = (Index("ix_drift_reports_version_time", "model_version_id", "computed_at"),)

    model_version_id: Mapped[int] = mapped_column(BigId, ForeignKey("model_versions.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # ok | warning | drift | insufficient
    score_psi: Mapped[float | None] = mapped_column(Float)
    feature_psi: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    drifted_features: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ScoringRequest(IdMixin, OrgMixin, Base):
    __tablename__ = "scoring_requests"
    __table_args__ = (
        Index("ix_scoring_requests_org_time", "org_id", "requested_at"),
        Index("ix_scoring_requests_lead", "lead_id"),
    )

    lead_id: Mapped[int] = mapped_column(BigId, ForeignKey("leads.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
