"""Settings pages: only admins may manage users, API keys and the follow-up mode; the new key is shown once."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from leadpilot.auth.roles import Role
from leadpilot.orgs.models import ApiKey, User
from tests.fixtures.factories import PASSWORD, make_user
from tests.web.conftest import sign_in


@pytest.mark.parametrize("role", [Role.viewer, Role.agent, Role.manager])
@pytest.mark.parametrize("path", ["/settings/users", "/settings/api-keys", "/settings/followups"])
def test_non_admins_get_a_403_page(browser: TestClient, db, org_a, role: Role, path: str) -> None:
    user = make_user(db, org_a[0], role=role)
    db.commit()
    sign_in(browser, user)
    page = browser.get(path)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "PermissionDenied" in page.text
    assert "Settings" not in browser.get("/").text


def test_admin_adds_a_user_who_can_then_sign_in(browser: TestClient, db, org_a) -> None:
    admin = make_user(db, org_a[0], role=Role.admin)
    db.commit()
    csrf = sign_in(browser, admin)
    assert browser.get("/settings/users").status_code == 200
    response = browser.post(
        "/settings/users",
        data={"csrf_token": csrf, "name": "Grace Hopper", "email": "grace@example.com", "password": PASSWORD,
              "role": "manager"},
    )  # fmt: skip
    assert response.status_code == 303
    page = browser.get("/settings/users")
    assert "Grace Hopper can now sign in as manager" in page.text
    assert "grace@example.com" in page.text
    grace = db.query(User).filter_by(email="grace@example.com").one()
    assert grace.org_id == org_a[0].id
    assert grace.role == "manager"


def test_admin_cannot_grant_owner_and_sees_why(browser: TestClient, db, org_a) -> None:
    admin = make_user(db, org_a[0], role=Role.admin)
    db.commit()
    csrf = sign_in(browser, admin)
    browser.post("/settings/users", data={"csrf_token": csrf, "name": "X", "email": "x@example.com",
                                          "password": PASSWORD, "role": "owner"})  # fmt: skip
    page = browser.get("/settings/users")
    assert "Could not add the user" in page.text
    assert db.query(User).filter_by(email="x@example.com").first() is None
    browser.post("/settings/users", data={"csrf_token": csrf, "name": "Y", "email": "y@example.com",
                                          "password": "short", "role": "agent"})  # fmt: skip
    assert "password" in browser.get("/settings/users").text.lower()


def test_change_role_deactivate_and_reactivate(browser: TestClient, db, org_a) -> None:
    _, owner = org_a
    agent = make_user(db, org_a[0], role=Role.agent)
    db.commit()
    csrf = sign_in(browser, owner)
    assert (
        browser.post(f"/settings/users/{agent.id}/role", data={"csrf_token": csrf, "role": "manager"}).status_code
        == 303
    )
    db.refresh(agent)
    assert agent.role == "manager"
    browser.post(f"/settings/users/{agent.id}/deactivate", data={"csrf_token": csrf})
    db.refresh(agent)
    assert agent.is_active is False
    assert "can no longer sign in" in browser.get("/settings/users").text
    browser.post(f"/settings/users/{agent.id}/activate", data={"csrf_token": csrf})
    db.refresh(agent)
    assert agent.is_active is True
    # Nobody demotes or locks out themselves from this page.
    browser.post(f"/settings/users/{owner.id}/deactivate", data={"csrf_token": csrf})
    db.refresh(owner)
    assert owner.is_active is True


def test_users_of_another_org_cannot_be_changed(browser: TestClient, db, org_a, org_b) -> None:
    csrf = sign_in(browser, org_a[1])
    _, their_owner = org_b
    browser.post(f"/settings/users/{their_owner.id}/deactivate", data={"csrf_token": csrf})
    assert "Could not change the user" in browser.get("/settings/users").text
    db.refresh(their_owner)
    assert their_owner.is_active is True
    assert their_owner.email not in browser.get("/settings/users").text


def test_api_key_is_shown_once_and_can_be_revoked(browser: TestClient, db, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    created = browser.post("/settings/api-keys", data={"csrf_token": csrf, "name": "Website forms", "role": "agent"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    key = re.search(r'id="api-key-value">(lp_[^<]+)<', created.text)
    assert key, created.text
    listed = browser.get("/settings/api-keys")
    assert key.group(1) not in listed.text
    assert "Website forms" in listed.text
    # The key works against the API until it is revoked.
    api = browser.get("/api/v1/contacts", headers={"X-API-Key": key.group(1), "Accept": "application/json"})
    assert api.status_code == 200
    row = db.query(ApiKey).filter_by(name="Website forms").one()
    assert browser.post(f"/settings/api-keys/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 303
    assert "is revoked" in browser.get("/settings/api-keys").text
    api = browser.get("/api/v1/contacts", headers={"X-API-Key": key.group(1), "Accept": "application/json"})
    assert api.status_code == 401


def test_api_key_form_errors_are_shown(browser: TestClient, org_a) -> None:
    csrf = sign_in(browser, org_a[1])
    browser.post("/settings/api-keys", data={"csrf_token": csrf, "name": "Old", "expires_on": "2001-01-01"})
    assert "Could not create the key" in browser.get("/settings/api-keys").text
    browser.post("/settings/api-keys", data={"csrf_token": csrf, "name": "Bad date", "expires_on": "soon"})
    assert "2030-12-31" in browser.get("/settings/api-keys").text


def test_settings_posts_need_csrf(browser: TestClient, org_a) -> None:
    sign_in(browser, org_a[1])
    response = browser.post("/settings/api-keys", data={"name": "No token"})
    assert response.status_code == 403
    assert "No token" not in browser.get("/settings/api-keys").text


def test_admin_sets_the_follow_up_mode_and_sees_what_applies(browser: TestClient, db, org_a) -> None:
    admin = make_user(db, org_a[0], role=Role.admin)
    db.commit()
    csrf = sign_in(browser, admin)
    page = browser.get("/settings/followups")
    assert page.status_code == 200
    assert "now: strict" in page.text
    response = browser.post("/settings/followups", data={"csrf_token": csrf, "mode": "generative"})
    assert response.status_code == 303
    page = browser.get("/settings/followups")
    assert "Follow-ups: generative mode. No chat model is configured" in page.text
    db.refresh(org_a[0])
    assert org_a[0].settings["followup_mode"] == "generative"
    browser.post("/settings/followups", data={"csrf_token": csrf, "mode": "telepathic"})
    assert "Unknown mode" in browser.get("/settings/followups").text
    db.refresh(org_a[0])
    assert org_a[0].settings["followup_mode"] == "generative"
    browser.post("/settings/followups", data={"csrf_token": csrf, "mode": ""})
    db.refresh(org_a[0])
    assert "followup_mode" not in org_a[0].settings
