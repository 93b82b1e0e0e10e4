"""Every dashboard page renders for a signed-in user, shows only the user's org, and answers errors as HTML."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from leadpilot.auth.roles import Role
from tests.fixtures.factories import make_user
from tests.web.conftest import make_crm_data, sign_in


def test_overview_shows_counts_and_the_chart(browser: TestClient, org_a, crm_a) -> None:
    sign_in(browser, org_a[1])
    page = browser.get("/")
    assert page.status_code == 200
    assert re.search(r'id="stat-contacts">\s*1\s*<', page.text)
    assert re.search(r'id="stat-deals">\s*1\s*<', page.text)
    assert "leads-chart" in page.text
    assert "vendor/chart.umd.min.js" in page.text
    assert "$12,500" in page.text  # the open proposal
    assert "Ada Lovelace" in page.text


def test_overview_of_an_empty_org_shows_empty_states(browser: TestClient, org_a) -> None:
    sign_in(browser, org_a[1])
    page = browser.get("/")
    assert page.status_code == 200
    assert "No leads yet" in page.text
    assert "No open deals" in page.text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/contacts", "Ada Lovelace"),
        ("/companies", "Northwind Traders"),
        ("/leads", "Ada Lovelace"),
        ("/deals", "Northwind fleet rollout"),
    ],
)
def test_list_pages_render(browser: TestClient, org_a, crm_a, path: str, expected: str) -> None:
    sign_in(browser, org_a[1])
    page = browser.get(path)
    assert page.status_code == 200
    assert expected in page.text
    assert 'id="results"' in page.text
    assert "<aside" in page.text


def test_htmx_search_swaps_only_the_table(browser: TestClient, org_a, crm_a) -> None:
    sign_in(browser, org_a[1])
    hx = {"HX-Request": "true", "HX-Target": "results"}
    found = browser.get("/contacts", params={"q": "lovelace"}, headers=hx)
    assert found.status_code == 200
    assert "Ada Lovelace" in found.text
    assert "<aside" not in found.text
    assert "<table" in found.text
    missing = browser.get("/contacts", params={"q": "nobody-by-this-name"}, headers=hx)
    assert "No contacts match" in missing.text


def test_filters_sorting_and_bad_values(browser: TestClient, org_a, crm_a) -> None:
    sign_in(browser, org_a[1])
    assert "Ada Lovelace" in browser.get("/leads", params={"stage": "new"}).text
    assert "No leads match" in browser.get("/leads", params={"stage": "converted"}).text
    assert "Northwind" in browser.get("/deals", params={"status": "open", "sort": "amount", "order": "asc"}).text
    # Unknown values fall back to the defaults instead of failing.
    assert (
        browser.get("/leads", params={"stage": "nonsense", "sort": "password", "order": "sideways"}).status_code == 200
    )


def test_cursor_pagination_has_a_next_link(browser: TestClient, db, org_a) -> None:
    from leadpilot.crm.contacts.schemas import ContactCreate
    from leadpilot.crm.contacts.service import ContactService
    from tests.fixtures.factories import principal_for

    service = ContactService(db, principal_for(org_a[1]))
    for n in range(30):
        service.create(ContactCreate(first_name=f"Person{n:02d}", email=f"p{n}@example.com"))
    db.commit()
    sign_in(browser, org_a[1])
    first = browser.get("/contacts")
    assert 'rel="next"' in first.text
    next_url = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = browser.get(next_url)
    assert second.status_code == 200
    assert "Back to first page" in second.text
    assert 'rel="next"' not in second.text


def test_detail_pages_render(browser: TestClient, org_a, crm_a) -> None:
    sign_in(browser, org_a[1])
    lead = browser.get(f"/leads/{crm_a.lead.id}")
    assert lead.status_code == 200
    for text in ("Ada Lovelace", "Northwind Traders", "Track 40 vans", "Asked for a demo next week", "Change stage"):
        assert text in lead.text
    assert 'data-kind="stage_change"' in lead.text
    assert 'data-kind="note"' in lead.text
    contact = browser.get(f"/contacts/{crm_a.contact.id}")
    assert contact.status_code == 200
    assert "ada@northwind.example" in contact.text
    assert "Fleet tracking" in contact.text
    company = browser.get(f"/companies/{crm_a.company.id}")
    assert company.status_code == 200
    assert "Ada Lovelace" in company.text
    deal = browser.get(f"/deals/{crm_a.deal.id}")
    assert deal.status_code == 200
    assert "$12,500" in deal.text


def test_another_orgs_records_are_404_pages(browser: TestClient, db, org_a, org_b) -> None:
    theirs = make_crm_data(db, org_b[1])
    sign_in(browser, org_a[1])
    for path in (f"/leads/{theirs.lead.id}", f"/contacts/{theirs.contact.id}", f"/companies/{theirs.company.id}",
                 f"/deals/{theirs.deal.id}", "/leads/999999"):  # fmt: skip
        page = browser.get(path)
        assert page.status_code == 404, path
        assert "text/html" in page.headers["content-type"]
        assert "NotFound" in page.text
        assert "Ada Lovelace" not in page.text
    assert "LeadNotFound" in browser.get(f"/leads/{theirs.lead.id}").text
    # Lists show only the viewer's org.
    assert "Ada Lovelace" not in browser.get("/leads").text
    assert "Northwind" not in browser.get("/deals").text


def test_changing_another_orgs_lead_changes_nothing(browser: TestClient, db, org_a, org_b) -> None:
    theirs = make_crm_data(db, org_b[1])
    csrf = sign_in(browser, org_a[1])
    response = browser.post(f"/leads/{theirs.lead.id}/stage", data={"stage": "qualified", "csrf_token": csrf})
    assert response.status_code == 303
    db.expire_all()
    from leadpilot.crm.leads.service import LeadService
    from tests.fixtures.factories import principal_for

    assert LeadService(db, principal_for(org_b[1])).get(theirs.lead.id).stage == "new"


def test_lead_stage_bant_and_note_forms(browser: TestClient, org_a, crm_a) -> None:
    csrf = sign_in(browser, org_a[1])
    url = f"/leads/{crm_a.lead.id}"
    moved = browser.post(f"{url}/stage", data={"stage": "qualified", "csrf_token": csrf})
    assert moved.status_code == 303
    page = browser.get(url)
    assert "Stage set to qualified" in page.text
    assert "New</span> →" in page.text or "→" in page.text
    saved = browser.post(
        f"{url}/bant",
        data={"csrf_token": csrf, "budget_amount": "25,000", "budget_currency": "EUR", "authority": "CFO signs",
              "need": "Fewer late deliveries", "timeline": "2031-03-01"},
    )  # fmt: skip
    assert saved.status_code == 303
    page = browser.get(url)
    assert "€25,000" in page.text
    assert "CFO signs" in page.text
    bad = browser.post(f"{url}/bant", data={"csrf_token": csrf, "budget_amount": "lots"})
    assert bad.status_code == 303
    assert "Could not save BANT" in browser.get(url).text
    browser.post(f"{url}/notes", data={"csrf_token": csrf, "body": "Sent the proposal"})
    assert "Sent the proposal" in browser.get(url).text


def test_viewer_sees_pages_but_no_forms_and_cannot_post(browser: TestClient, db, org_a, crm_a) -> None:
    viewer = make_user(db, org_a[0], role=Role.viewer)
    db.commit()
    csrf = sign_in(browser, viewer)
    page = browser.get(f"/leads/{crm_a.lead.id}")
    assert page.status_code == 200
    assert "Change stage" not in page.text
    assert "/settings/users" not in page.text
    refused = browser.post(f"/leads/{crm_a.lead.id}/stage", data={"stage": "qualified", "csrf_token": csrf})
    assert refused.status_code == 403
    assert "PermissionDenied" in refused.text


def test_static_assets_are_served(browser: TestClient) -> None:
    for path in ("/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js", "/static/vendor/chart.umd.min.js"):
        assert browser.get(path).status_code == 200, path


def test_unknown_page_is_an_html_404(browser: TestClient, org_a) -> None:
    sign_in(browser, org_a[1])
    page = browser.get("/no-such-page")
    assert page.status_code == 404
    assert "<html" in page.text
    assert "NotFound" in page.text
    # The API keeps answering JSON.
    api = browser.get("/api/v1/no-such-thing")
    assert api.headers["content-type"].startswith("application/json")


def test_htmx_errors_go_to_the_toast_area(browser: TestClient, org_a) -> None:
    sign_in(browser, org_a[1])
    response = browser.get("/leads/424242", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "LeadNotFound" in response.text
    assert "<html" not in response.text
