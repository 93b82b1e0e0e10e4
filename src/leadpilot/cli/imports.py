"""``leadpilot import`` and ``leadpilot export`` (filled in by the imports module)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


def export() -> None:
    """Export CRM records as CSV."""
