"""Knowledge-base rules: upload, replace, re-index, delete, search.

    add_document(filename, content, category, title, tags)
     ├ prepare_file: size limit, format sniffing, parsing and chunking — all before anything is written, so a
     │               corrupt or unsupported file changes nothing (4xx)
     ├ store: a new document, or a new version of the document with the same title (same bytes: nothing to do)
     └ index: small documents (≤ ``knowledge_inline_chunks`` chunks) in the request; larger ones in the job
              "knowledge.ingest", which embeds batch by batch and commits its progress after each batch

    Indexing writes the chunks of one ``generation`` next to the live ones and swaps them in one transaction at
    the end (old chunks deleted, new ones live, the org's knowledge version bumped), so retrieval serves either
    the old or the new document, never a mix. A newer upload or re-index supersedes a running one.

Services flush, never commit; the job body (``index_document``) opens its own short transactions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.config import get_settings
from leadpilot.db.session import transaction
from leadpilot.errors import AppError, Conflict, InvalidInput
from leadpilot.jobs.queue import enqueue_after_commit
from leadpilot.kit.clock import utcnow
from leadpilot.knowledge import fulltext
from leadpilot.knowledge.chunking import ChunkDraft, chunk_blocks, embedding_input
from leadpilot.knowledge.errors import KnowledgeFileInvalid, KnowledgeFileTooLarge
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument
from leadpilot.knowledge.parsing import ParsedDocument, parse_document
from leadpilot.knowledge.repository import (
    KnowledgeChunkRepository,
    KnowledgeDocumentRepository,
    KnowledgeStateRepository,
    stalled_generations,
)
from leadpilot.knowledge.retrieval import RetrievedChunk, knowledge_version, retrieve
from leadpilot.knowledge.schemas import CATEGORIES, DocumentRead, SearchHit
from leadpilot.knowledge.vectors import quantize
from leadpilot.llm.providers import get_embedder

log = logging.getLogger("leadpilot.knowledge")

EMBED_BATCH = 32
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class PreparedFile:
    filename: str
    content: bytes
    sha256: str
    parsed: ParsedDocument
    drafts: list[ChunkDraft]


def prepare_file(filename: str, content: bytes) -> PreparedFile:
    """Check, parse and chunk an upload; raises a 4xx ``AppError`` when it cannot be indexed."""
    filename = PurePath((filename or "").replace("\\", "/")).name.strip()
    if not filename:
        raise InvalidInput("The upload needs a file name (its extension tells the file type)")
    if len(filename) > 300:
        raise InvalidInput("The file name is longer than 300 characters")
    limit = get_settings().knowledge_max_file_bytes
    if len(content) > limit:
        raise KnowledgeFileTooLarge(f"{filename} is {len(content) / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")
    parsed = parse_document(filename, content)
    drafts = chunk_blocks(parsed.blocks)
    if not drafts:
        raise KnowledgeFileInvalid(f"{filename} contains no text to index")
    return PreparedFile(filename, content, hashlib.sha256(content).hexdigest(), parsed, drafts)


def _clean_category(category: str) -> str:
    value = (category or "").strip().lower().replace(" ", "_").replace("-", "_")
    if value not in CATEGORIES:
        raise InvalidInput(f"category must be one of {', '.join(CATEGORIES)} (got {category!r})")
    return value


def _clean_tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    cleaned: list[str] = []
    for tag in tags:
        value = str(tag).strip().lower()
        if not value:
            continue
        if len(value) > MAX_TAG_LENGTH:
            raise InvalidInput(f"Tags are at most {MAX_TAG_LENGTH} characters: {value[:50]!r}")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags per document")
    return cleaned


def _clean_title(title: str | None, filename: str) -> str:
    value = " ".join((title or "").split()) or filename
    if len(value) > 300:
        raise InvalidInput("The title is longer than 300 characters")
    return value


def _chunk_rows(document: KnowledgeDocument, drafts: Sequence[ChunkDraft], org_id: int) -> list[KnowledgeChunk]:
    embedder = get_embedder(org_id)
    vectors = embedder.embed([embedding_input(document.title, d.section, d.text) for d in drafts])
    rows = []
    for draft, (blob, scale) in zip(drafts, quantize(vectors), strict=True):
        rows.append(
            KnowledgeChunk(
                org_id=org_id,
                document_id=document.id,
                generation=document.generation,
                live=False,
                ordinal=draft.ordinal,
                category=document.category,
                kind=draft.kind,
                section=draft.section,
                page=draft.page,
                text=draft.text,
                search_text=fulltext.search_text(document.title, draft.section, draft.text),
                token_count=draft.token_count,
                embedding=blob,
                embedding_scale=scale,
            )
        )
    return rows


def _go_live(session: Session, document: KnowledgeDocument, principal: Principal, chunk_count: int) -> None:
    KnowledgeChunkRepository(session, principal).discard_other_generations(document.id, document.generation)
    document.status = "ready"
    document.error = None
    document.chunk_count = chunk_count
    document.chunks_done = chunk_count
    document.pages_done = document.pages_total
    document.embedding_model = get_embedder(principal.org_id).name
    document.indexed_at = utcnow()
    session.flush()
    KnowledgeStateRepository(session, principal).bump()


def _index_inline(
    session: Session, principal: Principal, document: KnowledgeDocument, drafts: list[ChunkDraft]
) -> None:
    chunks = KnowledgeChunkRepository(session, principal)
    chunks.discard_generation(document.id, document.generation)
    for start in range(0, len(drafts), EMBED_BATCH):
        chunks.add_many(_chunk_rows(document, drafts[start : start + EMBED_BATCH], principal.org_id))
    _go_live(session, document, principal, len(drafts))


def _schedule(session: Session, principal: Principal, document: KnowledgeDocument, drafts: list[ChunkDraft],
              *, inline: bool | None = None) -> None:  # fmt: skip
    if inline is None:
        inline = len(drafts) <= get_settings().knowledge_inline_chunks
    if inline:
        _index_inline(session, principal, document, drafts)
        return
    from leadpilot.knowledge import tasks

    enqueue_after_commit(session, tasks.ingest, document.id, document.generation)


def _store(
    session: Session,
    principal: Principal,
    prepared: PreparedFile,
    *,
    category: str,
    title: str | None,
    tags: Sequence[str],
) -> tuple[KnowledgeDocument, bool]:
    """The new or updated document (pending), and whether anything changed."""
    category = _clean_category(category)
    clean_tags = _clean_tags(tags)
    clean_title = _clean_title(title, prepared.filename)
    documents = KnowledgeDocumentRepository(session, principal)
    document = documents.by_title(clean_title)
    unchanged = (
        document is not None
        and document.status != "failed"
        and document.content_sha256 == prepared.sha256
        and document.file_format == prepared.parsed.file_format
        and document.category == category
        and list(document.tags or []) == clean_tags
    )
    if document is not None and unchanged:
        document.filename = prepared.filename  # the same bytes under another name: nothing to re-index
        return document, False
    now = utcnow()
    if document is None:
        document = KnowledgeDocument(title=clean_title, version=1, generation=1, created_by_id=principal.user_id)
        replaced = False
    else:
        replaced = True
        if document.content_sha256 != prepared.sha256:
            document.version += 1
        document.generation += 1
    document.filename = prepared.filename
    document.file_format = prepared.parsed.file_format
    document.category = category
    document.tags = clean_tags
    document.size_bytes = len(prepared.content)
    document.content_sha256 = prepared.sha256
    document.content = prepared.content
    document.status = "pending"
    document.error = None
    document.pages_total = prepared.parsed.pages
    document.pages_done = 0
    document.chunks_total = len(prepared.drafts)
    document.chunks_done = 0
    document.updated_at = now
    if replaced:
        session.flush()
    else:
        try:
            with session.begin_nested():
                documents.add(document)
        except IntegrityError as exc:  # the same title uploaded by a concurrent request a moment earlier
            raise Conflict(f"A document titled {clean_title!r} was added at the same time; upload again to "
                           "replace it") from exc  # fmt: skip
    KnowledgeStateRepository(session, principal).bump()
    record(
        session, principal, "knowledge.document_replaced" if replaced else "knowledge.document_uploaded",
        entity_type="knowledge_document", entity_id=document.id,
        data={"title": document.title, "filename": document.filename, "category": category,
              "version": document.version, "size_bytes": document.size_bytes, "sha256": prepared.sha256},
    )  # fmt: skip
    return document, True


def ingest_document(
    session: Session,
    org_id: int,
    *,
    filename: str,
    content: bytes,
    category: str,
    title: str | None = None,
    tags: Sequence[str] = (),
) -> KnowledgeDocument:
    """Add (or replace) a document and index it now, in ``session`` (demo loader, tests, benchmarks)."""
    principal = Principal.system(org_id)
    prepared = prepare_file(filename, content)
    document, changed = _store(session, principal, prepared, category=category, title=title, tags=tags)
    if changed:
        _index_inline(session, principal, document, prepared.drafts)
    return document


class KnowledgeService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.documents = KnowledgeDocumentRepository(session, principal)
        self.chunks = KnowledgeChunkRepository(session, principal)

    # -- documents ---------------------------------------------------------------------------------------------

    def add_document(
        self,
        *,
        filename: str,
        content: bytes,
        category: str,
        title: str | None = None,
        tags: Sequence[str] = (),
        inline: bool | None = None,
    ) -> DocumentRead:
        """Validate and parse now (a 4xx for a bad file, nothing stored), store, then index: in this transaction
        when small (or ``inline``), else in the background job ``knowledge.ingest``."""
        prepared = prepare_file(filename, content)
        document, changed = _store(self.session, self.principal, prepared, category=category, title=title, tags=tags)
        if changed:
            _schedule(self.session, self.principal, document, prepared.drafts, inline=inline)
        return DocumentRead.model_validate(document)

    def list_documents(
        self,
        *,
        category: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        q: str | None = None,
        limit: int = 200,
    ) -> list[KnowledgeDocument]:
        return self.documents.filtered(category=category, status=status, tag=tag, q=q, limit=limit)

    def get_document(self, document_id: int) -> KnowledgeDocument:
        return self.documents.access_by_id(document_id)

    def list_chunks(self, document_id: int, *, limit: int = 200, offset: int = 0) -> tuple[list[KnowledgeChunk], int]:
        document = self.documents.access_by_id(document_id)
        return self.chunks.for_document(document.id, limit=limit, offset=offset), document.chunk_count

    def delete_document(self, document_id: int) -> None:
        document = self.documents.access_by_id(document_id)
        data = {"title": document.title, "filename": document.filename, "version": document.version}
        self.chunks.delete_for_document(document.id)
        self.documents.delete(document)
        KnowledgeStateRepository(self.session, self.principal).bump()
        record(self.session, self.principal, "knowledge.document_deleted", entity_type="knowledge_document",
               entity_id=document_id, data=data)  # fmt: skip

    def reindex_document(self, document_id: int, *, inline: bool | None = None) -> KnowledgeDocument:
        """Chunk and embed the stored file again (after a change of parser, chunking or embedding model)."""
        document = self.documents.access_by_id(document_id)
        try:
            prepared = prepare_file(document.filename, document.content)
        except AppError as exc:
            raise KnowledgeFileInvalid(f"The stored file can no longer be indexed: {exc.detail}") from exc
        document.generation += 1
        document.status = "pending"
        document.error = None
        document.pages_total = prepared.parsed.pages
        document.pages_done = 0
        document.chunks_total = len(prepared.drafts)
        document.chunks_done = 0
        document.updated_at = utcnow()
        self.session.flush()
        KnowledgeStateRepository(self.session, self.principal).bump()
        record(self.session, self.principal, "knowledge.document_reindexed", entity_type="knowledge_document",
               entity_id=document.id, data={"title": document.title, "generation": document.generation})  # fmt: skip
        _schedule(self.session, self.principal, document, prepared.drafts, inline=inline)
        return document

    def reindex_all(self, *, inline: bool | None = None) -> int:
        ids = self.documents.all_ids()
        for document_id in ids:
            self.reindex_document(document_id, inline=inline)
        return len(ids)

    def version(self) -> str:
        return knowledge_version(self.session, self.principal.org_id)

    def stats(self) -> dict[str, int]:
        documents = self.documents.filtered(limit=10_000)
        return {
            "documents": len(documents),
            "ready": sum(1 for d in documents if d.status == "ready"),
            "indexing": sum(1 for d in documents if d.status in {"pending", "indexing"}),
            "failed": sum(1 for d in documents if d.status == "failed"),
            "chunks": self.chunks.count_live(),
        }

    # -- search ------------------------------------------------------------------------------------------------

    def retrieve(
        self,
        query: str,
        *,
        k: int = 5,
        categories: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        tags: Sequence[str] | None = None,
        mode: str = "hybrid",
    ) -> list[RetrievedChunk]:
        if categories:
            categories = [_clean_category(c) for c in categories]
        if len(query or "") > 1000:
            raise InvalidInput("The search text is longer than 1000 characters")
        return retrieve(self.session, self.principal.org_id, query, k=k, categories=categories,
                        document_ids=document_ids, tags=tags, mode=mode)  # fmt: skip

    def search(self, query: str, **options: object) -> list[SearchHit]:
        hits = self.retrieve(query, **options)  # type: ignore[arg-type]
        return [
            SearchHit(
                chunk_id=h.chunk_id,
                document_id=h.document_id,
                document_title=h.document_title,
                category=h.category,
                section=h.section,
                text=h.text,
                highlighted=fulltext.highlight(h.text, query),
                score=round(h.score, 6),
                vector_score=None if h.vector_score is None else round(h.vector_score, 4),
                text_rank=h.text_rank,
            )
            for h in hits
        ]


# -- the background job's body ----------------------------------------------------------------------------------


def index_document(document_id: int, generation: int) -> str:
    """Index one generation of a document, committing progress after each batch. Returns the outcome:
    "ready", "failed", "skipped" (already done) or "superseded" (a newer upload or re-index took over)."""
    with transaction() as session:
        document = session.get(KnowledgeDocument, document_id)
        if document is None or document.generation != generation:
            return "superseded"
        if document.status == "ready":
            return "skipped"
        principal = Principal.system(document.org_id)
        filename, content = document.filename, document.content
        KnowledgeChunkRepository(session, principal).discard_generation(document_id, generation)
        document.status = "indexing"
        document.chunks_done = 0
        document.pages_done = 0
        document.updated_at = utcnow()
    try:
        prepared = prepare_file(filename, content)
        drafts = prepared.drafts
        with transaction() as session:
            document = session.get(KnowledgeDocument, document_id)
            if document is None or document.generation != generation:
                return "superseded"
            document.chunks_total = len(drafts)
            document.pages_total = prepared.parsed.pages
        for start in range(0, len(drafts), EMBED_BATCH):
            batch = drafts[start : start + EMBED_BATCH]
            with transaction() as session:
                document = session.get(KnowledgeDocument, document_id)
                if document is None or document.generation != generation:
                    if document is not None:
                        KnowledgeChunkRepository(session, principal).discard_generation(document_id, generation)
                    return "superseded"
                KnowledgeChunkRepository(session, principal).add_many(_chunk_rows(document, batch, principal.org_id))
                done = start + len(batch)
                document.chunks_done = done
                last_page = batch[-1].page
                document.pages_done = last_page if last_page is not None else \
                    int(document.pages_total * done / max(1, len(drafts)))  # fmt: skip
                document.updated_at = utcnow()
        with transaction() as session:
            document = session.get(KnowledgeDocument, document_id)
            if document is None or document.generation != generation:
                return "superseded"
            _go_live(session, document, principal, len(drafts))
        return "ready"
    except Exception as exc:
        detail = exc.detail if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
        log.exception("knowledge indexing failed", extra={"document_id": document_id})
        with transaction() as session:
            document = session.get(KnowledgeDocument, document_id)
            if document is not None and document.generation == generation:
                KnowledgeChunkRepository(session, principal).discard_generation(document_id, generation)
                document.status = "failed"
                document.error = detail[:4000]
        return "failed"


def stalled_documents() -> list[tuple[int, int]]:
    """(id, generation) of documents of every org left pending or indexing (a worker died, an enqueue was lost)."""
    with transaction() as session:
        return stalled_generations(session, before=utcnow() - STALLED_AFTER)
