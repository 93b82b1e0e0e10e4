"""Each format parses into its structure; chunking keeps headings as sections and rows and items whole; bad files
are refused with a message that says what is wrong."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest

from leadpilot.knowledge.chunking import MAX_TOKENS, chunk_blocks, count_tokens
from leadpilot.knowledge.errors import KnowledgeFileInvalid, KnowledgeFileUnsupported
from leadpilot.knowledge.parsing import parse_document
from tests.knowledge.conftest import (
    CASE_STUDY_TXT,
    FAQ,
    PRICE_LIST,
    PRODUCT_HTML,
    REFUND_POLICY,
    SECURITY_PDF_PAGES,
    docx_bytes,
    pdf_bytes,
)


def _kinds(filename: str, content: bytes) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in parse_document(filename, content).blocks]


def test_csv_price_list_rows_carry_their_column_names() -> None:
    blocks = _kinds("prices.csv", PRICE_LIST.encode())
    assert blocks[1] == (
        "table_row",
        "Plan: Growth | Price: $49 per user per month | Seats: up to 50 users | Support: Chat and email support",
    )
    assert len(blocks) == 3
    chunks = chunk_blocks(parse_document("prices.csv", PRICE_LIST.encode()).blocks)
    assert [c.kind for c in chunks] == ["table_row"] * 3, "one chunk per price row"


def test_csv_with_semicolons_and_cp1252_is_read() -> None:
    content = "Produkt;Preis\nGrowth;49 \u20ac\n".encode("cp1252")
    assert _kinds("preise.csv", content) == [("table_row", "Produkt: Growth | Preis: 49 \u20ac")]


def test_csv_faq_becomes_question_answer_pairs_with_their_topic() -> None:
    parsed = parse_document("faq.csv", FAQ.encode())
    first = parsed.blocks[0]
    assert first.kind == "faq"
    assert first.text.startswith("Q: Can I cancel at any time?\nA: Yes. Monthly plans")
    assert first.section == "Billing"
    chunks = chunk_blocks(parsed.blocks)
    assert [(c.kind, c.section) for c in chunks] == [("faq", "Billing"), ("faq", "Trial"), ("faq", "Security")]


def test_markdown_headings_lists_tables_and_code() -> None:
    content = b"""# Plans

