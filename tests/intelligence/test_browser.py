"""The Intelligence page in a real browser against a real server: the HTMX analysis box swaps in the findings with
their quotes highlighted, under the dashboard's Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import LiveServer, requires_chromium, screenshot, sign_in

pytestmark = [pytest.mark.browser, requires_chromium]


def test_the_analysis_box_shows_highlighted_findings(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/intelligence")
    expect(page.locator("h1")).to_have_text("Conversation intelligence")
    page.fill("#intel-text", "Thanks for the demo. Honestly the price is too high for us, our budget is $8,000 and I "
                             "need to check with my CFO. Could we revisit next quarter?")  # fmt: skip
    page.click("form[hx-post='/intelligence/analyze'] button[type=submit]")
    findings = page.locator("#intel-findings")
    expect(findings).to_be_visible(timeout=90_000)  # the server trains its classifiers on the first analysis
    expect(page.locator("#intel-highlighted mark").first).to_be_visible()
    expect(findings).to_contain_text("Objection: Price")
    expect(findings).to_contain_text("8,000 USD")
    assert page.url.endswith("/intelligence"), "the result is swapped in, the page stays"
    screenshot(page, "intelligence")
