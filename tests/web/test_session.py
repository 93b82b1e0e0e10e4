"""Signing in and out of the dashboard, redirects for anonymous visitors, and the CSRF rule for forms."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from leadpilot.auth.dependencies import SESSION_COOKIE
from leadpilot.config import get_settings
from tests.fixtures.factories import PASSWORD
from tests.web.conftest import hidden_value, sign_in


def _login(browser: TestClient, email: str, password: str, next_url: str = "/") -> object:
    page = browser.get("/login", params={"next": next_url})
    assert page.status_code == 200
    return browser.post(
        "/login",
        data={"email": email, "password": password, "next": hidden_value(page.text, "next"),
              "login_token": hidden_value(page.text, "login_token")},
    )  # fmt: skip


def test_anonymous_pages_redirect_to_login_with_next(browser: TestClient) -> None:
    for path in ("/", "/contacts?q=ada", "/leads/1", "/settings/users"):
        response = browser.get(path)
        assert response.status_code == 303, path
        expected = "/login" if path == "/" else f"/login?next={quote(path, safe='/')}"
        assert response.headers["location"] == expected


def test_htmx_request_without_session_is_told_to_redirect(browser: TestClient) -> None:
    response = browser.get(
        "/contacts",
        headers={"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/contacts?q=x"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=/contacts%3Fq%3Dx"


def test_a_form_posted_after_the_session_ended_comes_back_to_its_page(browser: TestClient) -> None:
    response = browser.post("/leads/7/notes", data={"body": "x"}, headers={"Referer": "http://testserver/leads/7"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/leads/7"
    elsewhere = browser.post("/leads/7/notes", data={"body": "x"}, headers={"Referer": "https://evil.example/x"})
    assert elsewhere.headers["location"] == "/login"


def test_login_sets_a_safe_cookie_and_goes_to_next(browser: TestClient, org_a) -> None:
    _, owner = org_a
    response = _login(browser, owner.email, PASSWORD, next_url="/contacts")
    assert response.status_code == 303
    assert response.headers["location"] == "/contacts"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert ("Secure" in cookie) == get_settings().secure_cookies
    page = browser.get("/contacts")
    assert page.status_code == 200
    assert owner.name in page.text
    # Signed in, the login page sends the visitor on.
    assert browser.get("/login").status_code == 303


def test_login_refuses_other_sites_as_next(browser: TestClient, org_a) -> None:
    _, owner = org_a
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        browser.cookies.clear()
        response = _login(browser, owner.email, PASSWORD, next_url=target)
        assert response.headers["location"] == "/", target


def test_wrong_password_shows_the_error_on_the_form(browser: TestClient, org_a) -> None:
    _, owner = org_a
    response = _login(browser, owner.email, "not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_login_rate_limit_is_shown(browser: TestClient, org_a) -> None:
    _, owner = org_a
    statuses = [_login(browser, owner.email, "wrong").status_code for _ in range(get_settings().login_rate_limit)]
    assert set(statuses) == {401}
    limited = _login(browser, owner.email, PASSWORD)
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.text


def test_login_form_needs_its_own_token(browser: TestClient, org_a) -> None:
    _, owner = org_a
    response = browser.post("/login", data={"email": owner.email, "password": PASSWORD, "login_token": "forged"})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_logout_needs_csrf_and_clears_the_cookie(browser: TestClient, org_a) -> None:
    _, owner = org_a
    csrf = sign_in(browser, owner)
    refused = browser.post("/logout")
    assert refused.status_code == 403
    assert "PermissionDenied" in refused.text
    assert "CSRF" in refused.text
    assert browser.post("/logout", data={"csrf_token": "0" * 32}).status_code == 403
    done = browser.post("/logout", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert f'{SESSION_COOKIE}=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    browser.cookies.delete(SESSION_COOKIE)
    follow = browser.get("/login")
    assert "You have been signed out" in follow.text


def test_csrf_header_is_accepted_too(browser: TestClient, org_a, crm_a) -> None:
    _, owner = org_a
    csrf = sign_in(browser, owner)
    url = f"/leads/{crm_a.lead.id}/notes"
    assert browser.post(url, data={"body": "no token"}).status_code == 403
    response = browser.post(url, data={"body": "with the header"}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 303
    assert "with the header" in browser.get(f"/leads/{crm_a.lead.id}").text


def test_inactive_user_session_is_sent_to_login(browser: TestClient, db, org_a) -> None:
    _, owner = org_a
    sign_in(browser, owner)
    owner.is_active = False
    db.commit()
    assert browser.get("/").status_code == 303
