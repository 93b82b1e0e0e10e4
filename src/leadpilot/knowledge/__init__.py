"""The knowledge base: documents an org uploads (PDF, DOCX, HTML, Markdown, TXT, CSV), cut into chunks along their
structure, embedded, and retrieved by hybrid search (vectors + full text, fused by rank).

    parsing ──> chunking ──> service (store, index inline or in "knowledge.ingest") ──> knowledge_chunks
                                                                                         │
    retrieval.retrieve(session, org_id, query) <── vectors (in-memory matrix) + fulltext ┘

Public surface: ``retrieve``, ``RetrievedChunk``, ``knowledge_version``, ``KnowledgeService``, ``ingest_document``.
They are imported on first use, so that the migrations and the models can import ``knowledge.fulltext`` /
``knowledge.models`` without loading the services and the task queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadpilot.kit.lazy import lazy_exports

if TYPE_CHECKING:
    from leadpilot.knowledge.retrieval import RetrievedChunk, knowledge_version, retrieve
    from leadpilot.knowledge.service import KnowledgeService, ingest_document

_EXPORTS = {
    "RetrievedChunk": "leadpilot.knowledge.retrieval",
    "knowledge_version": "leadpilot.knowledge.retrieval",
    "retrieve": "leadpilot.knowledge.retrieval",
    "KnowledgeService": "leadpilot.knowledge.service",
    "ingest_document": "leadpilot.knowledge.service",
}

__all__ = ["KnowledgeService", "RetrievedChunk", "ingest_document", "knowledge_version", "retrieve"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
