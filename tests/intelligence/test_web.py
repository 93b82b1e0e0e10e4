"""The Intelligence dashboard page: the analysis box with highlighted quotes, examples added and deleted by a
manager (not by a viewer), the quality table, and annotation chips on a lead's timeline."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.crm.conversations.schemas import ConversationCreate, MessageCreate
from leadpilot.crm.conversations.service import ConversationService
from leadpilot.intelligence import tasks
from leadpilot.intelligence.classifier import IntelligenceModel
from leadpilot.intelligence.models import IntelligenceExample
from leadpilot.intelligence.service import IntelligenceService
from tests.fixtures.factories import make_user, principal_for
from tests.web.conftest import make_crm_data, sign_in


@pytest.fixture(autouse=True)
def _shipped(model: IntelligenceModel) -> None:
    """Train the shipped classifiers once per session, outside the requests."""


def test_the_analysis_box_highlights_quotes(browser: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    csrf = sign_in(browser, org_a[1])
    page = browser.get("/intelligence")
    assert page.status_code == 200
    assert "Analyze a message" in page.text
    text = "Thanks for the call. The price is far too high for us & our budget is only $5,000 this year."
    result = browser.post(
        "/intelligence/analyze", data={"text": text, "csrf_token": csrf}, headers={"HX-Request": "true"}
    )
    assert result.status_code == 200, result.text
    html = result.text
    assert 'id="intel-result"' in html
    assert re.search(r'<mark [^>]*title="objection: price">The price is far too high for us &amp; our budget', html)
    assert "5,000 USD" in html
    empty = browser.post("/intelligence/analyze", data={"text": "  ", "csrf_token": csrf})
    assert empty.status_code == 200
    assert "text is empty" in empty.text


def test_a_manager_adds_and_deletes_examples_a_viewer_cannot(browser: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    manager = make_user(db, org_a[0], role=Role.manager)
    csrf = sign_in(browser, manager)
    added = browser.post("/intelligence/examples", data={"task": "objection", "label": "contract",
                                                         "text": "We never sign auto-renewals.", "csrf_token": csrf},
                         follow_redirects=True)  # fmt: skip
    assert added.status_code == 200
    assert "Example added" in added.text
    example = db.scalar(select(IntelligenceExample).where(IntelligenceExample.org_id == org_a[0].id))
    assert example is not None
    assert example.label == "contract"
    assert "We never sign auto-renewals." in browser.get("/intelligence").text
    bad = browser.post("/intelligence/examples", data={"task": "objection", "label": "grumpy", "text": "Meh",
                                                       "csrf_token": csrf}, follow_redirects=True)  # fmt: skip
    assert "Could not add the example" in bad.text

    viewer = make_user(db, org_a[0], role=Role.viewer)
    viewer_csrf = sign_in(browser, viewer)
    assert "Teach an example" not in browser.get("/intelligence").text
    example_id = example.id
    refused = browser.post(f"/intelligence/examples/{example_id}/delete", data={"csrf_token": viewer_csrf})
    assert refused.status_code == 403
    csrf = sign_in(browser, manager)
    deleted = browser.post(f"/intelligence/examples/{example_id}/delete", data={"csrf_token": csrf},
                           follow_redirects=True)  # fmt: skip
    assert "Example deleted" in deleted.text
    db.expire_all()
    assert db.scalar(select(IntelligenceExample.id).where(IntelligenceExample.id == example_id)) is None


def test_the_quality_table_shows_the_latest_measurement(browser: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    sign_in(browser, org_a[1])
    assert "Not measured yet" in browser.get("/intelligence").text
    IntelligenceService(db, principal_for(org_a[1])).retrain()
    db.commit()
    page = browser.get("/intelligence").text
    assert 'id="intel-quality"' in page
    assert "Buying signal" in page


def test_the_lead_timeline_shows_message_annotations(browser: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    data = make_crm_data(db, org_a[1])
    service = ConversationService(db, principal_for(org_a[1]))
    conversation = service.create(ConversationCreate(lead_id=data.lead.id, channel="email"))
    message = service.add_message(conversation.id, MessageCreate(direction="inbound", text="Please unsubscribe me."))
    db.commit()
    sign_in(browser, org_a[1])
    assert "message-annotations" not in browser.get(f"/leads/{data.lead.id}").text
    assert tasks.annotate_now(org_a[0].id, message.id)
    page = browser.get(f"/leads/{data.lead.id}")
    assert page.status_code == 200
    assert "message-annotations" in page.text
    assert "Unsubscribe" in page.text
