"""``leadpilot kb add | list | search | delete | reindex``: the knowledge base of an org."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from leadpilot.cli.common import resolve_org, system_principal
from leadpilot.db.session import new_session, transaction
from leadpilot.errors import AppError

app = typer.Typer(no_args_is_help=True)

ORG_OPTION = typer.Option(None, "--org", help="Org slug (default: the only org).")


def _fail(exc: AppError) -> None:
    typer.echo(f"{exc.name}: {exc.detail}", err=True)
    raise typer.Exit(code=1) from exc


@app.command("add")
def add(
    paths: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Files to add."),
    category: str = typer.Option(..., "--category", "-c", help="product, pricing, case_study, policy or faq."),
    title: str | None = typer.Option(None, "--title", help="Default: the file name (one file only)."),
    tags: str = typer.Option("", "--tags", help="Comma-separated tags."),
    org: str | None = ORG_OPTION,
) -> None:
    """Add (or replace: same title) documents and index them now. Each file is its own transaction."""
    from leadpilot.knowledge.service import KnowledgeService

    if title and len(paths) > 1:
        raise typer.BadParameter("--title names one document: give one file", param_hint="--title")
    failed = 0
    for path in paths:
        try:
            with transaction() as session:
                service = KnowledgeService(session, system_principal(resolve_org(session, org)))
                document = service.add_document(
                    filename=path.name, content=path.read_bytes(), category=category, title=title,
                    tags=[t for t in tags.split(",") if t.strip()], inline=True,
                )  # fmt: skip
        except AppError as exc:
            failed += 1
            typer.echo(f"{path.name}: {exc.name}: {exc.detail}", err=True)
            continue
        typer.echo(f"{document.title}: {document.status}, version {document.version}, {document.chunk_count} chunks "
                   f"(id {document.id})")  # fmt: skip
    if failed:
        raise typer.Exit(code=1)


@app.command("list")
def list_documents(
    org: str | None = ORG_OPTION,
    category: str | None = typer.Option(None, "--category", "-c"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The org's documents with their status and chunk counts."""
    from leadpilot.knowledge.schemas import DocumentRead
    from leadpilot.knowledge.service import KnowledgeService

    with new_session(write=False) as session:
        service = KnowledgeService(session, system_principal(resolve_org(session, org)))
        documents = [DocumentRead.model_validate(d) for d in service.list_documents(category=category, limit=10_000)]
        version = service.version()
    if as_json:
        typer.echo(json.dumps({"knowledge_version": version,
                               "items": [d.model_dump(mode="json") for d in documents]}, indent=2))  # fmt: skip
        return
    if not documents:
        typer.echo("No documents.")
        return
    for d in documents:
        state = d.status if d.status != "failed" else f"failed ({d.error})"
        typer.echo(f"{d.id:>6}  {d.category:<10}  {state:<9}  v{d.version:<3} {d.chunk_count:>5} chunks  {d.title}")


@app.command("search")
def search(
    query: str = typer.Argument(..., help="A question or keywords."),
    k: int = typer.Option(5, "-k", min=1, max=50, help="How many passages."),
    category: list[str] = typer.Option(None, "--category", "-c", help="Repeat to allow several."),
    org: str | None = ORG_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Hybrid search (vectors + full text) over the org's ready documents."""
    from leadpilot.knowledge.service import KnowledgeService

    try:
        with new_session(write=False) as session:
            service = KnowledgeService(session, system_principal(resolve_org(session, org)))
            hits = service.retrieve(query, k=k, categories=category or None)
    except AppError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps([{"chunk_id": h.chunk_id, "document_id": h.document_id, "document": h.document_title,
                                "category": h.category, "section": h.section, "score": h.score,
                                "vector_score": h.vector_score, "text_rank": h.text_rank, "text": h.text}
                               for h in hits], indent=2))  # fmt: skip
        return
    if not hits:
        typer.echo("Nothing found.")
        return
    for rank, h in enumerate(hits, start=1):
        where = f"{h.document_title}" + (f" > {h.section}" if h.section else "")
        cosine = "-" if h.vector_score is None else f"{h.vector_score:.2f}"
        typer.echo(f"{rank}. [{h.category}] {where}  (score {h.score:.4f}, cos {cosine}, text #{h.text_rank or '-'})")
        typer.echo("   " + h.text.replace("\n", "\n   "))


@app.command("delete")
def delete(document_id: int = typer.Argument(...), org: str | None = ORG_OPTION) -> None:
    """Delete a document and its chunks."""
    from leadpilot.knowledge.service import KnowledgeService

    try:
        with transaction() as session:
            KnowledgeService(session, system_principal(resolve_org(session, org))).delete_document(document_id)
    except AppError as exc:
        _fail(exc)
    typer.echo(f"Deleted document {document_id}.")


@app.command("reindex")
def reindex(
    document_id: int | None = typer.Argument(None, help="Default: every document of the org."),
    org: str | None = ORG_OPTION,
) -> None:
    """Chunk and embed stored documents again (after changing the embedding model, for instance)."""
    from leadpilot.knowledge.service import KnowledgeService

    try:
        with transaction() as session:
            service = KnowledgeService(session, system_principal(resolve_org(session, org)))
            if document_id is None:
                count = service.reindex_all(inline=True)
            else:
                service.reindex_document(document_id, inline=True)
                count = 1
    except AppError as exc:
        _fail(exc)
        return
    typer.echo(f"Re-indexed {count} document(s).")
