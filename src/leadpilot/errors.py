"""Domain errors, each carrying its HTTP status; rendered once as ``{"error": Name, "detail": ...}``.

AppError
 ├─ BadRequest (400) ── InvalidInput, ImportFileInvalid
 ├─ NotAuthenticated (401)
 ├─ PermissionDenied (403)
 ├─ NotFound (404) ── ContactNotFound, LeadNotFound, ... (one per resource)
 ├─ Conflict (409)
 ├─ PayloadTooLarge (413)
 └─ RateLimited (429)
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 500
    default_detail = "Internal error"

    def __init__(self, detail: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra or {}
        super().__init__(self.detail)

    @property
    def name(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.name, "detail": self.detail}
        body.update(self.extra)
        return body


class BadRequest(AppError):
    status_code = 400
    default_detail = "Bad request"


class InvalidInput(BadRequest):
    default_detail = "Invalid input"


class NotAuthenticated(AppError):
    status_code = 401
    default_detail = "Authentication required"


class PermissionDenied(AppError):
    status_code = 403
    default_detail = "You do not have permission to do this"


class NotFound(AppError):
    status_code = 404
    default_detail = "Not found"


class Conflict(AppError):
    status_code = 409
    default_detail = "Conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    default_detail = "Payload too large"


class RateLimited(AppError):
    status_code = 429
    default_detail = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def not_found_error(resource: str) -> type[NotFound]:
    """A NotFound subclass named after the resource, e.g. ``LeadNotFound``."""
    return type(f"{resource}NotFound", (NotFound,), {"default_detail": f"{resource} not found"})
