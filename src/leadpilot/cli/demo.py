from __future__ import annotations

import typer


def demo() -> None:
    """Load the demo tenant."""
    from leadpilot.demo.loader import ensure_demo_loaded

    ensure_demo_loaded(echo=typer.echo)
