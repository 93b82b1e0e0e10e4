"""Answering HTML forms: failures become one readable sentence, successes a redirect with a message."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from leadpilot.errors import AppError
from leadpilot.web import flash


def describe_validation_error(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors()[:3]:
        field = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        messages.append(f"{field.replace('_', ' ')}: {message}" if field else message)
    return "; ".join(messages)


def describe(exc: AppError | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    return exc.detail


def redirect_with(request: Request, url: str, kind: flash.FlashKind, message: str) -> Response:
    """Post/redirect/get: answer a form with a redirect and a message for the page it lands on."""
    response = RedirectResponse(url, status_code=303)
    flash.add(request, response, kind, message)
    return response
