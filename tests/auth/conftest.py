from __future__ import annotations

import time

import pytest

from leadpilot.kit.ratelimit import get_rate_limiter


@pytest.fixture
def frozen_rate_limit_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    """Keep a test's hits in one fixed window: crossing a window boundary mid-test would reset the counts."""
    now = time.time()
    monkeypatch.setattr(get_rate_limiter(), "clock", lambda: now)
    return now
