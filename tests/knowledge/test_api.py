"""The knowledge API: upload (small files indexed at once, large ones by the background job with progress),
list, chunks, search with highlights, re-index, replace, delete; permissions; bad uploads change nothing; one
org never sees another's documents or chunks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.auth.roles import Role
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument
from leadpilot.knowledge.retrieval import knowledge_version
from tests.fixtures.factories import auth_headers, make_user
from tests.knowledge.conftest import FAQ, PRICE_LIST, REFUND_POLICY, SECURITY_PDF_PAGES, pdf_bytes

URL = "/api/v1/knowledge"


def _upload(
    client: TestClient, headers: dict[str, str], filename: str, content: bytes, category: str, **form: str
) -> Any:
    return client.post(
        f"{URL}/documents", files={"file": (filename, content)}, data={"category": category, **form}, headers=headers
    )


def _counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(KnowledgeDocument)) or 0,
        db.scalar(select(func.count()).select_from(KnowledgeChunk)) or 0,
    )


def test_upload_list_search_and_delete(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    created = _upload(client, headers, "price-list.csv", PRICE_LIST.encode(), "pricing", tags="emea, 2026")
    assert created.status_code == 201, created.text
    document = created.json()
    assert (document["status"], document["chunk_count"], document["version"]) == ("ready", 3, 1)
    assert document["tags"] == ["emea", "2026"]
    assert document["progress"] == 100.0
    assert document["embedding_model"] == "all-MiniLM-L6-v2-int8"
    _upload(client, headers, "faq.csv", FAQ.encode(), "faq")

    listed = client.get(f"{URL}/documents", headers=headers).json()
    assert {d["title"] for d in listed["items"]} == {"price-list.csv", "faq.csv"}
    assert listed["knowledge_version"] == knowledge_version(db, org.id)
    pricing = client.get(f"{URL}/documents", params={"category": "pricing"}, headers=headers).json()["items"]
    assert [d["title"] for d in pricing] == ["price-list.csv"]
    assert client.get(f"{URL}/documents", params={"tag": "emea"}, headers=headers).json()["count"] == 1

    chunks = client.get(f"{URL}/documents/{document['id']}/chunks", headers=headers).json()
    assert chunks["count"] == 3
    assert [c["kind"] for c in chunks["items"]] == ["table_row"] * 3
    assert chunks["items"][0]["text"].startswith("Plan: Starter | Price: $19")

    found = client.get(f"{URL}/search", params={"q": "how much is the growth plan", "k": 2}, headers=headers).json()
    top = found["items"][0]
    assert top["document_title"] == "price-list.csv"
    assert top["text"].startswith("Plan: Growth")
    assert "<mark>Growth</mark>" in top["highlighted"]
    assert "<mark>Plan</mark>" in top["highlighted"]
    assert len(found["items"]) == 2
    assert found["took_ms"] > 0
    only_faq = client.get(f"{URL}/search", params={"q": "price", "category": "faq"}, headers=headers).json()
    assert only_faq["items"]
    assert {h["category"] for h in only_faq["items"]} == {"faq"}
    tagged = client.get(f"{URL}/search", params={"q": "price", "tag": "emea", "k": 10}, headers=headers).json()
    assert {h["document_id"] for h in tagged["items"]} == {document["id"]}
    assert client.get(f"{URL}/search", params={"q": ""}, headers=headers).json()["items"] == []

    version = knowledge_version(db, org.id)
    assert client.delete(f"{URL}/documents/{document['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/documents/{document['id']}", headers=headers).status_code == 404
    assert knowledge_version(db, org.id) != version
    after = client.get(f"{URL}/search", params={"q": "Growth plan price", "k": 10}, headers=headers).json()["items"]
    assert after
    assert all(h["document_title"] == "faq.csv" for h in after)
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.org_id == org.id)))
    assert {"knowledge.document_uploaded", "knowledge.document_deleted"} <= actions


def test_search_results_escape_html_around_highlights(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    content = b"Our <b>Growth</b> plan & the <script>Starter</script> plan are billed monthly."
    _upload(client, headers, "notes.txt", content, "product")
    hit = client.get(f"{URL}/search", params={"q": "growth"}, headers=headers).json()["items"][0]
    assert hit["highlighted"] == (
        "Our &lt;b&gt;<mark>Growth</mark>&lt;/b&gt; plan &amp; the &lt;script&gt;Starter&lt;/script&gt; plan are "
        "billed monthly."
    )


def test_reupload_replaces_and_bumps_the_version(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    first = _upload(client, headers, "policy.md", REFUND_POLICY.encode(), "policy").json()
    same = _upload(client, headers, "policy.md", REFUND_POLICY.encode(), "policy")
    assert same.status_code == 201
    assert same.json()["version"] == 1, "identical bytes: nothing to do"
    changed = REFUND_POLICY.replace("30 days", "45 days").encode()
    second = _upload(client, headers, "policy.md", changed, "policy").json()
    assert second["id"] == first["id"]
    assert second["version"] == 2
    texts = [c["text"] for c in client.get(f"{URL}/documents/{first['id']}/chunks", headers=headers).json()["items"]]
    assert any("45 days" in t for t in texts)
    assert not any("30 days" in t for t in texts)
    assert _counts(db) == (1, 2), "the old chunks are gone"
    renamed = _upload(client, headers, "policy-v2.md", changed, "policy", title="policy.md").json()
    assert renamed["id"] == first["id"]
    assert renamed["filename"] == "policy-v2.md"


@pytest.mark.parametrize(
    ("filename", "content", "status", "error"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary", 400, "KnowledgeFileInvalid"),
        ("broken.pdf", b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog", 400, "KnowledgeFileInvalid"),
        ("empty.txt", b"", 400, "KnowledgeFileInvalid"),
        ("tool.exe", b"MZ\x90\x00", 415, "KnowledgeFileUnsupported"),
        ("slides.pptx", b"PK\x03\x04", 415, "KnowledgeFileUnsupported"),
    ],
)
def test_a_bad_upload_is_refused_and_changes_nothing(
    client: TestClient, db: Session, org_a, filename: str, content: bytes, status: int, error: str
) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    _upload(client, headers, "faq.csv", FAQ.encode(), "faq")
    before, version = _counts(db), knowledge_version(db, org.id)
    response = _upload(client, headers, filename, content, "product")
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["detail"]
    assert _counts(db) == before
    assert knowledge_version(db, org.id) == version


def test_a_corrupt_replacement_keeps_the_old_document(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    good = _upload(client, headers, "security.pdf", pdf_bytes(SECURITY_PDF_PAGES), "product").json()
    version = knowledge_version(db, org.id)
    bad = _upload(client, headers, "security.pdf", b"%PDF-1.4 truncated", "product")
    assert bad.status_code == 400
    assert "security.pdf" in bad.json()["detail"]
    kept = client.get(f"{URL}/documents/{good['id']}", headers=headers).json()
    assert (kept["version"], kept["status"], kept["chunk_count"]) == (1, "ready", 2)
    assert knowledge_version(db, org.id) == version


def test_bad_category_and_too_large_files(client: TestClient, org_a, monkeypatch: pytest.MonkeyPatch) -> None:
    from leadpilot.config import get_settings

    _, owner = org_a
    headers = auth_headers(owner)
    wrong = _upload(client, headers, "faq.csv", FAQ.encode(), "brochure")
    assert wrong.status_code == 400
    assert "category must be one of product, pricing, case_study, policy, faq" in wrong.json()["detail"]
    monkeypatch.setattr(get_settings(), "knowledge_max_file_bytes", 100)
    large = _upload(client, headers, "faq.csv", FAQ.encode(), "faq")
    assert large.status_code == 413
    assert large.json()["error"] == "KnowledgeFileTooLarge"


def test_large_documents_are_indexed_in_the_background_with_progress(
    client: TestClient, db: Session, org_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadpilot.config import get_settings
    from leadpilot.knowledge import service

    _, owner = org_a
    headers = auth_headers(owner)
    monkeypatch.setattr(get_settings(), "knowledge_inline_chunks", 2)
    monkeypatch.setattr(service, "EMBED_BATCH", 2)
    progress: list[tuple[str, int, int]] = []
    real_chunk_rows = service._chunk_rows

    def observe(document: KnowledgeDocument, drafts: Any, org_id: int) -> Any:
        progress.append((document.status, document.chunks_done, document.chunks_total))
        return real_chunk_rows(document, drafts, org_id)

    monkeypatch.setattr(service, "_chunk_rows", observe)
    pages = [[f"Chapter {p}", "", f"Page {p} explains how the onboarding step number {p} works."] for p in range(1, 7)]
    response = _upload(client, headers, "manual.pdf", pdf_bytes(pages), "product")
    # the queue runs jobs at once in tests, so the answer already carries the job's outcome
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["chunks_total"] == 6
    assert progress == [("indexing", 0, 6), ("indexing", 2, 6), ("indexing", 4, 6)]
    document = client.get(f"{URL}/documents/{response.json()['id']}", headers=headers).json()
    assert (document["status"], document["chunks_done"], document["chunk_count"]) == ("ready", 6, 6)
    assert (document["pages_done"], document["pages_total"]) == (6, 6)
    top = client.get(f"{URL}/search", params={"q": "onboarding step number 4"}, headers=headers).json()["items"][0]
    assert top["section"] == "Chapter 4"


def test_a_failed_background_index_is_reported_and_serves_the_previous_chunks(
    client: TestClient, db: Session, org_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadpilot.config import get_settings
    from leadpilot.knowledge import service

    _, owner = org_a
    headers = auth_headers(owner)
    first = _upload(client, headers, "policy.md", REFUND_POLICY.encode(), "policy").json()
    monkeypatch.setattr(get_settings(), "knowledge_inline_chunks", 0)

    def broken(*_args: Any) -> Any:
        raise RuntimeError("embedding service down")

    monkeypatch.setattr(service, "_chunk_rows", broken)
    changed = REFUND_POLICY.replace("30 days", "60 days").encode()
    assert _upload(client, headers, "policy.md", changed, "policy").status_code == 202
    document = client.get(f"{URL}/documents/{first['id']}", headers=headers).json()
    assert document["status"] == "failed"
    assert document["error"] == "RuntimeError: embedding service down"
    assert document["version"] == 2
    texts = [h["text"] for h in client.get(f"{URL}/search", params={"q": "refund"}, headers=headers).json()["items"]]
    assert any("30 days" in t for t in texts), "the last good chunks are still served"
    monkeypatch.undo()
    again = client.post(f"{URL}/documents/{first['id']}/reindex", headers=headers)
    assert again.status_code == 200
    assert again.json()["status"] == "ready"
    texts = [h["text"] for h in client.get(f"{URL}/search", params={"q": "refund"}, headers=headers).json()["items"]]
    assert any("60 days" in t for t in texts)


def test_reindex_swaps_chunks_and_changes_the_version(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    document = _upload(client, headers, "faq.csv", FAQ.encode(), "faq").json()
    old_ids = [c["id"] for c in client.get(f"{URL}/documents/{document['id']}/chunks", headers=headers).json()["items"]]
    version = knowledge_version(db, org.id)
    response = client.post(f"{URL}/documents/{document['id']}/reindex", headers=headers)
    assert response.status_code == 200
    new_ids = [c["id"] for c in client.get(f"{URL}/documents/{document['id']}/chunks", headers=headers).json()["items"]]
    assert len(new_ids) == len(old_ids) == 3
    assert not set(new_ids) & set(old_ids)
    assert knowledge_version(db, org.id) != version
    assert _counts(db) == (1, 3)


def test_viewers_read_and_search_but_only_managers_change(client: TestClient, db: Session, org_a) -> None:
    org, _ = org_a
    viewer = make_user(db, org, Role.viewer)
    agent = make_user(db, org, Role.agent)
    manager = make_user(db, org, Role.manager)
    db.commit()
    document = _upload(client, auth_headers(manager), "faq.csv", FAQ.encode(), "faq")
    assert document.status_code == 201
    document_id = document.json()["id"]
    for user in (viewer, agent):
        headers = auth_headers(user)
        assert client.get(f"{URL}/documents", headers=headers).status_code == 200
        assert client.get(f"{URL}/search", params={"q": "trial"}, headers=headers).json()["items"]
        denied = _upload(client, headers, "x.txt", b"text", "faq")
        assert denied.status_code == 403
        assert denied.json()["detail"].endswith("lacks the permission knowledge:manage")
        assert client.delete(f"{URL}/documents/{document_id}", headers=headers).status_code == 403
        assert client.post(f"{URL}/documents/{document_id}/reindex", headers=headers).status_code == 403


def test_org_a_never_retrieves_org_b_chunks(client: TestClient, db: Session, org_a, org_b) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    a, b = auth_headers(owner_a), auth_headers(owner_b)
    _upload(client, a, "a.txt", b"Our quokka plan costs 10 dollars per seat.", "pricing")
    secret = _upload(client, b, "b.txt", b"Our quokka plan costs 99 dollars per seat. Codename xyloquartz.", "pricing")
    for query in ("quokka plan price", "xyloquartz", "99 dollars"):
        found = client.get(f"{URL}/search", params={"q": query, "k": 50}, headers=a)
        assert "xyloquartz" not in found.text
        assert "99 dollars" not in found.text
        assert {h["document_title"] for h in found.json()["items"]} <= {"a.txt"}
    foreign = secret.json()["id"]
    assert client.get(f"{URL}/search", params={"q": "quokka", "document": foreign}, headers=a).json()["items"] == []
    assert client.get(f"{URL}/documents/{foreign}/chunks", headers=a).status_code == 404
    assert [d["title"] for d in client.get(f"{URL}/documents", headers=a).json()["items"]] == ["a.txt"]
    assert client.delete(f"{URL}/documents/{foreign}", headers=a).status_code == 404
    assert client.get(f"{URL}/documents/{foreign}", headers=b).json()["status"] == "ready"
    own = client.get(f"{URL}/search", params={"q": "xyloquartz"}, headers=b).json()["items"]
    assert own[0]["document_title"] == "b.txt"


def test_a_concurrent_upload_of_the_same_title_is_a_conflict(
    db: Session, org_a, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadpilot.errors import Conflict
    from leadpilot.knowledge.repository import KnowledgeDocumentRepository
    from leadpilot.knowledge.service import KnowledgeService
    from tests.fixtures.factories import principal_for

    _, owner = org_a
    service = KnowledgeService(db, principal_for(owner))
    service.add_document(filename="faq.csv", content=FAQ.encode(), category="faq")
    # The other request's row is not visible yet when this one looks the title up.
    monkeypatch.setattr(KnowledgeDocumentRepository, "by_title", lambda self, title: None)
    with pytest.raises(Conflict, match="was added at the same time"):
        service.add_document(filename="faq.csv", content=PRICE_LIST.encode(), category="faq")
    assert _counts(db) == (1, 3)
