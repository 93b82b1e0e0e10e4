"""Errors as HTML: the same error names and details as the API (``{"error": "LeadNotFound", ...}``), on a page.

A request that is not signed in is sent to the sign-in page instead (``HX-Redirect`` for HTMX requests, which
would otherwise swap a sign-in form into the middle of a table).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from leadpilot.web.templating import is_htmx, render

_TITLES = {
    400: "That request could not be processed",
    401: "Please sign in",
    403: "You don't have access to this",
    404: "We couldn't find that",
    405: "That action isn't allowed here",
    409: "That conflicts with existing data",
    413: "That upload is too large",
    422: "Some fields need attention",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def _login_url(target: str) -> str:
    if target in ("", "/", "/login"):
        return "/login"
    return f"/login?next={quote(target, safe='/')}"


def _same_site_path(url: str, request: Request) -> str:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.url.netloc:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url_for(request: Request) -> str:
    """Where to sign in, coming back afterwards to this page (for a form post: to the page the form was on)."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = _same_site_path(request.headers.get("referer", ""), request)
    return _login_url(target)


def redirect_to_login(request: Request) -> Response:
    if is_htmx(request):
        # The page the fragment belongs to is the one to come back to.
        location = _login_url(_same_site_path(request.headers.get("HX-Current-URL", ""), request))
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(login_url_for(request), status_code=303)


def render_error_page(request: Request, status_code: int, body: dict[str, object]) -> Response:
    if status_code == 401:
        return redirect_to_login(request)
    name = str(body.get("error") or "Error")
    detail = str(body.get("detail") or "")
    headers = {"Retry-After": str(body["retry_after"])} if "retry_after" in body else {}
    if is_htmx(request):
        # A failed fragment request reports in the toast area instead of replacing part of the page.
        headers.update({"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"})
        return render(request, "_toast.html", status_code=status_code, headers=headers, kind="error",
                      title=name, message=detail)  # fmt: skip
    return render(
        request,
        "error.html",
        status_code=status_code,
        headers=headers,
        status=status_code,
        error=name,
        detail=detail,
        title=_TITLES.get(status_code, "Something went wrong"),
        errors=body.get("errors") if isinstance(body.get("errors"), list) else [],
    )
