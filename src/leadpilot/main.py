"""``create_app()``: the one FastAPI application (API, dashboard, operator endpoints)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadpilot import __version__
from leadpilot.api import api_router
from leadpilot.config import get_settings
from leadpilot.errors import AppError
from leadpilot.ops.endpoints import router as ops_router
from leadpilot.ops.logging import configure_logging
from leadpilot.ops.metrics import request_context_middleware

log = logging.getLogger("leadpilot")

_HTTP_ERROR_NAMES = {400: "BadRequest", 401: "NotAuthenticated", 403: "PermissionDenied", 404: "NotFound",
                     405: "MethodNotAllowed", 413: "PayloadTooLarge", 429: "RateLimited"}  # fmt: skip


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


async def _render_error(request: Request, status_code: int, body: dict[str, object]) -> Response:
    if _wants_html(request):
        from leadpilot.web.errors import render_error_page

        return render_error_page(request, status_code, body)
    headers = {"Retry-After": str(body["retry_after"])} if "retry_after" in body else None
    return JSONResponse(body, status_code=status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        return await _render_error(request, exc.status_code, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        detail = f"{'.'.join(first['loc'][1:]) or 'body'}: {first['msg']}"
        return await _render_error(request, 422, {"error": "ValidationError", "detail": detail, "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        name = _HTTP_ERROR_NAMES.get(exc.status_code, "HTTPError")
        return await _render_error(request, exc.status_code, {"error": name, "detail": str(exc.detail)})

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        # A unique constraint lost a race that the service's own check could not see (two concurrent creates).
        log.info("integrity error", extra={"path": request.url.path, "db_error": str(exc.orig)[:200]})
        return await _render_error(
            request, 409, {"error": "Conflict", "detail": "A record with the same unique value already exists"}
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return await _render_error(request, 500, {"error": "InternalError", "detail": "Internal server error"})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from leadpilot.jobs.worker import start_embedded_consumer

    log.info("leadpilot starting", extra={"version": __version__})
    embedded = getattr(app.state, "embedded_worker", False)
    consumer = start_embedded_consumer() if embedded else None
    if embedded and get_settings().environment != "test":
        from leadpilot.intelligence.service import warm_shipped_model

        threading.Thread(target=warm_shipped_model, name="intelligence-warm-up", daemon=True).start()
    yield
    if consumer is not None:
        # Graceful: running jobs finish (bounded by the shutdown timeout); queued ones stay queued.
        consumer.stop(graceful=True)
    log.info("leadpilot stopped")


def create_app(*, embedded_worker: bool = False) -> FastAPI:
    settings = get_settings()
    if settings.environment != "test":
        configure_logging(level=settings.log_level, json_logs=settings.log_json)
    app = FastAPI(
        title="LeadPilot",
        version=__version__,
        description="Self-hostable Lead Activation System. Authenticate with `Authorization: Bearer <token>` "
        "(from /api/v1/auth/login) or an API key (`X-API-Key: lp_...`).",
        lifespan=lifespan,
    )
    app.state.embedded_worker = embedded_worker
    app.middleware("http")(request_context_middleware)
    install_error_handlers(app)
    app.include_router(ops_router)
    app.include_router(api_router)
    from leadpilot.web.routes import install_web

    install_web(app)
    return app
