"""Knowledge API (``/knowledge``): upload, list, inspect, re-index and delete documents; hybrid search.

Reading and searching need ``crm:read`` (every role); uploading, re-indexing and deleting ``knowledge:manage``
(managers and above). An upload answers 201 with the document once it is indexed (small files), or 202 while the
job ``knowledge.ingest`` indexes it; poll ``GET /knowledge/documents/{document_id}`` for its progress.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile

from leadpilot.auth.dependencies import CrmRead, SessionDep, require
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.config import get_settings
from leadpilot.knowledge.errors import KnowledgeFileTooLarge
from leadpilot.knowledge.schemas import (
    Category,
    ChunkList,
    ChunkRead,
    DocumentList,
    DocumentRead,
    DocumentStatus,
    SearchResponse,
)
from leadpilot.knowledge.service import KnowledgeService

KnowledgeManage = Annotated[Principal, require(Permission.knowledge_manage)]

router = APIRouter(prefix="/knowledge", tags=["knowledge"])


def split_tags(tags: str | None) -> list[str]:
    return [t for t in (tags or "").split(",") if t.strip()]


@router.post("/documents", response_model=DocumentRead, status_code=201)
def upload_document(
    session: SessionDep,
    principal: KnowledgeManage,
    response: Response,
    file: UploadFile,
    category: Annotated[str, Form(description="product, pricing, case_study, policy or faq")],
    title: Annotated[str | None, Form(max_length=300, description="default: the file name")] = None,
    tags: Annotated[str | None, Form(max_length=2000, description="comma-separated")] = None,
) -> DocumentRead:
    """Upload a PDF, DOCX, HTML, Markdown, TXT or CSV file. A document with the same title is replaced (its
    ``version`` goes up); re-uploading identical content changes nothing. A file that cannot be read is refused
    with a 4xx and nothing is stored."""
    limit = get_settings().knowledge_max_file_bytes
    if file.size is not None and file.size > limit:
        raise KnowledgeFileTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
    content = file.file.read(limit + 1)
    document = KnowledgeService(session, principal).add_document(
        filename=file.filename or "", content=content, category=category, title=title, tags=split_tags(tags)
    )
    if document.status != "ready":
        response.status_code = 202
    return document


@router.get("/documents", response_model=DocumentList)
def list_documents(
    session: SessionDep,
    principal: CrmRead,
    category: Category | None = None,
    status: DocumentStatus | None = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> DocumentList:
    service = KnowledgeService(session, principal)
    documents = service.list_documents(category=category, status=status, tag=tag, limit=limit)
    return DocumentList(items=[DocumentRead.model_validate(d) for d in documents], count=len(documents),
                        knowledge_version=service.version())  # fmt: skip


@router.get("/search", response_model=SearchResponse)
def search(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str, Query(max_length=1000, description="a question or keywords")] = "",
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    category: Annotated[list[Category] | None, Query(description="repeat to allow several")] = None,
    tag: Annotated[list[str] | None, Query()] = None,
    document: Annotated[list[int] | None, Query(description="document ids to search in")] = None,
    mode: Annotated[str, Query(pattern="^(hybrid|vector|text)$")] = "hybrid",
) -> SearchResponse:
    """The chunks that best answer ``q`` (vector and full-text ranks fused). ``highlighted`` is the chunk's text,
    HTML-escaped, with the matched words wrapped in ``<mark>``."""
    started = time.perf_counter()
    service = KnowledgeService(session, principal)
    hits = service.search(q, k=k, categories=category, tags=tag, document_ids=document, mode=mode) if q.strip() else []
    return SearchResponse(items=hits, knowledge_version=service.version(),
                          took_ms=round((time.perf_counter() - started) * 1000, 2))  # fmt: skip


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(session: SessionDep, principal: CrmRead, document_id: int) -> DocumentRead:
    """A document with its indexing status and progress (``chunks_done`` of ``chunks_total``, ``progress`` %)."""
    return DocumentRead.model_validate(KnowledgeService(session, principal).get_document(document_id))


@router.get("/documents/{document_id}/chunks", response_model=ChunkList)
def list_chunks(
    session: SessionDep,
    principal: CrmRead,
    document_id: int,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ChunkList:
    """The chunks retrieval serves for this document, in document order."""
    chunks, total = KnowledgeService(session, principal).list_chunks(document_id, limit=limit, offset=offset)
    return ChunkList(items=[ChunkRead.model_validate(c) for c in chunks], count=total)


@router.post("/documents/{document_id}/reindex", response_model=DocumentRead, status_code=202)
def reindex_document(
    session: SessionDep, principal: KnowledgeManage, document_id: int, response: Response
) -> DocumentRead:
    """Parse, chunk and embed the stored file again; its previous chunks are served until the new ones are in."""
    document = DocumentRead.model_validate(KnowledgeService(session, principal).reindex_document(document_id))
    if document.status == "ready":
        response.status_code = 200
    return document


@router.delete("/documents/{document_id}", status_code=204)
def delete_document(session: SessionDep, principal: KnowledgeManage, document_id: int) -> Response:
    KnowledgeService(session, principal).delete_document(document_id)
    return Response(status_code=204)
