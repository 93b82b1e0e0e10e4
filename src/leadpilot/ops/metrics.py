"""Prometheus metrics and the middleware that records them with a request id per request."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response

from leadpilot.kit.context import client_ip_var, request_id_var

REQUESTS = Counter("leadpilot_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "leadpilot_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter(
    "leadpilot_jobs_total", "Background job runs by outcome (complete, error, retrying, ...)", ["task", "outcome"]
)
JOB_SECONDS = Histogram(
    "leadpilot_job_seconds",
    "Background job run time",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
JOBS_PENDING = Gauge("leadpilot_jobs_pending", "Jobs waiting in the queue (read when /metrics is scraped)")
WEBHOOK_DELIVERIES = Counter(
    "leadpilot_webhook_delivery_attempts_total", "Webhook delivery attempts by outcome", ["outcome"]
)

log = logging.getLogger("leadpilot.http")


def route_template(scope: MutableMapping[str, Any]) -> str:
    """The matched route as a template (``/api/v1/contacts/{contact_id}``), so ids do not explode label counts.

    FastAPI resolves included routers lazily: the matched route object carries its path without the prefixes of the
    routers it was included through, and the full path sits in FastAPI's route context.
    """
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    full_path = getattr(context, "path", None)
    if isinstance(full_path, str) and full_path:
        return full_path
    route = scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


async def request_context_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    request_id_token = request_id_var.set(request_id[:64])
    ip_token = client_ip_var.set(request.client.host if request.client else None)
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        response.headers["X-Request-ID"] = request_id[:64]
        return response
    finally:
        elapsed = time.perf_counter() - started
        route_path = route_template(request.scope)
        REQUESTS.labels(request.method, route_path, str(status)).inc()
        LATENCY.labels(request.method, route_path).observe(elapsed)
        log.info(
            "request",
            extra={"method": request.method, "path": request.url.path, "status": status,
                   "duration_ms": round(elapsed * 1000, 2)},
        )  # fmt: skip
        request_id_var.reset(request_id_token)
        client_ip_var.reset(ip_token)
