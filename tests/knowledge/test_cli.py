"""``leadpilot kb``: add, list, search, reindex, delete."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from leadpilot.cli.main import app
from tests.knowledge.conftest import FAQ, PRICE_LIST

runner = CliRunner()


def test_add_list_search_reindex_delete(db: Session, org_a, tmp_path: Path) -> None:
    org, _ = org_a
    prices = tmp_path / "price-list.csv"
    prices.write_text(PRICE_LIST)
    faq = tmp_path / "faq.csv"
    faq.write_text(FAQ)
    added = runner.invoke(app, ["kb", "add", str(prices), str(faq), "--category", "pricing", "--org", org.slug])
    assert added.exit_code == 0, added.output
    assert "price-list.csv: ready, version 1, 3 chunks" in added.output
    assert "faq.csv: ready, version 1, 3 chunks" in added.output

    listed = runner.invoke(app, ["kb", "list", "--org", org.slug, "--json"])
    assert listed.exit_code == 0, listed.output
    documents = json.loads(listed.output)["items"]
    assert {d["title"] for d in documents} == {"price-list.csv", "faq.csv"}

    found = runner.invoke(app, ["kb", "search", "How much is the Growth plan?", "-k", "1", "--org", org.slug])
    assert found.exit_code == 0, found.output
    assert "1. [pricing] price-list.csv" in found.output
    assert "Plan: Growth | Price: $49 per user per month" in found.output

    reindexed = runner.invoke(app, ["kb", "reindex", "--org", org.slug])
    assert reindexed.exit_code == 0, reindexed.output
    assert "Re-indexed 2 document(s)." in reindexed.output

    document_id = next(d["id"] for d in documents if d["title"] == "price-list.csv")
    deleted = runner.invoke(app, ["kb", "delete", str(document_id), "--org", org.slug])
    assert deleted.exit_code == 0, deleted.output
    missing = runner.invoke(app, ["kb", "delete", str(document_id), "--org", org.slug])
    assert missing.exit_code == 1
    assert "KnowledgeDocumentNotFound" in missing.output


def test_a_bad_file_fails_with_its_reason(org_a, tmp_path: Path) -> None:
    org, _ = org_a
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    result = runner.invoke(app, ["kb", "add", str(bad), "-c", "product", "--org", org.slug])
    assert result.exit_code == 1
    assert "report.pdf: KnowledgeFileInvalid: report.pdf is not a PDF" in result.output
