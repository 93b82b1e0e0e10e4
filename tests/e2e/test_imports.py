"""Importing a CSV through the import page in a real browser: the progress panel polls until the job completes,
then the imported lead's page shows its timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import LiveServer, requires_chromium, screenshot, sign_in

pytestmark = [pytest.mark.browser, requires_chromium]

LEADS_CSV = (
    "First name,Last name,Email,Company,Title,Source,Stage,Budget,Need\n"
    "Joan,Clarke,joan.clarke@bletchley.example,Bletchley Analytics,Route planning,webinar,engaged,30000,"
    "Plan routes for 25 trucks\n"
    "Tommy,Flowers,tommy.flowers@colossus.example,Colossus Works,Fleet tracking,referral,new,,\n"
    "Broken,Row,not-an-email,Nowhere Ltd,Fleet tracking,website,new,,\n"
    "Mavis,Batey,mavis.batey@bletchley.example,Bletchley Analytics,Cold-chain sensors,website,sideways,,\n"
)


def test_csv_import_completes_and_the_lead_has_a_timeline(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "/imports")
    page.select_option("#import-entity", "leads")
    page.set_input_files("#import-file", files=[{"name": "webinar-leads.csv", "mimeType": "text/csv",
                                                "buffer": LEADS_CSV.encode()}])  # fmt: skip
    screenshot(page, "12-imports")
    page.click("#upload button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    # The panel replaces itself every second until the worker has finished the job.
    page.wait_for_selector('#job-panel[data-status="completed"]', timeout=60_000)
    assert page.inner_text("#count-created").strip() == "2"
    assert page.inner_text("#count-errors").strip() == "2"
    errors = page.inner_text("#row-errors")
    assert "not-an-email" in errors
    assert "sideways" in errors
    assert page.get_attribute('#job-panel [role="progressbar"]', "aria-valuenow") == "100.0"
    screenshot(page, "13-import-job")

    page.click("text=View leads")
    page.fill("input[name=q]", "clarke")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.locator("#results tbody tr").first.click()
    page.wait_for_url(re.compile(r"/leads/\d+$"))
    assert "Joan Clarke" in page.inner_text("h1")
    assert "Engaged" in page.inner_text(".profile .meta")
    assert "Plan routes for 25 trucks" in page.inner_text("#bant")
    timeline = page.inner_text("#timeline")
    assert "Lead created" in timeline or "Lead moved" in timeline
