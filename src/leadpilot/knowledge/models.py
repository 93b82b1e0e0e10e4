"""Knowledge-base records.

    KnowledgeDocument ── one uploaded file of an org: category, tags, the original bytes, a content ``version``
      │                  (bumped when a re-upload changes it) and the indexing status with its progress
      └ KnowledgeChunk ── one retrievable passage: heading path, text, int8 embedding, full-text search text.
                          Chunks are written for one indexing ``generation`` of the document and only served once
                          the whole generation is in (``live``), so a re-index never shows a half-built document.
    KnowledgeState ── per org: the revision that names the current retrievable content (``knowledge_version``);
                      caches of retrieval results and of the vector matrix are keyed on it.

Full-text search over ``knowledge_chunks.search_text`` is kept outside the models, as for the CRM tables (migration
0005; ``knowledge.fulltext``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadpilot.db.base import Base, BigId, IdMixin, OrgMixin, TimestampMixin
from leadpilot.kit.clock import utcnow


class KnowledgeDocument(IdMixin, TimestampMixin, OrgMixin, Base):
    """Statuses: pending (stored, waiting for a worker) → indexing → ready | failed. A re-upload or re-index of a
    ready document keeps serving its previous chunks until the new ones are complete."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (
        UniqueConstraint("org_id", "title"),
        Index("ix_knowledge_documents_org_status", "org_id", "status"),
    )

    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    file_format: Mapped[str] = mapped_column(String(8))  # pdf | docx | html | md | txt | csv
    category: Mapped[str] = mapped_column(String(16))  # product | pricing | case_study | policy | faq
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists and retrieval never need the original bytes, only (re-)indexing does.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    chunks_total: Mapped[int] = mapped_column(Integer, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)  # live chunks (what retrieval serves)
    embedding_model: Mapped[str | None] = mapped_column(String(100))
    indexed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def progress(self) -> float:
        """Share of the current generation's chunks embedded, in percent (100 once ready)."""
        if self.status == "ready":
            return 100.0
        if not self.chunks_total:
            return 0.0
        return round(min(100.0, 100.0 * (self.chunks_done or 0) / self.chunks_total), 1)


class KnowledgeChunk(IdMixin, OrgMixin, Base):
    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        Index("ix_knowledge_chunks_org_live", "org_id", "live"),
        Index("ix_knowledge_chunks_document", "document_id", "generation"),
    )

    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("knowledge_documents.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    live: Mapped[bool] = mapped_column(Boolean, default=False)
    ordinal: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))  # the document's, copied so filters need no join
    kind: Mapped[str] = mapped_column(String(16))  # text | list | table_row | faq
    section: Mapped[str | None] = mapped_column(String(500))
    page: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
    # int8 components of the unit vector; the float vector is ``embedding * embedding_scale`` (see ADR 0011)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    embedding_scale: Mapped[float] = mapped_column(Float)


class KnowledgeState(IdMixin, OrgMixin, Base):
    __tablename__ = "knowledge_states"
    __table_args__ = (UniqueConstraint("org_id"),)

    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Random per change: org ids and revisions can repeat (a rolled-back transaction, a restored backup), this not.
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
