"""Fixtures of the dashboard tests: a browser-like client (asks for HTML, does not follow redirects), signing in
with the session cookie, and a small CRM data set made through the services."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.auth.dependencies import SESSION_COOKIE
from leadpilot.auth.security import create_access_token, csrf_token_for
from leadpilot.crm.companies.schemas import CompanyCreate
from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.contacts.schemas import ContactCreate
from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.deals.schemas import DealCreate
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.leads.schemas import LeadCreate
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.orgs.models import User
from tests.fixtures.factories import principal_for

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def browser(app, connection) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, headers=HTML, follow_redirects=False) as test_client:
        yield test_client


def sign_in(client: TestClient, user: User) -> str:
    """Put a session cookie for ``user`` in ``client``; return the CSRF token that goes with it."""
    token = create_access_token(user_id=user.id, org_id=user.org_id)
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token_for(token)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


@dataclass
class CrmData:
    company: Any
    contact: Any
    lead: Any
    deal: Any


def make_crm_data(db: Session, user: User) -> CrmData:
    principal = principal_for(user)
    company = CompanyService(db, principal).create(CompanyCreate(name="Northwind Traders", domain="northwind.example"))
    contact = ContactService(db, principal).create(
        ContactCreate(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@northwind.example",
            company_id=company.id,
            title="Head of Operations",
        )
    )
    lead = LeadService(db, principal).create(
        LeadCreate(contact_id=contact.id, title="Fleet tracking", source="website", need="Track 40 vans")
    )
    deal = DealService(db, principal).create(
        DealCreate(name="Northwind fleet rollout", lead_id=lead.id, amount="12500", stage="proposal")  # type: ignore[arg-type]
    )
    NoteService(db, principal).create(NoteCreate(lead_id=lead.id, body="Asked for a demo next week"))
    db.commit()
    return CrmData(company=company, contact=contact, lead=lead, deal=deal)


@pytest.fixture
def crm_a(db: Session, org_a) -> CrmData:  # type: ignore[no-untyped-def]
    return make_crm_data(db, org_a[1])
