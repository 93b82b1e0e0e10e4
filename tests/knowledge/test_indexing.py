"""Indexing details: common words are left to the vector ranking at scale, the stalled-ingestion sweep, the
embedder change, and the vector cache following the knowledge version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from leadpilot.kit.clock import utcnow
from leadpilot.knowledge import fulltext, retrieve
from leadpilot.knowledge.models import KnowledgeDocument
from leadpilot.knowledge.tasks import resume_stalled_ingestion
from leadpilot.knowledge.vectors import vector_cache
from leadpilot.llm import HashingEmbedder
from leadpilot.llm.providers import override_embedder


def test_words_matching_too_many_chunks_are_not_ranked(
    db: Session, org_a, knowledge_base, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, _ = org_a
    both = fulltext.ranked_chunk_ids(db, org.id, "plan Redshift", limit=10)
    assert len(both) > 2, "'plan' matches several chunks"
    monkeypatch.setattr(fulltext, "MAX_RANKED", 2)
    rare_only = fulltext.ranked_chunk_ids(db, org.id, "plan Redshift", limit=10)
    assert len(rare_only) == 2, "only the chunks with 'Redshift' are ranked"
    assert fulltext.ranked_chunk_ids(db, org.id, "plan", limit=10) == []
    hits = retrieve(db, org.id, "plan", k=3)
    assert len(hits) == 3, "the vector ranking still answers"
    assert all(h.text_rank is None for h in hits)


def test_the_sweep_requeues_documents_whose_indexing_was_lost(db: Session, org_a) -> None:
    from leadpilot.knowledge.service import KnowledgeService
    from tests.fixtures.factories import principal_for

    _, owner = org_a
    service = KnowledgeService(db, principal_for(owner))
    document = service.add_document(filename="faq.txt", content=b"Refunds take five days.", category="faq")
    db.execute(
        update(KnowledgeDocument)
        .where(KnowledgeDocument.id == document.id)
        .values(status="pending", generation=KnowledgeDocument.generation + 1, updated_at=utcnow() - timedelta(hours=1))
    )
    db.commit()
    assert resume_stalled_ingestion() == 1
    db.expire_all()
    refreshed = db.get(KnowledgeDocument, document.id)
    assert refreshed is not None
    assert refreshed.status == "ready"
    assert resume_stalled_ingestion() == 0


def test_chunks_of_another_embedder_are_left_to_full_text_until_reindexed(db: Session, org_a) -> None:
    from leadpilot.knowledge.service import KnowledgeService, ingest_document
    from tests.fixtures.factories import principal_for

    org, owner = org_a
    document = ingest_document(db, org.id, filename="n.txt", content=b"Kiwis ship from Auckland.", category="faq")
    db.commit()
    with override_embedder(HashingEmbedder()):
        hits = retrieve(db, org.id, "Kiwis Auckland")
        assert [h.vector_score for h in hits] == [None], "MiniLM vectors are not compared with hashed ones"
        assert hits[0].text_rank == 1
        KnowledgeService(db, principal_for(owner)).reindex_document(document.id)
        db.commit()
        hits = retrieve(db, org.id, "Kiwis Auckland")
        assert hits[0].vector_score is not None
        assert db.get(KnowledgeDocument, document.id).embedding_model == "hashing-384"  # type: ignore[union-attr]


def test_the_vector_cache_follows_the_knowledge_version(db: Session, org_a) -> None:
    from leadpilot.knowledge.service import ingest_document

    org, _ = org_a
    ingest_document(db, org.id, filename="a.txt", content=b"Apples grow in orchards.", category="faq")
    db.commit()
    assert retrieve(db, org.id, "apples", mode="vector")
    keys = [key for key in vector_cache._items if key[0] == org.id]
    assert len(keys) == 1
    ingest_document(db, org.id, filename="b.txt", content=b"Pears ripen after picking.", category="faq")
    db.commit()
    assert {h.text for h in retrieve(db, org.id, "fruit", k=5, mode="vector")} == {
        "Apples grow in orchards.",
        "Pears ripen after picking.",
    }
    newer = [key for key in vector_cache._items if key[0] == org.id]
    assert len(newer) == 1
    assert newer != keys, "a new version builds a new matrix and drops the old one"
