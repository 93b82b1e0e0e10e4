"""A small vendor for follow-up tests: a price list, a knowledge base (pricing, product, case study) and a lead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from leadpilot.crm.models import Activity, Company, Contact, Lead, Product
from leadpilot.followup.cache import get_followup_cache
from leadpilot.knowledge import ingest_document
from leadpilot.orgs.models import Org, User
from tests.fixtures.factories import make_org

PRICING = """# Pricing

## Plans

The Growth plan costs $399 per month and includes 10 seats and 20 data sources.
Annual billing for the Growth plan is $3,990 per year, which is two months free.
The Scale plan costs $1,199 per month and adds warehouse sync and row-level permissions.

## Discounts

Nonprofits and schools get 20% off any plan when billed annually.
"""
PRODUCT = """# Insight Growth

Insight Growth gives finance and operations teams one place for their dashboards.
Scheduled reports arrive in every inbox each Monday morning without anyone exporting a spreadsheet.
Anomaly alerts flag unusual changes in revenue or churn within minutes of the data arriving.
"""
CASE_STUDY = """# Case study: Globex Manufacturing

Globex Manufacturing replaced weekly spreadsheet reporting with Insight Growth dashboards.
Globex Manufacturing cut the time spent preparing its month-end report by 35% in the first quarter.
"""


@dataclass
class Vendor:
    org: Org
    owner: User
    lead: Lead
    contact: Contact
    company: Company


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    get_followup_cache().clear()
    yield
    get_followup_cache().clear()


def build_knowledge(db: Session, org_id: int) -> None:
    ingest_document(db, org_id, filename="pricing.md", content=PRICING.encode(), category="pricing",
                    title="Pricing 2026")  # fmt: skip
    ingest_document(db, org_id, filename="growth.md", content=PRODUCT.encode(), category="product",
                    title="Insight Growth overview")  # fmt: skip
    ingest_document(db, org_id, filename="globex.md", content=CASE_STUDY.encode(), category="case_study",
                    title="Globex case study")  # fmt: skip


def build_vendor(db: Session, name: str = "Northwind Test") -> Vendor:
    org, owner = make_org(db, name)
    db.add_all([
        Product(org_id=org.id, sku="G-M", name="Insight Growth (monthly)", category="plan", unit_price=Decimal("399"),
                currency="USD", billing_period="month"),
        Product(org_id=org.id, sku="S-M", name="Insight Scale (monthly)", category="plan",
                unit_price=Decimal("1199"), currency="USD", billing_period="month"),
    ])  # fmt: skip
    company = Company(org_id=org.id, name="Initech", industry="Manufacturing", employee_count=180)
    db.add(company)
    db.flush()
    contact = Contact(org_id=org.id, first_name="Ada", last_name="Moreau", company_id=company.id,
                      email=f"ada{org.id}@initech.example")  # fmt: skip
    db.add(contact)
    db.flush()
    lead = Lead(org_id=org.id, contact_id=contact.id, company_id=company.id, owner_id=owner.id,
                product_interest="Insight Growth", score=78.0, stage="engaged")  # fmt: skip
    db.add(lead)
    db.flush()
    db.add(Activity(org_id=org.id, contact_id=contact.id, lead_id=lead.id, type="web_visit",
                    url="https://northwind.example/pricing",
                    occurred_at=datetime.now(UTC) - timedelta(days=2)))  # fmt: skip
    build_knowledge(db, org.id)
    db.commit()
    return Vendor(org=org, owner=owner, lead=lead, contact=contact, company=company)


@pytest.fixture
def vendor(db: Session) -> Vendor:
    return build_vendor(db)