Intro with **bold** and a [link](https://example.com).

## Growth

- Unlimited pipelines
- API access
  continued on the next line

| Plan | Price |
| --- | ---: |
| Growth | $49 |

```
curl https://api.example.com
```
"""
    assert _kinds("plans.md", content) == [
        ("heading", "Plans"),
        ("paragraph", "Intro with bold and a link."),
        ("heading", "Growth"),
        ("list_item", "Unlimited pipelines"),
        ("list_item", "API access continued on the next line"),
        ("table_row", "Plan: Growth | Price: $49"),
        ("code", "curl https://api.example.com"),
    ]
    chunks = chunk_blocks(parse_document("plans.md", content).blocks)
    assert [(c.kind, c.section) for c in chunks] == [
        ("text", "Plans"),
        ("list", "Plans > Growth"),
        ("table_row", "Plans > Growth"),
        ("text", "Plans > Growth"),
    ]
    assert chunks[1].text == "- Unlimited pipelines\n- API access continued on the next line"


def test_html_keeps_headings_lists_and_tables_and_drops_scripts_and_navigation() -> None:
    blocks = _kinds("page.html", PRODUCT_HTML.encode())
    assert blocks == [
        ("heading", "Warehouse Sync"),
        (
            "paragraph",
            "Warehouse Sync copies your CRM records into Snowflake, BigQuery or Redshift every fifteen minutes.",
        ),
        ("heading", "Supported destinations"),
        ("list_item", "Snowflake (all editions)"),
        ("list_item", "Google BigQuery"),
        ("list_item", "Amazon Redshift"),
        ("heading", "Limits"),
        ("table_row", "Edition: Growth | Rows per sync: 1 million"),
        ("table_row", "Edition: Enterprise | Rows per sync: Unlimited"),
    ]


def test_docx_headings_bullets_and_tables() -> None:
    assert _kinds("onboarding.docx", docx_bytes()) == [
        ("heading", "Onboarding policy"),
        ("paragraph", "Every new customer gets a kickoff call within two business days of signing."),
        ("heading", "Implementation package"),
        ("list_item", "Data migration from Salesforce or HubSpot"),
        ("list_item", "Two training sessions for the sales team"),
        ("table_row", "Package: Standard onboarding | Price: $1,500"),
        ("table_row", "Package: Premium onboarding | Price: $4,000"),
    ]


def test_pdf_text_pages_and_title_lines() -> None:
    parsed = parse_document("security.pdf", pdf_bytes(SECURITY_PDF_PAGES))
    assert parsed.pages == 2
    assert [(b.kind, b.page) for b in parsed.blocks] == [
        ("heading", 1),
        ("paragraph", 1),
        ("heading", 2),
        ("paragraph", 2),
    ]
    assert parsed.blocks[0].text == "Security Overview"
    assert "Frankfurt and Dublin" in parsed.blocks[1].text
    chunks = chunk_blocks(parsed.blocks)
    assert [(c.section, c.page) for c in chunks] == [("Security Overview", 1), ("Access Control", 2)]


def test_plain_text_title_and_paragraphs() -> None:
    blocks = _kinds("case.txt", CASE_STUDY_TXT.encode())
    assert blocks[0] == ("heading", "CEDAR FREIGHT CASE STUDY")
    assert [k for k, _ in blocks[1:]] == ["paragraph", "paragraph"]
    assert blocks[1][1].startswith("Cedar Freight is a logistics company with 400 dispatchers. Before switching, their")


def test_markdown_sections_nest_and_reset() -> None:
    chunks = chunk_blocks(parse_document("p.md", REFUND_POLICY.encode()).blocks)
    assert [c.section for c in chunks] == ["Refund policy > Annual plans", "Refund policy > Monthly plans"]


def test_long_paragraphs_are_cut_at_sentences_with_overlap() -> None:
    sentences = [
        f"Sentence number {i} explains one more detail of the onboarding process for new teams." for i in range(80)
    ]
    chunks = chunk_blocks(parse_document("long.txt", " ".join(sentences).encode()).blocks)
    assert len(chunks) > 3
    assert all(c.token_count <= MAX_TOKENS for c in chunks)
    for previous, following in itertools.pairwise(chunks):
        last_sentence = previous.text.rsplit(". ", 1)[-1]
        assert last_sentence in following.text, "consecutive windows overlap by at least a sentence"
    assert all(s in " ".join(c.text for c in chunks) for s in sentences)


def test_short_blocks_are_packed_and_list_items_never_cut() -> None:
    items = "\n".join(f"- Item {i}: " + "word " * 30 for i in range(20))
    chunks = chunk_blocks(parse_document("list.md", f"# Features\n\n{items}\n".encode()).blocks)
    assert 2 <= len(chunks) < 20
    for chunk in chunks:
        assert chunk.kind == "list"
        assert all(line.startswith("- Item ") and line.count("word") == 30 for line in chunk.text.split("\n"))
        assert count_tokens(chunk.text) <= MAX_TOKENS


@pytest.mark.parametrize(
    ("filename", "content", "error", "message"),
    [
        ("notes.exe", b"MZ\x90\x00binary", KnowledgeFileUnsupported, ".exe files are not supported"),
        ("sheet.xlsx", b"PK\x03\x04....", KnowledgeFileUnsupported, ".xlsx files are not supported"),
        ("README", b"hello", KnowledgeFileUnsupported, "Files without an extension are not supported"),
        ("empty.txt", b"", KnowledgeFileInvalid, "empty.txt is empty"),
        ("blank.md", b"  \n\n ", KnowledgeFileInvalid, "blank.md is empty"),
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00binary", KnowledgeFileInvalid, "not a PDF"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj garbage without pages", KnowledgeFileInvalid, "broken.pdf"),
        ("fake.docx", b"just some text", KnowledgeFileInvalid, "not a DOCX"),
        ("zip.docx", b"", KnowledgeFileInvalid, "not a Word document"),
        ("renamed.txt", b"%PDF-1.4 binary", KnowledgeFileInvalid, "is a PDF, not text"),
        ("binary.csv", b"a,b\n\x00\x01\x02\x03", KnowledgeFileInvalid, "binary"),
        ("header-only.csv", b"question,answer\n", KnowledgeFileInvalid, "header row and at least one data row"),
        ("empty-page.html", b"<html><body><script>x()</script></body></html>", KnowledgeFileInvalid, "no text"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(filename: str, content: bytes, error: type, message: str) -> None:
    if filename == "zip.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not word")
        content = buffer.getvalue()
    with pytest.raises(error) as raised:
        parse_document(filename, content)
    assert message in raised.value.detail


def test_truncated_pdf_and_docx_are_refused() -> None:
    pdf = pdf_bytes(SECURITY_PDF_PAGES)
    with pytest.raises(KnowledgeFileInvalid):
        parse_document("cut.pdf", pdf[: len(pdf) // 3])
    docx = docx_bytes()
    with pytest.raises(KnowledgeFileInvalid):
        parse_document("cut.docx", docx[: len(docx) // 2])
