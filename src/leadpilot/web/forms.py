"""Turning submitted HTML forms into the services' schemas, and failures into one readable sentence.

Browsers send every field as text and an untouched field as an empty string; the schemas expect ``None`` for
"not given", so empty strings are dropped before validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from leadpilot.errors import AppError
from leadpilot.web import flash

SchemaT = TypeVar("SchemaT", bound=BaseModel)

_IGNORED_FIELDS = {"csrf_token"}


def form_values(form: Mapping[str, Any], *, keep_empty: frozenset[str] = frozenset()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in form.items():
        if key in _IGNORED_FIELDS or not isinstance(value, str):
            continue
        text = value.strip()
        if text or key in keep_empty:
            values[key] = text or None
    return values


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
