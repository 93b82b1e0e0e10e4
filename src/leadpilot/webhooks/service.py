"""Outgoing webhooks: managing endpoints, and delivering events to them.

Delivery of one row (``deliver``), at least once and never by two workers at the same time::

    claim     UPDATE ... SET attempts = n + 1, next_attempt_at = now + lease
              WHERE id = :id AND status = 'pending' AND attempts = n       -- committed before any I/O
    send      POST the signed JSON body (no transaction open meanwhile)
    record    2xx                 → delivered
              other / no answer   → pending, next_attempt_at = now + backoff(n)   (the job re-runs then)
              n + 1 = max attempts → failed
              (each WHERE attempts = n + 1 AND status = 'pending')

A job that runs twice, or a second worker that picks the same row, finds it delivered, not due, or already
claimed, and sends nothing. A worker that dies mid-attempt leaves the row pending; the periodic sweep
(``webhooks.requeue_stale``) re-enqueues it once its lease is long over. Receivers deduplicate on the event ``id``
in the body (the same for every retry and redelivery) or on ``X-LeadPilot-Delivery``.

The body is signed: ``X-LeadPilot-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`` with
``X-LeadPilot-Timestamp`` in Unix seconds; see docs/webhooks.md for verifying it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from leadpilot import __version__
from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.config import get_settings
from leadpilot.db.session import new_session, transaction
from leadpilot.errors import Conflict, InvalidInput
from leadpilot.jobs.queue import backoff_delay
from leadpilot.kit.clock import utcnow
from leadpilot.ops.metrics import WEBHOOK_DELIVERIES
from leadpilot.webhooks import repository
from leadpilot.webhooks.events import PING, enqueue_deliveries, event_payload
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint
from leadpilot.webhooks.repository import DeliveryStatus, WebhookDeliveryRepository, WebhookEndpointRepository
from leadpilot.webhooks.schemas import (
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)

log = logging.getLogger("leadpilot.webhooks")

SIGNATURE_HEADER = "X-LeadPilot-Signature"
TIMESTAMP_HEADER = "X-LeadPilot-Timestamp"
EVENT_HEADER = "X-LeadPilot-Event"
DELIVERY_HEADER = "X-LeadPilot-Delivery"

RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 6 * 3600.0
# How long a claimed attempt may stay in flight (on top of the request timeout) before the sweep may retry it.
CLAIM_LEASE = timedelta(seconds=60)
# Tolerated clock difference between the worker that scheduled a retry and the one that runs it.
CLOCK_SLACK = timedelta(seconds=5)
# A pending delivery this long past due is assumed to have lost its job.
SWEEP_OVERDUE_BY = timedelta(minutes=5)
MAX_STORED_RESPONSE_CHARS = 500


# -- signing -------------------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-LeadPilot-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str, *, timestamp: str, body: bytes, signature: str, tolerance_seconds: int = 300, now: float | None = None
) -> bool:
    """What a receiver does: check the HMAC and refuse stale timestamps (replays)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    current = now if now is not None else utcnow().timestamp()
    if abs(current - sent_at) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature)


def generate_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


