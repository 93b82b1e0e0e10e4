"""Sign in and sign out.

The session is the ``lp_session`` cookie (httponly, SameSite=Lax, secure when configured) holding the same
signed token the API issues. The sign-in form carries its own double-submit token so that another site cannot
sign a visitor into an account of its choosing.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from leadpilot.auth.dependencies import SESSION_COOKIE, SessionDep, authenticate_request
from leadpilot.config import get_settings
from leadpilot.errors import NotAuthenticated, RateLimited
from leadpilot.orgs.service import login
from leadpilot.web import flash
from leadpilot.web.auth import Viewer
from leadpilot.web.templating import render

router = APIRouter()

LOGIN_CSRF_COOKIE = "lp_login_csrf"


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` and ``/\\evil.example`` are other sites to a browser."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return "/"
    return target


def _login_page(request: Request, *, next_url: str, email: str = "", error: str | None = None,
                status_code: int = 200) -> Response:  # fmt: skip
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, next_url=next_url, email=email, error=error,
                      login_token=token)  # fmt: skip
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
                        secure=get_settings().secure_cookies, path="/login")  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str | None = None) -> Response:
    next_url = safe_next(next)
    if request.cookies.get(SESSION_COOKIE) and authenticate_request(request, session) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url)


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    login_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    next_url = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_token.encode()):
        return _login_page(request, next_url=next_url, email=email, status_code=403,
                           error="Your sign-in form expired. Please try again.")  # fmt: skip
    if not email.strip() or not password:
        return _login_page(request, next_url=next_url, email=email, status_code=400,
                           error="Enter your email and password.")  # fmt: skip
    try:
        _, token = login(session, email=email, password=password, ip=request.client.host if request.client else None)
    except RateLimited as exc:
        return _login_page(request, next_url=next_url, email=email, status_code=429,
                           error=f"Too many sign-in attempts. Try again in {exc.retry_after} seconds.")  # fmt: skip
    except NotAuthenticated as exc:
        return _login_page(request, next_url=next_url, email=email, status_code=401, error=exc.detail)
    settings = get_settings()
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.access_token_minutes * 60, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ctx: Viewer) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().secure_cookies)  # fmt: skip
    flash.add(request, response, "info", "You have been signed out.")
    return response
