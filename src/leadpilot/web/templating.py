"""The Jinja2 environment of the dashboard: template loading, filters and the one ``render`` helper.

Every page is rendered through :func:`render`, which adds what the layout needs (the signed-in user and org, the
CSRF token, flash messages, the active navigation item) so views pass only their own data.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from leadpilot import __version__
from leadpilot.kit.clock import utcnow
from leadpilot.web import flash
from leadpilot.web.lookups import contact_display_name

if TYPE_CHECKING:
    from leadpilot.web.auth import WebContext

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# Colour of the badge for each stage / status value the dashboard shows (the CSS has one class per colour).
BADGE_COLORS = {
    # lead stages
    "new": "gray", "contacted": "blue", "engaged": "teal", "qualified": "violet", "meeting_booked": "amber",
    "converted": "green", "disqualified": "red",
    # deal stages and statuses
    "qualification": "gray", "needs_analysis": "blue", "proposal": "violet", "negotiation": "amber",
    "closed_won": "green", "closed_lost": "red", "won": "green", "lost": "red", "open": "blue",
    # contact lifecycle
    "subscriber": "gray", "lead": "blue", "opportunity": "violet", "customer": "green", "former_customer": "amber",
    # import jobs
    "queued": "gray", "running": "blue", "completed": "green", "failed": "red",
    # roles and key states
    "owner": "violet", "admin": "indigo", "manager": "blue", "agent": "teal", "viewer": "gray",
    "active": "green", "revoked": "red", "expired": "amber", "inactive": "gray",
}  # fmt: skip

# The same colours for charts (Chart.js needs values, not classes).
BADGE_COLOR_HEX = {
    "gray": "#94a3b8", "blue": "#3b82f6", "teal": "#14b8a6", "violet": "#8b5cf6", "amber": "#f59e0b",
    "green": "#10b981", "red": "#f87171", "indigo": "#6366f1",
}  # fmt: skip

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


@lru_cache(maxsize=64)
def _asset_version(path: str) -> str:
    file = STATIC_DIR / path
    if not file.is_file():
        return __version__
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """URL of a static file with a content hash, so a new release never serves a stale cached asset."""
    return f"/static/{path}?v={_asset_version(path)}"


def _zone(context: Any) -> ZoneInfo:
    name = context.get("timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@pass_context
def format_datetime(context: Any, value: datetime | None, fmt: str = "%b %d, %Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(_zone(context)).strftime(fmt)


@pass_context
def format_date(context: Any, value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(context)).date()
    return value.strftime("%b %d, %Y")


def time_ago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((utcnow() - value).total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


@pass_context
def when(context: Any, value: datetime | None) -> Markup:
    """A relative time ("3 h ago") with the exact local time as a tooltip."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    exact = format_datetime(context, value)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(value.isoformat(), exact, time_ago(value))


def money(value: Decimal | float | int | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    code = (currency or "").upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    amount = f"{Decimal(value):,.0f}" if Decimal(value) == Decimal(value).to_integral() else f"{Decimal(value):,.2f}"
    if symbol:
        return f"{symbol}{amount}"
    return f"{amount} {code}".strip()


def badge_color(value: object) -> str:
    return BADGE_COLORS.get(str(value), "gray")


def humanize(value: object) -> str:
    """``meeting_booked`` → ``Meeting booked``."""
    if value is None:
        return ""
    text = str(value).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def initials(name: str | None) -> str:
    parts = [p for p in (name or "").replace("@", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def number(value: int | float | None) -> str:
    if value is None:
        return ""
    return f"{value:,}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        datetime=format_datetime, date=format_date, ago=time_ago, when=when, money=money, humanize=humanize,
        initials=initials, number=number,
    )  # fmt: skip
    env.globals.update(static_url=static_url, version=__version__, badge_color=badge_color,
                       contact_name=contact_display_name, now=utcnow)  # fmt: skip
    return env


templates = Jinja2Templates(env=_environment())


# Pages run only their own scripts (no inline ones; chart data travels as JSON), cannot be framed, and post
# forms only to this site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    *,
    ctx: WebContext | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    # Partial (HTMX) responses leave queued messages for the next full page, which has a place to show them.
    flashes = [] if is_htmx(request) else flash.pop(request)
    context: dict[str, Any] = {
        "ctx": ctx,
        "user": ctx.user if ctx else None,
        "org": ctx.org if ctx else None,
        "principal": ctx.principal if ctx else None,
        "csrf_token": ctx.csrf_token if ctx else "",
        "timezone": (ctx.user.timezone if ctx and ctx.user else None) or (ctx.org.timezone if ctx else "UTC"),
        "flashes": flashes,
        "htmx": is_htmx(request),
        **values,
    }
    response = templates.TemplateResponse(
        request, template, context, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )
    if flashes:
        flash.clear(response)
    return response
