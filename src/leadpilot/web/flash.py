"""One-shot messages shown on the next page ("Contact saved"), carried in a short-lived signed cookie.

The cookie is signed so that a cookie planted by another site on the same domain cannot put words on a page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Literal

from fastapi import Request, Response

from leadpilot.config import get_settings

FLASH_COOKIE = "lp_flash"
FlashKind = Literal["success", "error", "info", "warning"]
_MAX_MESSAGES = 5


def _signature(payload: str) -> str:
    key = get_settings().signing_key().encode()
    return hmac.new(key, f"flash:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def _encode(messages: list[dict[str, str]]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(messages[-_MAX_MESSAGES:]).encode()).decode()
    return f"{payload}.{_signature(payload)}"


def _decode(value: str | None) -> list[dict[str, str]]:
    if not value or "." not in value:
        return []
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(signature, _signature(payload)):
        return []
    try:
        messages = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return []
    if not isinstance(messages, list):
        return []
    return [
        {"kind": str(m.get("kind", "info")), "message": str(m.get("message", ""))}
        for m in messages
        if isinstance(m, dict)
    ]


def add(request: Request, response: Response, kind: FlashKind, message: str) -> None:
    """Queue ``message`` for the next rendered page (keeps messages queued earlier in the same exchange)."""
    messages = _decode(request.cookies.get(FLASH_COOKIE))
    messages.append({"kind": kind, "message": message})
    response.set_cookie(
        FLASH_COOKIE, _encode(messages), max_age=60, httponly=True, samesite="lax",
        secure=get_settings().secure_cookies, path="/",
    )  # fmt: skip


def pop(request: Request) -> list[dict[str, str]]:
    return _decode(request.cookies.get(FLASH_COOKIE))


def clear(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
