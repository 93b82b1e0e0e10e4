"""The Knowledge page: upload through the form, the documents table (rows poll while indexing), search with
highlighted hits, delete; errors are explained and change nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.knowledge.models import KnowledgeDocument
from tests.fixtures.factories import make_user
from tests.knowledge.conftest import FAQ, PRICE_LIST
from tests.web.conftest import HTML, sign_in


@pytest.fixture
def browser(app, connection) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, headers=HTML, follow_redirects=False) as test_client:
        yield test_client


def _upload(browser: TestClient, csrf: str, filename: str, content: bytes, category: str, **form: str):  # type: ignore[no-untyped-def]
    return browser.post(
        "/knowledge", files={"file": (filename, content)}, data={"csrf_token": csrf, "category": category, **form}
    )


def test_upload_list_search_and_delete(browser: TestClient, db: Session, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    page = browser.get("/knowledge")
    assert page.status_code == 200
    assert "No documents yet" in page.text
    assert 'href="/knowledge" class="active"' in page.text

    response = _upload(browser, csrf, "price-list.csv", PRICE_LIST.encode(), "pricing", tags="emea")
    assert response.status_code == 303
    page = browser.get(response.headers["location"])
    assert "price-list.csv is indexed: 3 passages, version 1." in page.text
    assert 'data-status="ready"' in page.text
    assert "hx-trigger" not in page.text.split('id="kb-documents"')[1], "ready rows do not poll"
    _upload(browser, csrf, "faq.csv", FAQ.encode(), "faq")

    results = browser.get("/knowledge/search", params={"q": "Growth plan price"})
    assert results.status_code == 200
    assert re.search(r"<mark>Growth</mark> \| <mark>Price</mark>: \$49", results.text)
    assert "price-list.csv" in results.text
    full = browser.get("/knowledge", params={"q": "free trial", "category": "faq"})
    assert "<mark>free</mark> <mark>trial</mark>" in full.text
    assert "Plan: Growth" not in full.text, "the category filter applies"

    document = db.scalar(select(KnowledgeDocument).where(KnowledgeDocument.title == "price-list.csv"))
    assert document is not None
    deleted = browser.post(f"/knowledge/documents/{document.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert "Deleted price-list.csv." in browser.get("/knowledge").text
    assert "Plan: Growth" not in browser.get("/knowledge/search", params={"q": "Growth plan price"}).text


def test_a_row_polls_while_its_document_is_indexing(browser: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    sign_in(browser, owner)
    document = KnowledgeDocument(
        org_id=org.id, title="manual.pdf", filename="manual.pdf", file_format="pdf", category="product", tags=[],
        content_sha256="0" * 64, content=b"%PDF-", status="indexing", chunks_total=10, chunks_done=4, pages_total=5,
        pages_done=2,
    )  # fmt: skip
    db.add(document)
    db.commit()
    row = browser.get(f"/knowledge/documents/{document.id}/row")
    assert row.status_code == 200
    assert f'hx-get="/knowledge/documents/{document.id}/row" hx-trigger="every 2s"' in row.text
    assert "4 of 10 passages · page 2 of 5" in row.text
    assert 'aria-valuenow="40.0"' in row.text


def test_bad_files_are_explained_and_change_nothing(browser: TestClient, db: Session, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    for filename, content, message in [
        ("virus.pdf", b"MZ\x90\x00binary", "virus.pdf is not a PDF"),
        ("setup.exe", b"MZ\x90\x00", ".exe files are not supported"),
        ("empty.md", b"", "empty.md is empty"),
    ]:
        response = _upload(browser, csrf, filename, content, "product")
        assert response.status_code == 303
        page = browser.get("/knowledge").text
        assert f"Could not add {filename}" in page
        assert message in page
    assert db.scalar(select(func.count()).select_from(KnowledgeDocument)) == 0


def test_viewers_search_but_do_not_see_the_upload_form(browser: TestClient, db: Session, org_a) -> None:
    org, _ = org_a
    viewer = make_user(db, org, Role.viewer)
    db.commit()
    csrf = sign_in(browser, viewer)
    page = browser.get("/knowledge")
    assert page.status_code == 200
    assert "Add a document" not in page.text
    assert _upload(browser, csrf, "faq.csv", FAQ.encode(), "faq").status_code == 403
