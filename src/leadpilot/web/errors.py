from __future__ import annotations

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse


def render_error_page(request: Request, status_code: int, body: dict[str, object]) -> HTMLResponse:
    return HTMLResponse(
        f"<h1>{escape(str(body.get('error')))}</h1><p>{escape(str(body.get('detail')))}</p>", status_code=status_code
    )
