from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from leadpilot.crm.schemas import ReadModel, WriteModel
from leadpilot.webhooks.events import EVENT_TYPES, event_domains

_EVENT_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$")


def normalize_webhook_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    try:
        host = parts.hostname
        _ = parts.port  # parsing the port validates it
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from exc
    if not host:
        raise ValueError("must include a host name")
    if parts.fragment:
        raise ValueError("must not contain a #fragment")
    return value


def normalize_event_pattern(value: str) -> str:
    value = value.strip()
    if not _EVENT_PATTERN.match(value):
        raise ValueError(f"{value!r} is not an event type: use '*', '<domain>.*' or '<domain>.<verb>'")
    if value == "*":
        return value
    domain, _, verb = value.partition(".")
    if verb == "*":
        if domain not in event_domains():
            raise ValueError(f"no events in the domain {domain!r}; known: {', '.join(sorted(event_domains()))}")
    elif value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}; see GET /api/v1/webhooks/event-types")
    return value


WebhookUrl = Annotated[str, Field(max_length=1000), AfterValidator(normalize_webhook_url)]
EventPattern = Annotated[str, Field(max_length=64), AfterValidator(normalize_event_pattern)]


def _dedupe(patterns: list[str]) -> list[str]:
    return list(dict.fromkeys(patterns))


class WebhookEndpointCreate(WriteModel):
    url: WebhookUrl
    events: Annotated[list[EventPattern], AfterValidator(_dedupe)] = Field(
        default_factory=lambda: ["*"], min_length=1, max_length=100
    )
    description: str | None = Field(default=None, max_length=300)
    is_active: bool = True


class WebhookEndpointUpdate(WriteModel):
    url: WebhookUrl | None = None
    events: Annotated[list[EventPattern], AfterValidator(_dedupe)] | None = Field(
        default=None, min_length=1, max_length=100
    )
    description: str | None = Field(default=None, max_length=300)
    is_active: bool | None = None


class WebhookEndpointRead(ReadModel):
    id: int
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WebhookEndpointCreated(WebhookEndpointRead):
    secret: str = Field(description="Signs every delivery. Shown only now (and when rotated); store it.")


class WebhookDeliveryRead(ReadModel):
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class EventTypeRead(ReadModel):
    type: str
    description: str
