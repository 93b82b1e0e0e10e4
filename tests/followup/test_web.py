"""The "Draft follow-up" panel of the lead page: message, strategy, confidence, claim check and sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape as html_escape
from sqlalchemy.orm import Session

from leadpilot.auth.dependencies import CSRF_HEADER
from leadpilot.auth.roles import Role
from leadpilot.crm.models import Note
from leadpilot.followup.playbook import UNANSWERED_QUESTION
from leadpilot.llm import ScriptedChat, override_chat_model
from tests.fixtures.factories import make_user
from tests.followup.conftest import Vendor
from tests.web.conftest import HTML, sign_in

BOASTFUL = "Hi Ada, we are the #1 analytics platform for finance teams, guaranteed to pay for itself. Can we talk?"


@pytest.fixture
def browser(app, connection) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, headers=HTML, follow_redirects=False) as test_client, override_chat_model(None):
        yield test_client


def test_the_lead_page_offers_a_follow_up_draft_to_editors_only(
    browser: TestClient, db: Session, vendor: Vendor
) -> None:
    sign_in(browser, vendor.owner)
    page = browser.get(f"/leads/{vendor.lead.id}")
    assert page.status_code == 200
    assert f'hx-post="/leads/{vendor.lead.id}/followup"' in page.text
    viewer = make_user(db, vendor.org, role=Role.viewer)
    db.commit()
    sign_in(browser, viewer)
    assert "Draft follow-up" not in browser.get(f"/leads/{vendor.lead.id}").text


def test_the_panel_shows_the_message_its_sources_and_the_claim_check(browser: TestClient, vendor: Vendor) -> None:
    csrf = sign_in(browser, vendor.owner)
    response = browser.post(f"/leads/{vendor.lead.id}/followup", data={"mode": ""},
                            headers={CSRF_HEADER: csrf, "HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200, response.text
    html = response.text
    assert 'id="followup-message"' in html
    assert "Hi Ada," in html
    assert "claims verified" in html
    assert "High intent" in html
    assert 'id="followup-claims"' in html
    assert "unsupported</span>" not in html
    assert "Pricing 2026" in html
    assert 'id="followup-sources"' in html


def test_the_panel_explains_why_it_could_not_draft(browser: TestClient, vendor: Vendor) -> None:
    csrf = sign_in(browser, vendor.owner)
    response = browser.post(f"/leads/{vendor.lead.id}/followup", data={"mode": "generative"},
                            headers={CSRF_HEADER: csrf, "HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200
    assert "Could not draft a follow-up" in response.text
    assert "LEADPILOT_LLM_PROVIDER" in response.text
    with override_chat_model(ScriptedChat(default=BOASTFUL)):
        response = browser.post(f"/leads/{vendor.lead.id}/followup", data={"mode": "generative"},
                                headers={CSRF_HEADER: csrf, "HX-Request": "true"})  # fmt: skip
    assert "strict fallback" in response.text
    assert "#1" in response.text
    assert "guaranteed." not in response.text.split('id="followup-message"')[1].split("</pre>")[0]


def test_the_panel_says_when_the_leads_question_is_left_for_the_team(
    browser: TestClient, db: Session, vendor: Vendor
) -> None:
    db.add(Note(org_id=vendor.org.id, lead_id=vendor.lead.id, contact_id=vendor.contact.id,
                body="Ada asked: do you have a native iPhone app for offline viewing?"))  # fmt: skip
    db.commit()
    csrf = sign_in(browser, vendor.owner)
    response = browser.post(f"/leads/{vendor.lead.id}/followup", data={"mode": ""},
                            headers={CSRF_HEADER: csrf, "HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200, response.text
    html = response.text
    assert 'id="followup-question"' in html
    assert "do you have a native iPhone app for offline viewing?" in html
    assert "left for the team" in html
    assert str(html_escape(UNANSWERED_QUESTION)) in html
