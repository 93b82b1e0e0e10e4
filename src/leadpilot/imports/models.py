"""Import jobs, the uploaded file (stored in parts so a worker can stream it) and the per-row error report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin, TimestampMixin


class ImportJob(IdMixin, TimestampMixin, OrgMixin, Base):
    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_org_created", "org_id", "created_at", "id"),)

    entity: Mapped[str] = mapped_column(String(16))  # contacts | companies | leads | deals | activities
    file_format: Mapped[str] = mapped_column(String(8))  # csv | json
    filename: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The effective mapping (source column -> field, None = ignored) and options, as resolved at upload.
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|completed|failed
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def progress(self) -> float:
        """Share of the rows processed, in percent (100 once the job has completed)."""
        if self.status == "completed":
            return 100.0
        if not self.total_rows:
            return 0.0
        return round(min(100.0, 100.0 * (self.processed_rows or 0) / self.total_rows), 1)


class ImportJobPart(IdMixin, OrgMixin, Base):
    """One slice of an uploaded file. The parts are read one at a time, so a worker never holds the whole file;
    they are deleted when the job completes."""

    __tablename__ = "import_job_parts"
    __table_args__ = (UniqueConstraint("import_job_id", "seq"),)

    import_job_id: Mapped[int] = mapped_column(BigId, ForeignKey("import_jobs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportRowError(IdMixin, OrgMixin, Base):
    __tablename__ = "import_row_errors"
    __table_args__ = (Index("ix_import_row_errors_job", "import_job_id", "row_number"),)

    import_job_id: Mapped[int] = mapped_column(BigId, ForeignKey("import_jobs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    # ``field`` is the LeadPilot field, ``column`` the source column it was read from (None for row-level errors).
    field: Mapped[str | None] = mapped_column(String(120))
    column: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
