"""Hybrid retrieval over an org's knowledge base: the interface generation and agents use.

    retrieve(session, org_id, query, k=5, categories=..., document_ids=..., tags=...)
     ├ knowledge_version(org) ─ names the org's current content; keys the vector matrix cache (``vectors``)
     ├ vector ranks:    exact cosine of the query embedding against every live chunk (numpy, in memory)
     ├ full-text ranks: FTS5 bm25 (SQLite) / ts_rank_cd (PostgreSQL) over the same chunks (``fulltext``)
     └ reciprocal rank fusion: score = Σ 1 / (60 + rank) over the two lists; the top ``k`` are returned

Only live chunks of the org are read (every query filters on ``org_id``), so one org never retrieves another's
text. Callers that cache anything derived from retrieval key it on ``knowledge_version(session, org_id)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.knowledge.repository import (
    KnowledgeChunkRepository,
    KnowledgeDocumentRepository,
    KnowledgeStateRepository,
)
from leadpilot.knowledge.vectors import VectorIndex, vector_cache
from leadpilot.llm.providers import get_embedder

log = logging.getLogger("leadpilot.knowledge")

RRF_K = 60
CANDIDATES = 50  # taken from each ranking before fusion (at least 4 times k)
MAX_K = 50
MODES = ("hybrid", "vector", "text")
_vector_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="knowledge-vectors")


@dataclass(frozen=True, slots=True)
class RetrievedChunk:
    chunk_id: int
    document_id: int
    document_title: str
    category: str  # product | pricing | case_study | policy | faq
    section: str | None  # heading path, e.g. "Plans > Growth"
    text: str
    score: float  # fused score, higher is better
    vector_score: float | None  # cosine similarity to the query (None: not among the vector candidates)
    text_rank: int | None  # 1-based rank in the full-text results (None: no full-text match)


def knowledge_version(session: Session, org_id: int) -> str:
    """An opaque string that changes whenever a document of the org is added, changed, deleted or re-indexed."""
    return KnowledgeStateRepository(session, Principal.system(org_id)).version()


def _vector_index(session: Session, org_id: int, version: str, embedder_name: str, dimension: int) -> VectorIndex:
    def build() -> VectorIndex:
        started = time.perf_counter()
        rows = KnowledgeChunkRepository(session, Principal.system(org_id)).index_rows()
        index = VectorIndex.build(rows, embedder=embedder_name, dimension=dimension)
        seconds = round(time.perf_counter() - started, 3)
        log.info("knowledge vector index loaded", extra={"org_id": org_id, "chunks": index.size, "seconds": seconds})
        return index

    return vector_cache.get((org_id, version, embedder_name), build)


def fuse(rankings: Sequence[Sequence[int]], *, k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of ranked id lists (best first)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return scores


def retrieve(
    session: Session,
    org_id: int,
    query: str,
    *,
    k: int = 5,
    categories: Sequence[str] | None = None,
    document_ids: Sequence[int] | None = None,
    tags: Sequence[str] | None = None,
    mode: str = "hybrid",
) -> list[RetrievedChunk]:
    """The ``k`` chunks of the org's knowledge base that best answer ``query``, best first.

    ``categories`` / ``document_ids`` / ``tags`` narrow the search (a chunk must pass all that are given);
    ``mode`` = "vector" or "text" uses one ranking alone (benchmarks, diagnostics)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    query = (query or "").strip()
    k = max(1, min(int(k), MAX_K))
    if not query:
        return []
    principal = Principal.system(org_id)
    wanted_documents: list[int] | None = list(document_ids) if document_ids is not None else None
    if tags:
        tagged = KnowledgeDocumentRepository(session, principal).ids_with_tags(tags)
        wanted_documents = tagged if wanted_documents is None else sorted(set(wanted_documents) & set(tagged))
    if wanted_documents is not None and not wanted_documents:
        return []
    wanted_categories = list(categories) if categories else None
    candidates = max(CANDIDATES, 4 * k)
    chunks = KnowledgeChunkRepository(session, principal)

    version = knowledge_version(session, org_id)
    vector_search: Future[list[tuple[int, float]]] | None = None
    if mode in {"hybrid", "vector"}:
        embedder = get_embedder(org_id)
        index = _vector_index(session, org_id, version, embedder.name, embedder.dimension)
        if index.size:
            # Embedding the query and the matrix product release the GIL and touch no connection: they run on
            # another core while this thread asks the database for the full-text ranking.
            vector_search = _vector_pool.submit(
                lambda: index.search(embedder.embed_one(query), limit=candidates, categories=wanted_categories,
                                     document_ids=wanted_documents)
            )  # fmt: skip
    text_hits: list[int] = []
    if mode in {"hybrid", "text"}:
        text_hits = chunks.ranked_by_text(query, limit=candidates, categories=wanted_categories,
                                          document_ids=wanted_documents, version=version)  # fmt: skip
    vector_hits = vector_search.result() if vector_search is not None else []

    fused = fuse([[chunk_id for chunk_id, _ in vector_hits], text_hits])
    cosine = dict(vector_hits)
    # Equal fused scores (rank 1 + rank 2 against rank 2 + rank 1) go to the closer meaning.
    best = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], -cosine.get(chunk_id, -2.0), chunk_id))[:k]
    rows = chunks.by_ids(best)
    titles = KnowledgeDocumentRepository(session, principal).titles(sorted({r.document_id for r in rows.values()}))
    text_rank = {chunk_id: rank for rank, chunk_id in enumerate(text_hits, start=1)}
    results: list[RetrievedChunk] = []
    for chunk_id in best:
        row = rows.get(chunk_id)
        if row is None or not row.live:  # deleted since the matrix was built in this process
            continue
        results.append(
            RetrievedChunk(
                chunk_id=row.id,
                document_id=row.document_id,
                document_title=titles.get(row.document_id, ""),
                category=row.category,
                section=row.section,
                text=row.text,
                score=fused[chunk_id],
                vector_score=cosine.get(chunk_id),
                text_rank=text_rank.get(chunk_id),
            )
        )
    return results
