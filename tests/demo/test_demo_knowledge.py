"""The demo vendor's knowledge base: the shipped documents, their agreement with the price list, their ingestion into
the demo tenant, and a strict-mode follow-up for a demo lead grounded in them (the quick start's acceptance)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import PurePath

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from leadpilot.crm.models import Lead
from leadpilot.db import session as db_session
from leadpilot.demo.catalog import PRODUCTS
from leadpilot.demo.loader import DEMO_ORG_SLUG, demo_knowledge_files, ensure_demo_loaded, load_demo_knowledge
from leadpilot.knowledge import knowledge_version, retrieve
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument
from leadpilot.knowledge.schemas import CATEGORIES
from leadpilot.knowledge.service import prepare_file
from leadpilot.orgs.models import Org

AS_OF = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
FORMATS = {".md", ".html", ".txt", ".csv", ".docx", ".pdf"}


@pytest.fixture(scope="module")
def demo_org(engine) -> Iterator[tuple[Connection, int]]:  # type: ignore[no-untyped-def]
    """A small demo tenant, knowledge base included, in one transaction rolled back after the module."""
    connection = engine.connect()
    outer = connection.begin()
    db_session.bind_sessions_to(connection)
    try:
        result = ensure_demo_loaded(echo=lambda _line: None, seed=3, contacts=200, as_of=AS_OF, score=False)
        assert result is not None
        yield connection, result.org_id
    finally:
        db_session.bind_sessions_to(None)
        outer.rollback()
        connection.close()


def _session(connection: Connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint")


def test_the_manifest_lists_every_shipped_file_in_every_format_and_category() -> None:
    items = list(demo_knowledge_files())
    folder = files("leadpilot.demo").joinpath("knowledge")
    shipped = {entry.name for entry in folder.iterdir() if entry.name != "manifest.json"}
    assert len(items) >= 30
    assert {item.filename for item in items} == shipped
    assert len({item.title for item in items}) == len(items)
    assert {PurePath(item.filename).suffix for item in items} == FORMATS
    assert set(Counter(item.category for item in items)) == set(CATEGORIES)
    assert sum(item.category == "case_study" for item in items) >= 5


# A figure each binary document states, which must come through its parser.
BINARY_FACTS = {
    "case-study-harbor-outfitters.docx": "cut by 70%",
    "case-study-meridian-health.docx": "up 12% within six months",
    "case-study-cedar-freight.docx": "from 91% to 96%",
    "case-study-summit-capital.pdf": "4 hours instead of 3 days",
    "case-study-lumen-media.pdf": "25 hours a week",
    "release-highlights-2026.pdf": "generally available",
}


def test_every_document_parses_into_chunks_with_its_text() -> None:
    for item in demo_knowledge_files():
        prepared = prepare_file(item.filename, item.content)
        text = " ".join(draft.text for draft in prepared.drafts)
        assert prepared.drafts, item.filename
        assert len(text.split()) >= 60, item.filename
        if item.filename in BINARY_FACTS:
            assert BINARY_FACTS[item.filename] in text, item.filename


def test_the_price_list_matches_the_catalogue() -> None:
    content = next(i.content for i in demo_knowledge_files() if i.filename == "price-list.csv").decode()
    rows = {row["sku"]: row for row in csv.DictReader(io.StringIO(content))}
    assert set(rows) == {p.sku for p in PRODUCTS}
    for product in PRODUCTS:
        row = rows[product.sku]
        assert Decimal(row["price"]) == product.unit_price, product.sku
        assert row["billing_period"] == product.billing_period, product.sku
        assert row["currency"] == "USD"


def test_every_catalogue_price_is_stated_somewhere_in_the_prose() -> None:
    prose = " ".join(
        i.content.decode("utf-8") for i in demo_knowledge_files() if i.filename.endswith((".md", ".html", ".txt"))
    )
    for product in PRODUCTS:
        price = f"${product.unit_price:,.0f}"
        assert price in prose, (product.sku, price)


def test_the_demo_tenant_gets_the_knowledge_base_once(demo_org: tuple[Connection, int]) -> None:
    connection, org_id = demo_org
    expected = len(list(demo_knowledge_files()))
    with _session(connection) as session:
        documents = session.scalars(select(KnowledgeDocument).where(KnowledgeDocument.org_id == org_id)).all()
        assert len(documents) == expected
        assert {d.status for d in documents} == {"ready"}
        chunks = session.scalar(
            select(func.count()).select_from(KnowledgeChunk).where(KnowledgeChunk.org_id == org_id, KnowledgeChunk.live)
        )
        assert chunks is not None
        assert chunks >= expected
        version = knowledge_version(session, org_id)
        assert load_demo_knowledge(session, org_id, echo=lambda _line: None) == expected
        session.flush()
        assert knowledge_version(session, org_id) == version
        assert (
            session.scalar(
                select(func.count()).select_from(KnowledgeDocument).where(KnowledgeDocument.org_id == org_id)
            )
            == expected
        )


def test_an_existing_tenant_is_kept_and_a_missing_document_restored(demo_org: tuple[Connection, int]) -> None:
    connection, org_id = demo_org
    with _session(connection) as session:
        faq = session.scalar(
            select(KnowledgeDocument).where(KnowledgeDocument.org_id == org_id, KnowledgeDocument.filename == "faq.csv")
        )
        assert faq is not None
        session.delete(faq)
        session.commit()
    assert ensure_demo_loaded(echo=lambda _line: None, seed=3, contacts=200, as_of=AS_OF, score=False) is None
    with _session(connection) as session:
        assert session.scalar(select(Org.id).where(Org.slug == DEMO_ORG_SLUG)) == org_id
        filenames = set(session.scalars(select(KnowledgeDocument.filename).where(KnowledgeDocument.org_id == org_id)))
    assert filenames == {item.filename for item in demo_knowledge_files()}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much is the Growth plan per month?", {"Insight Growth plan", "Price list", "Compare plans"}),
        (
            "Do you sign a HIPAA business associate agreement?",
            {"Security, privacy and GDPR", "Insight Enterprise plan"},
        ),
        (
            "Which e-commerce customers cut their reporting time?",
            {"Customer story: Harbor Outfitters", "Customer stories"},
        ),
    ],
)
def test_demo_questions_retrieve_the_documents_that_answer_them(
    demo_org: tuple[Connection, int], question: str, expected: set[str]
) -> None:
    connection, org_id = demo_org
    with _session(connection) as session:
        titles = [chunk.document_title for chunk in retrieve(session, org_id, question, k=5)]
    assert expected & set(titles), titles


def test_a_strict_followup_for_a_demo_lead_is_grounded_in_the_knowledge_base(
    demo_org: tuple[Connection, int],
) -> None:
    from leadpilot.followup import generate_followup
    from leadpilot.followup.schemas import FollowupRequest

    connection, org_id = demo_org
    with _session(connection) as session:
        lead_id = session.scalar(
            select(Lead.id).where(Lead.org_id == org_id, Lead.stage.in_(("engaged", "qualified"))).order_by(Lead.id)
        )
        assert lead_id is not None
        response = generate_followup(session, org_id, FollowupRequest(lead_id=lead_id, mode="strict"))
        known_titles = set(session.scalars(select(KnowledgeDocument.title).where(KnowledgeDocument.org_id == org_id)))
    assert response.mode == "strict"
    assert response.model_used == "playbook"
    assert response.message.strip()
    assert response.sources, "a strict follow-up cites the knowledge base"
    assert {source.document_title for source in response.sources} <= known_titles
    assert any(source.used for source in response.sources)
    assert response.grounding_verified
    assert all(claim.verdict == "supported" for claim in response.claims)
    assert not response.fallback
