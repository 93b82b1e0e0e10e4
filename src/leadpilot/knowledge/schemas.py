"""Request and response shapes of the knowledge API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Category(StrEnum):
    product = "product"
    pricing = "pricing"
    case_study = "case_study"
    policy = "policy"
    faq = "faq"


CATEGORIES = tuple(c.value for c in Category)
CATEGORY_LABELS = {"product": "Product", "pricing": "Pricing", "case_study": "Case study", "policy": "Policy",
                   "faq": "FAQ"}  # fmt: skip


class DocumentStatus(StrEnum):
    pending = "pending"
    indexing = "indexing"
    ready = "ready"
    failed = "failed"


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    filename: str
    file_format: str
    category: str
    tags: list[str]
    version: int
    status: str
    error: str | None
    size_bytes: int
    content_sha256: str
    pages_total: int
    pages_done: int
    chunks_total: int
    chunks_done: int
    chunk_count: int
    progress: float
    embedding_model: str | None
    created_at: datetime
    updated_at: datetime
    indexed_at: datetime | None


class DocumentList(BaseModel):
    items: list[DocumentRead]
    count: int
    knowledge_version: str


class ChunkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int
    ordinal: int
    kind: str
    section: str | None
    page: int | None
    text: str
    token_count: int


class ChunkList(BaseModel):
    items: list[ChunkRead]
    count: int


class SearchHit(BaseModel):
    chunk_id: int
    document_id: int
    document_title: str
    category: str
    section: str | None
    text: str
    highlighted: str  # ``text`` HTML-escaped, with the matched words wrapped in <mark>…</mark>
    score: float
    vector_score: float | None
    text_rank: int | None


class SearchResponse(BaseModel):
    items: list[SearchHit]
    knowledge_version: str
    took_ms: float
