"""Timezone-aware time. Everything is stored in UTC; local time exists only at the edges."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_utc(value: datetime, *, assume: str = "UTC") -> datetime:
    """Return ``value`` in UTC; a naive value is read in the ``assume`` zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(assume))
    return value.astimezone(UTC)


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
