"""Demo tenant loader (filled in by the demo module)."""

from __future__ import annotations

from collections.abc import Callable

DEMO_LOGIN_EMAIL = "demo@leadpilot.example"
DEMO_LOGIN_PASSWORD = "leadpilot-demo"  # noqa: S105 (published on purpose: demo tenant only)


def ensure_demo_loaded(*, echo: Callable[[str], None] = print) -> None:
    echo("demo tenant loader is not available yet")
