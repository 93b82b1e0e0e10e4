"""The dashboard in a real browser against a real server: sign-in, overview chart, live search, the lead page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.seed import seed_crm
from tests.fixtures.browser import LiveServer, requires_chromium, screenshot, sign_in

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> dict[str, int]:
    return seed_crm(live_server.url, live_server.email, live_server.password)


def test_sign_in_lands_on_the_overview_with_a_chart(page, live_server: LiveServer, seeded) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/leads")
    assert "/login?next=/leads" in page.url
    screenshot(page, "01-login")
    page.fill("input[name=email]", live_server.email)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "Wrong email or password" in page.inner_text("#login-error")
    sign_in(page, live_server, "/")
    assert page.inner_text("#stat-contacts").strip() == "12"
    # Chart.js drew into the canvas.
    expect(page.locator("canvas[data-chart]")).to_have_attribute("data-drawn", "1")
    page.wait_for_timeout(400)
    screenshot(page, "02-overview")


def test_live_search_swaps_the_table_and_keeps_the_url(page, live_server: LiveServer, seeded) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/contacts")
    assert page.locator("#results tbody tr").count() == 12
    screenshot(page, "03-contacts")
    page.fill("input[name=q]", "lovelace")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "Ada Lovelace" in page.inner_text("#results")
    assert "q=lovelace" in page.url
    # The layout was not re-rendered, only the table.
    assert page.locator("aside.sidebar").count() == 1
    page.select_option("select[name=lifecycle_stage]", "customer")
    page.wait_for_url(re.compile(r"/contacts\?q=lovelace&lifecycle_stage=customer$"))
    page.fill("input[name=q]", "")
    expect(page.locator("#results tbody tr")).to_have_count(3)

    page.goto(f"{live_server.url}/leads")
    screenshot(page, "04-leads")
    page.select_option("select[name=stage]", "qualified")
    page.wait_for_url(re.compile(r"stage=qualified"))
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "Nikola Tesla" in page.inner_text("#results")
    page.goto(f"{live_server.url}/deals")
    screenshot(page, "05-deals")
    page.goto(f"{live_server.url}/companies")
    screenshot(page, "06-companies")


def test_lead_page_shows_the_timeline_and_takes_notes(page, live_server: LiveServer, seeded) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/leads")
    page.locator("#results tbody tr", has_text="Marie Curie").click()
    page.wait_for_url(re.compile(rf"/leads/{seeded['lead_id']}$"))
    timeline = page.locator("#timeline")
    kinds = {item.get_attribute("data-kind") for item in timeline.locator("li").all()}
    assert {"stage_change", "note", "message", "activity"} <= kinds
    assert "Boston depot" in timeline.inner_text()
    screenshot(page, "07-lead")
    page.fill("#note-body", "Pilot agreed for the Boston depot")
    page.click("#notes button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "Pilot agreed for the Boston depot" in page.inner_text("#timeline")
    page.select_option("#stage-select", "converted")
    page.click("#stage button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "Converted" in page.inner_text(".profile .meta")
    page.goto(f"{live_server.url}/contacts")
    page.locator("#results tbody tr", has_text="Marie Curie").click()
    page.wait_for_selector("h1:has-text('Marie Curie')")
    screenshot(page, "08-contact")


def test_settings_pages(page, live_server: LiveServer, seeded) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/settings/users")
    screenshot(page, "09-users")
    page.goto(f"{live_server.url}/settings/api-keys")
    page.fill("#key-name", "Website forms")
    page.click("form[action='/settings/api-keys'] button[type=submit]")
    key = page.inner_text("#api-key-value")
    assert key.startswith("lp_")
    screenshot(page, "10-api-keys")
    page.goto(f"{live_server.url}/leads/999999")
    assert "LeadNotFound" in page.inner_text("body")
    screenshot(page, "11-not-found")


def test_small_screens_get_a_menu_button(chromium, live_server: LiveServer, seeded) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, live_server, "/leads")
        sidebar = page.locator("aside.sidebar")
        expect(sidebar).not_to_be_in_viewport()
        screenshot(page, "14-mobile-leads")
        page.click("[data-toggle-nav]")
        expect(sidebar).to_be_in_viewport()
        screenshot(page, "15-mobile-nav")
        # The table scrolls inside its card instead of widening the page.
        assert page.locator("main.content").bounding_box()["width"] <= 390
    finally:
        context.close()
