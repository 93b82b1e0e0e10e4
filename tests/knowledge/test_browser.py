"""The Knowledge page in a real browser: a document large enough for the background job is uploaded, its row
polls itself until indexing is done, and searching as you type shows highlighted passages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import LiveServer, requires_chromium, screenshot, sign_in

pytestmark = [pytest.mark.browser, requires_chromium]

HANDBOOK = "\n\n".join(
    f"## Topic {n}\n\nThe support handbook section {n} explains how escalation level {n} is handled by the "
    f"on-call team, which reports within {n + 1} hours."
    for n in range(1, 61)
)
HANDBOOK += "\n\n## Refunds\n\nAnnual plans are refunded in full within 30 days of purchase.\n"


def test_upload_index_in_background_and_search(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/knowledge")
    page.select_option("#kb-category", "policy")
    page.set_input_files("#kb-file", files=[{"name": "support-handbook.md", "mimeType": "text/markdown",
                                             "buffer": HANDBOOK.encode()}])  # fmt: skip
    page.click("#upload button[type=submit]")
    page.wait_for_url(f"{live_server.url}/knowledge")
    row = page.locator("#kb-documents tbody tr").first
    expect(row).to_contain_text("support-handbook.md")
    # 61 passages are more than the request indexes itself: the worker does, and the row refreshes until ready.
    expect(page.locator('#kb-documents tr[data-status="ready"]')).to_have_count(1, timeout=120_000)
    expect(row).to_contain_text("61 passages")
    screenshot(page, "20-knowledge")

    page.fill("input[name=q]", "money back on a yearly plan")
    hit = page.locator("#kb-results .kb-hit").first
    expect(hit).to_contain_text("Annual plans are refunded in full within 30 days", timeout=30_000)
    expect(hit.locator("mark").first).to_be_visible()
    assert "support-handbook.md" in hit.inner_text()
    screenshot(page, "21-knowledge-search")
