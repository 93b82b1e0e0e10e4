"""The import pages: upload through the form, the job page with its progress panel, counts and row errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from leadpilot.auth.roles import Role
from tests.fixtures.factories import make_user
from tests.web.conftest import sign_in

CONTACTS = "First Name,Last Name,E-mail,Phone Number\nJane,Doe,jane@example.com,4155550132\nBad,Row,nope,\n"


def _upload(browser: TestClient, csrf: str, content: str, *, filename: str = "contacts.csv", **form: str):  # type: ignore[no-untyped-def]
    files = {"file": (filename, content.encode(), "text/csv")}
    return browser.post("/imports", files=files, data={"csrf_token": csrf, "entity": "contacts", **form})


def test_upload_redirects_to_the_job_page_with_counts_and_errors(browser: TestClient, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    page = browser.get("/imports")
    assert page.status_code == 200
    assert "No imports yet" in page.text
    response = _upload(browser, csrf, CONTACTS)
    assert response.status_code == 303
    job_url = response.headers["location"]
    assert re.fullmatch(r"/imports/\d+", job_url)
    job = browser.get(job_url)
    assert job.status_code == 200
    # The test queue runs jobs at once, so the job is done and the panel no longer polls.
    assert 'data-status="completed"' in job.text
    assert "hx-trigger" not in job.text.split('id="job-panel"')[1].split(">")[0]
    assert re.search(r'id="count-created">\s*1\s*<', job.text)
    assert re.search(r'id="count-errors">\s*1\s*<', job.text)
    assert "Rows with errors" in job.text
    assert "<code>E-mail</code>" in job.text
    assert "nope" in job.text
    assert "First Name" in job.text  # the mapping card
    panel = browser.get(f"{job_url}/progress", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert 'id="job-panel"' in panel.text
    assert "<aside" not in panel.text
    listing = browser.get("/imports")
    assert "contacts.csv" in listing.text
    assert "jane@example.com" in browser.get("/contacts").text


def test_a_running_job_panel_polls_every_second(browser: TestClient, db, org_a) -> None:
    from leadpilot.imports.service import ImportService
    from tests.fixtures.factories import principal_for

    job = ImportService(db, principal_for(org_a[1])).create_job(
        entity="contacts", file_format="csv", filename="later.csv", content=CONTACTS.encode(), enqueue=False
    )
    db.commit()
    sign_in(browser, org_a[1])
    page = browser.get(f"/imports/{job.id}")
    assert 'data-status="queued"' in page.text
    assert f'hx-get="/imports/{job.id}/progress" hx-trigger="every 1s"' in page.text
    assert "Waiting to start" in page.text


def test_bad_uploads_are_explained(browser: TestClient, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    empty = _upload(browser, csrf, "")
    assert empty.status_code == 303
    assert empty.headers["location"] == "/imports"
    assert "The file is empty" in browser.get("/imports").text
    _upload(browser, csrf, CONTACTS, mapping="{not json")
    assert "mapping is not valid JSON" in browser.get("/imports").text
    _upload(browser, csrf, CONTACTS, entity="spaceships")
    assert "Unknown entity" in browser.get("/imports").text


def test_imports_need_csrf_and_the_import_permission(browser: TestClient, db, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    refused = browser.post(
        "/imports", files={"file": ("c.csv", CONTACTS.encode(), "text/csv")}, data={"entity": "contacts"}
    )
    assert refused.status_code == 403
    agent = make_user(db, org_a[0], role=Role.agent)
    db.commit()
    browser.cookies.clear()
    csrf = sign_in(browser, agent)
    assert browser.get("/imports").status_code == 403
    assert _upload(browser, csrf, CONTACTS).status_code == 403
    assert 'href="/imports"' not in browser.get("/").text


def test_another_orgs_import_is_a_404(browser: TestClient, org_a, org_b) -> None:
    their_csrf = sign_in(browser, org_b[1])
    theirs = _upload(browser, their_csrf, CONTACTS).headers["location"]
    browser.cookies.clear()
    sign_in(browser, org_a[1])
    for path in (theirs, f"{theirs}/progress"):
        page = browser.get(path)
        assert page.status_code == 404
        assert "ImportNotFound" in page.text
