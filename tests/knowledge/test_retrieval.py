"""Hybrid retrieval with the real bundled MiniLM: paraphrased and keyword questions find the chunk that answers
them; filters; the knowledge version."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leadpilot.knowledge import RetrievedChunk, knowledge_version, retrieve
from leadpilot.knowledge.models import KnowledgeDocument


def _top(db: Session, org_id: int, query: str, **options: object) -> RetrievedChunk:
    hits = retrieve(db, org_id, query, **options)  # type: ignore[arg-type]
    assert hits, f"nothing retrieved for {query!r}"
    return hits[0]


@pytest.mark.parametrize(
    ("query", "expected_document", "expected_text"),
    [
        # paraphrases: few or no words in common with the answer
        ("How much is the Growth tier for each user?", "price-list.csv", "$49"),
        ("I paid for a whole year up front. Can I get my money back?", "refund-policy.md", "refunded in full"),
        ("Is there a way to try the product before paying?", "faq.csv", "14-day free trial"),
        ("How quickly did the logistics customer start replying to prospects?", "cedar-freight.txt", "4 minutes"),
        ("Where are your servers located?", "security.pdf", "Frankfurt"),
        # keywords: exact names the embedding alone may not rank first
        ("Redshift", "warehouse-sync.html", "Redshift"),
        ("SCIM", "security.pdf", "SCIM"),
        ("Premium onboarding price", "onboarding.docx", "$4,000"),
    ],
)
def test_the_chunk_that_answers_comes_first(
    db: Session, org_a, knowledge_base: dict[str, KnowledgeDocument], query: str, expected_document: str,
    expected_text: str,
) -> None:  # fmt: skip
    org, _ = org_a
    top = _top(db, org.id, query)
    assert top.document_title == expected_document, (query, top)
    assert expected_text in top.text
    assert top.document_id == knowledge_base[expected_document].id
    assert top.score > 0


def test_a_price_row_is_one_whole_chunk_with_its_column_names(db: Session, org_a, knowledge_base) -> None:
    org, _ = org_a
    top = _top(db, org.id, "Growth plan price", categories=["pricing"])
    assert top.text == (
        "Plan: Growth | Price: $49 per user per month | Seats: up to 50 users | Support: Chat and email support"
    )
    assert top.category == "pricing"
    assert top.vector_score is not None
    assert 0 < top.vector_score <= 1
    assert top.text_rank == 1


def test_sections_carry_the_heading_path(db: Session, org_a, knowledge_base) -> None:
    org, _ = org_a
    top = _top(db, org.id, "monthly subscription refund")
    assert top.section == "Refund policy > Monthly plans"
    top = _top(db, org.id, "How many rows can the Growth edition sync?")
    assert top.section == "Warehouse Sync > Limits"
    assert top.text == "Edition: Growth | Rows per sync: 1 million"
    hits = retrieve(db, org.id, "Which data warehouses can I sync to?", k=3)
    assert {h.document_title for h in hits} == {"warehouse-sync.html"}
    assert any("Snowflake" in h.text and "BigQuery" in h.text for h in hits)


def test_filters_by_category_document_and_tag(db: Session, org_a, knowledge_base) -> None:
    org, _ = org_a
    hits = retrieve(db, org.id, "price", k=10, categories=["policy"])
    assert hits
    assert {h.category for h in hits} == {"policy"}
    only = knowledge_base["faq.csv"].id
    hits = retrieve(db, org.id, "price", k=10, document_ids=[only])
    assert hits
    assert {h.document_id for h in hits} == {only}
    assert retrieve(db, org.id, "price", document_ids=[]) == []
    assert retrieve(db, org.id, "price", tags=["no-such-tag"]) == []


def test_k_and_empty_queries(db: Session, org_a, knowledge_base) -> None:
    org, _ = org_a
    assert len(retrieve(db, org.id, "plan", k=3)) == 3
    assert retrieve(db, org.id, "   ") == []
    ranked = retrieve(db, org.id, "encryption of data", k=8)
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_vector_and_text_modes_rank_alone(db: Session, org_a, knowledge_base) -> None:
    org, _ = org_a
    vector = retrieve(db, org.id, "Is my data encrypted?", mode="vector")
    assert vector
    assert all(h.text_rank is None for h in vector)
    assert all(h.vector_score is not None for h in vector)
    text = retrieve(db, org.id, "encrypted", mode="text")
    assert text
    assert all(h.vector_score is None for h in text)
    assert text[0].text_rank == 1
    assert "AES-256" in text[0].text


def test_knowledge_version_changes_with_every_change(db: Session, org_a) -> None:
    from leadpilot.knowledge import ingest_document

    org, _ = org_a
    first = knowledge_version(db, org.id)
    document = ingest_document(db, org.id, filename="a.txt", content=b"Alpha text about apples.", category="faq")
    second = knowledge_version(db, org.id)
    assert second != first
    same = ingest_document(db, org.id, filename="a.txt", content=b"Alpha text about apples.", category="faq")
    assert same.id == document.id
    assert same.version == 1
    assert knowledge_version(db, org.id) == second, "an identical re-upload changes nothing"
    replaced = ingest_document(db, org.id, filename="a.txt", content=b"Alpha text about pears.", category="faq")
    assert replaced.id == document.id
    assert replaced.version == 2
    assert knowledge_version(db, org.id) not in {first, second}
    hits = retrieve(db, org.id, "pears")
    assert [h.text for h in hits] == ["Alpha text about pears."]