# -- delivery ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    status: Literal["delivered", "retry", "failed", "skipped"]
    retry_in: float | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class _SignedRequest:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class _AttemptResult:
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None
    retryable: bool = True

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _signed_request(delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> _SignedRequest:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"LeadPilot-Webhooks/{__version__}",
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    return _SignedRequest(url=endpoint.url, body=body, headers=headers)


def _non_public_address(url: str) -> str | None:
    """Why ``url`` must not be called when private networks are not allowed (None when it may be)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        return None  # the request itself reports an unknown host, and is retried
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return f"{host} resolves to {address}, which is not a public address"
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _post(request: _SignedRequest, *, timeout: float, client: httpx.Client | None) -> _AttemptResult:
    if not get_settings().webhook_allow_private_networks:
        blocked = _non_public_address(request.url)
        if blocked:
            return _AttemptResult(error=f"{blocked} (LEADPILOT_WEBHOOK_ALLOW_PRIVATE_NETWORKS=false)", retryable=False)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=False)
    try:
        with http.stream("POST", request.url, content=request.body, headers=request.headers, timeout=timeout) as resp:
            snippet = b""
            for chunk in resp.iter_bytes():
                snippet += chunk
                if len(snippet) >= MAX_STORED_RESPONSE_CHARS:
                    break
        if 200 <= resp.status_code < 300:
            return _AttemptResult(status_code=resp.status_code)
        text = snippet.decode("utf-8", "replace")[:MAX_STORED_RESPONSE_CHARS].strip()
        return _AttemptResult(
            status_code=resp.status_code,
            error=f"HTTP {resp.status_code}" + (f": {text}" if text else ""),
            retry_after=_retry_after(resp),
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return _AttemptResult(error=f"{type(exc).__name__}: {exc}"[:MAX_STORED_RESPONSE_CHARS])
    finally:
        if own_client:
            http.close()


def _skipped(detail: str) -> DeliveryOutcome:
    log.debug("webhook delivery skipped", extra={"detail": detail})
    return DeliveryOutcome("skipped", detail=detail)


def deliver(delivery_id: int, *, client: httpx.Client | None = None) -> DeliveryOutcome:
    """Make the next attempt of one delivery, if it is pending and due. Opens its own transactions."""
    settings = get_settings()
    with transaction() as session:
        found = repository.delivery_with_endpoint(session, delivery_id)
        if found is None:
            return _skipped(f"delivery {delivery_id} does not exist")
        delivery, endpoint = found
        if delivery.status != "pending":
            return _skipped(f"delivery {delivery_id} is already {delivery.status}")
        now = utcnow()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + CLOCK_SLACK:
            return _skipped(f"delivery {delivery_id} is not due until {delivery.next_attempt_at.isoformat()}")
        attempts = delivery.attempts
        if not endpoint.is_active or attempts >= settings.webhook_max_attempts:
            reason = "the endpoint is disabled" if not endpoint.is_active else f"gave up after {attempts} attempts"
            failed = {"status": "failed", "last_error": reason, "next_attempt_at": None}
            repository.update_if_unchanged(session, delivery_id, attempts=attempts, values=failed)
            WEBHOOK_DELIVERIES.labels("failed").inc()
            return DeliveryOutcome("failed", detail=reason)
        lease_until = now + timedelta(seconds=settings.webhook_timeout_seconds) + CLAIM_LEASE
        claimed = repository.update_if_unchanged(
            session,
            delivery_id,
            attempts=attempts,
            values={"attempts": attempts + 1, "last_attempt_at": now, "next_attempt_at": lease_until},
        )
        if not claimed:
            return _skipped(f"delivery {delivery_id} was claimed by another worker")
        request = _signed_request(delivery, endpoint, now)
        event_type = delivery.event_type

    result = _post(request, timeout=settings.webhook_timeout_seconds, client=client)

    made = attempts + 1
    finished = utcnow()
    values: dict[str, Any] = {"response_status": result.status_code, "last_error": result.error}
    if result.ok:
        values.update(status="delivered", delivered_at=finished, next_attempt_at=None)
        outcome = DeliveryOutcome("delivered")
    elif result.retryable and made < settings.webhook_max_attempts:
        delay = backoff_delay(attempts, base=RETRY_BASE_SECONDS, cap=RETRY_CAP_SECONDS)
        if result.retry_after is not None:
            delay = min(RETRY_CAP_SECONDS, max(delay, result.retry_after))
        values.update(next_attempt_at=finished + timedelta(seconds=delay))
        outcome = DeliveryOutcome("retry", retry_in=delay, detail=result.error or "")
    else:
        values.update(status="failed", next_attempt_at=None)
        outcome = DeliveryOutcome("failed", detail=result.error or "")
    with transaction() as session:
        if not repository.update_if_unchanged(session, delivery_id, attempts=made, values=values):
            return _skipped(f"delivery {delivery_id} changed during the attempt")
    WEBHOOK_DELIVERIES.labels(outcome.status).inc()
    log.info(
        "webhook delivery attempt",
        extra={"delivery_id": delivery_id, "event_type": event_type, "attempt": made, "outcome": outcome.status,
               "response_status": result.status_code, "error": result.error},
    )  # fmt: skip
    return outcome


def overdue_delivery_ids(*, overdue_by: timedelta = SWEEP_OVERDUE_BY, limit: int = 500) -> list[int]:
    """Pending deliveries whose attempt was due more than ``overdue_by`` ago: their job was lost."""
    session = new_session(write=False)
    try:
        return repository.overdue_pending_ids(session, due_before=utcnow() - overdue_by, limit=limit)
    finally:
        session.close()


# -- endpoints (API) -----------------------------------------------------------------------------------------------


def _check_destination(url: str) -> None:
    """Refuse obviously internal URLs up front when private networks are off (delivery re-checks the DNS answer)."""
    if get_settings().webhook_allow_private_networks:
        return
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise InvalidInput(f"{host} is a private host name", extra={"field": "url"})
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise InvalidInput(f"{host} is not a public address", extra={"field": "url"})


class WebhookService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.endpoints = WebhookEndpointRepository(session, principal)
        self.deliveries = WebhookDeliveryRepository(session, principal)

    def _audit(self, action: str, endpoint: WebhookEndpoint, **data: Any) -> None:
        record(self.session, self.principal, action, entity_type="webhook_endpoint", entity_id=endpoint.id,
               data={"url": endpoint.url, **data})  # fmt: skip

    def _created(self, endpoint: WebhookEndpoint, secret: str) -> WebhookEndpointCreated:
        return WebhookEndpointCreated(**WebhookEndpointRead.model_validate(endpoint).model_dump(), secret=secret)

    def create(self, data: WebhookEndpointCreate) -> WebhookEndpointCreated:
        _check_destination(data.url)
        secret = generate_secret()
        endpoint = WebhookEndpoint(url=data.url, secret=secret, events=data.events, description=data.description,
                                   is_active=data.is_active)  # fmt: skip
        self.endpoints.add(endpoint)
        self._audit("webhook.created", endpoint, events=endpoint.events)
        return self._created(endpoint, secret)

    def update(self, endpoint_id: int, data: WebhookEndpointUpdate) -> WebhookEndpoint:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        changes = data.model_dump(exclude_unset=True)
        for field in ("url", "events", "is_active"):
            if field in changes and changes[field] is None:
                raise InvalidInput(f"{field} cannot be null", extra={"field": field})
        if "url" in changes:
            _check_destination(changes["url"])
        for field, value in changes.items():
            setattr(endpoint, field, value)
        self.session.flush()
        self._audit("webhook.updated", endpoint, fields=sorted(changes))
        return endpoint

    def delete(self, endpoint_id: int) -> None:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        self._audit("webhook.deleted", endpoint)
        self.endpoints.delete(endpoint)

    def rotate_secret(self, endpoint_id: int) -> WebhookEndpointCreated:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        endpoint.secret = generate_secret()
        self.session.flush()
        self._audit("webhook.secret_rotated", endpoint)
        return self._created(endpoint, endpoint.secret)

    def _new_delivery(self, endpoint: WebhookEndpoint, payload: dict[str, Any]) -> WebhookDelivery:
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=payload["id"], event_type=payload["type"],
                                   payload=payload, status="pending", attempts=0, next_attempt_at=utcnow())  # fmt: skip
        self.deliveries.add(delivery)
        enqueue_deliveries(self.session, [delivery.id])
        return delivery

    def send_test(self, endpoint_id: int) -> WebhookDelivery:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        if not endpoint.is_active:
            raise Conflict("The endpoint is disabled; enable it before sending a test event")
        payload = event_payload(org_id=self.principal.org_id, event_type=PING,
                                data={"endpoint_id": endpoint.id, "message": "Test event from LeadPilot"})  # fmt: skip
        delivery = self._new_delivery(endpoint, payload)
        self._audit("webhook.test_sent", endpoint, delivery_id=delivery.id)
        return delivery

    def redeliver(self, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
        """Send an earlier delivery's event again, as a new delivery (same event id, fresh attempts)."""
        endpoint = self.endpoints.access_by_id(endpoint_id)
        original = self.deliveries.access_for_endpoint(endpoint.id, delivery_id)
        if not endpoint.is_active:
            raise Conflict("The endpoint is disabled; enable it before redelivering")
        delivery = self._new_delivery(endpoint, original.payload)
        self._audit("webhook.redelivered", endpoint, delivery_id=delivery.id, original_delivery_id=original.id)
        return delivery

    def list_deliveries(
        self, endpoint_id: int, *, status: DeliveryStatus | None, cursor: str | None, limit: int
    ) -> tuple[list[WebhookDelivery], str | None]:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        return self.deliveries.list_page(endpoint_id=endpoint.id, status=status, cursor=cursor, limit=limit)

    def get_delivery(self, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
        endpoint = self.endpoints.access_by_id(endpoint_id)
        return self.deliveries.access_for_endpoint(endpoint.id, delivery_id)
