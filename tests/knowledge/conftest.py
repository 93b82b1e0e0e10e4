"""Fixtures of the knowledge tests: a small knowledge base (pricing table, FAQ, policy, product pages) written as
real files of every supported format, and ingested with the real bundled MiniLM embedder."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from leadpilot.knowledge.models import KnowledgeDocument
from leadpilot.knowledge.service import ingest_document

PRICE_LIST = """Plan,Price,Seats,Support
Starter,$19 per user per month,up to 5 users,Email support
Growth,$49 per user per month,up to 50 users,Chat and email support
Enterprise,Custom pricing (annual contract),Unlimited users,Dedicated success manager
"""

FAQ = """question,answer,topic
Can I cancel at any time?,"Yes. Monthly plans can be cancelled at any time from the billing page; you keep \
access until the end of the period.",Billing
Do you offer a free trial?,"Every plan starts with a 14-day free trial, no credit card required.",Trial
Is my data encrypted?,"All data is encrypted at rest with AES-256 and in transit with TLS 1.3.",Security
"""

REFUND_POLICY = """# Refund policy

## Annual plans

Annual subscriptions can be refunded in full within 30 days of purchase. After 30 days we refund the unused
months, minus a 10% processing fee, when a customer downgrades or leaves.

## Monthly plans

Monthly subscriptions are not refunded, but you can cancel before the next renewal date.
"""

PRODUCT_HTML = """<html><head><title>LeadPilot Warehouse Sync</title><style>p {color: red}</style></head><body>
<nav><a href="/">Home</a></nav>
<h1>Warehouse Sync</h1>
<p>Warehouse Sync copies your CRM records into Snowflake, BigQuery or Redshift every fifteen minutes.</p>
<h2>Supported destinations</h2>
<ul><li>Snowflake (all editions)</li><li>Google BigQuery</li><li>Amazon Redshift</li></ul>
<h2>Limits</h2>
<table><tr><th>Edition</th><th>Rows per sync</th></tr><tr><td>Growth</td><td>1 million</td></tr>
<tr><td>Enterprise</td><td>Unlimited</td></tr></table>
<script>alert('x')</script>
</body></html>
"""

CASE_STUDY_TXT = """CEDAR FREIGHT CASE STUDY

Cedar Freight is a logistics company with 400 dispatchers. Before switching, their team answered inbound quote
requests by hand and many leads waited more than a day.

After rolling out automated lead qualification, Cedar Freight cut its average response time from 26 hours to
4 minutes and booked 38% more meetings in the first quarter.
"""


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Onboarding policy", level=1)
    document.add_paragraph("Every new customer gets a kickoff call within two business days of signing.")
    document.add_heading("Implementation package", level=2)
    document.add_paragraph("Data migration from Salesforce or HubSpot", style="List Bullet")
    document.add_paragraph("Two training sessions for the sales team", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, (package, price) in zip(table.rows, [("Package", "Price"), ("Standard onboarding", "$1,500"),
                                                  ("Premium onboarding", "$4,000")], strict=True):  # fmt: skip
        row.cells[0].text, row.cells[1].text = package, price
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A real text PDF: one list of lines per page (fpdf2 writes it; pypdf reads it back)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


SECURITY_PDF_PAGES = [
    ["Security Overview", "",
     "LeadPilot is hosted in ISO 27001 certified data centres in Frankfurt and Dublin.",
     "Customer data never leaves the European Union."],
    ["Access Control", "",
     "Single sign-on with SAML and SCIM provisioning is included in the Enterprise plan.",
     "Administrators can enforce two-factor authentication for every user."],
]  # fmt: skip

KB_FILES: list[tuple[str, Callable[[], bytes], str]] = [
    ("price-list.csv", lambda: PRICE_LIST.encode(), "pricing"),
    ("faq.csv", lambda: FAQ.encode(), "faq"),
    ("refund-policy.md", lambda: REFUND_POLICY.encode(), "policy"),
    ("warehouse-sync.html", lambda: PRODUCT_HTML.encode(), "product"),
    ("cedar-freight.txt", lambda: CASE_STUDY_TXT.encode(), "case_study"),
    ("onboarding.docx", docx_bytes, "policy"),
    ("security.pdf", lambda: pdf_bytes(SECURITY_PDF_PAGES), "product"),
]


@pytest.fixture
def knowledge_base(db: Session, org_a) -> dict[str, KnowledgeDocument]:  # type: ignore[no-untyped-def]
    org, _ = org_a
    documents = {
        filename: ingest_document(db, org.id, filename=filename, content=make(), category=category)
        for filename, make, category in KB_FILES
    }
    db.commit()
    return documents
