"""Knowledge: the org's documents with their indexing status (rows still indexing poll themselves every two
seconds), an upload form (managers and above), delete and re-index, and a search box whose results show the
matched words highlighted with their document, section and score."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from leadpilot.auth.roles import Permission
from leadpilot.config import get_settings
from leadpilot.errors import AppError, InvalidInput
from leadpilot.knowledge.endpoints import split_tags
from leadpilot.knowledge.errors import KnowledgeFileTooLarge
from leadpilot.knowledge.schemas import CATEGORIES, CATEGORY_LABELS, DocumentRead
from leadpilot.knowledge.service import KnowledgeService
from leadpilot.web.auth import Viewer, WebContext, web_require
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.templating import render

router = APIRouter()

KnowledgeEditor = Annotated[WebContext, web_require(Permission.knowledge_manage)]
KNOWLEDGE_URL = "/knowledge"
RESULTS = 8


def _search_values(ctx: WebContext, request: Request) -> dict[str, Any]:
    # Read from the query string rather than declared: the page works without a search.
    q = (request.query_params.get("q") or "").strip()[:500]
    category = request.query_params.get("category") or ""
    values: dict[str, Any] = {"q": q, "category": category if category in CATEGORIES else "", "hits": None,
                              "search_error": None}  # fmt: skip
    if q:
        try:
            values["hits"] = KnowledgeService(ctx.session, ctx.principal).search(
                q, k=RESULTS, categories=[values["category"]] if values["category"] else None
            )
        except AppError as exc:
            values["search_error"] = describe(exc)
    return values


@router.get("/knowledge")
def knowledge_page(request: Request, ctx: Viewer) -> Response:
    service = KnowledgeService(ctx.session, ctx.principal)
    documents = [DocumentRead.model_validate(d) for d in service.list_documents(limit=500)]
    return render(
        request, "knowledge/index.html", ctx=ctx, nav="knowledge", documents=documents, stats=service.stats(),
        categories=CATEGORIES, category_labels=CATEGORY_LABELS,
        max_mb=get_settings().knowledge_max_file_bytes // (1024 * 1024),
        can_manage=ctx.can(Permission.knowledge_manage), **_search_values(ctx, request),
    )  # fmt: skip


@router.get("/knowledge/search")
def search_results(request: Request, ctx: Viewer) -> Response:
    """The results panel alone (the search box swaps it in as you type)."""
    return render(request, "knowledge/_results.html", ctx=ctx, category_labels=CATEGORY_LABELS,
                  **_search_values(ctx, request))  # fmt: skip


@router.get("/knowledge/documents/{document_id}/row")
def document_row(request: Request, ctx: Viewer, document_id: int) -> Response:
    """One row of the documents table; it polls itself while the document is being indexed."""
    document = DocumentRead.model_validate(KnowledgeService(ctx.session, ctx.principal).get_document(document_id))
    return render(request, "knowledge/_row.html", ctx=ctx, doc=document, category_labels=CATEGORY_LABELS,
                  can_manage=ctx.can(Permission.knowledge_manage))  # fmt: skip


@router.post("/knowledge")
def upload(
    request: Request,
    ctx: KnowledgeEditor,
    file: UploadFile,
    category: Annotated[str, Form(max_length=32)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    limit = get_settings().knowledge_max_file_bytes
    name = file.filename or "the file"
    try:
        if not file.filename:
            raise InvalidInput("Choose a file to upload")
        if file.size is not None and file.size > limit:
            raise KnowledgeFileTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
        with ctx.session.begin_nested():
            document = KnowledgeService(ctx.session, ctx.principal).add_document(
                filename=file.filename, content=file.file.read(limit + 1), category=category, title=title or None,
                tags=split_tags(tags),
            )  # fmt: skip
    except AppError as exc:
        return redirect_with(request, KNOWLEDGE_URL, "error", f"Could not add {name} — {describe(exc)}")
    if document.status == "ready":
        message = f"{document.title} is indexed: {document.chunk_count} passages, version {document.version}."
    else:
        message = f"{document.title} is stored; its {document.chunks_total} passages are being indexed."
    return redirect_with(request, KNOWLEDGE_URL, "success", message)


@router.post("/knowledge/documents/{document_id}/delete")
def delete(request: Request, ctx: KnowledgeEditor, document_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            service = KnowledgeService(ctx.session, ctx.principal)
            title = service.get_document(document_id).title
            service.delete_document(document_id)
    except AppError as exc:
        return redirect_with(request, KNOWLEDGE_URL, "error", f"Could not delete — {describe(exc)}")
    return redirect_with(request, KNOWLEDGE_URL, "success", f"Deleted {title}.")


@router.post("/knowledge/documents/{document_id}/reindex")
def reindex(request: Request, ctx: KnowledgeEditor, document_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            document = KnowledgeService(ctx.session, ctx.principal).reindex_document(document_id)
    except AppError as exc:
        return redirect_with(request, KNOWLEDGE_URL, "error", f"Could not re-index — {describe(exc)}")
    return redirect_with(request, KNOWLEDGE_URL, "success", f"Re-indexing {document.title}.")
