"""``leadpilot demo``: load, or with ``--reset`` reload, the demo tenant."""

from __future__ import annotations

import typer

from leadpilot.demo.catalog import DEFAULT_CONTACTS, DEFAULT_SEED


def demo(
    seed: int = typer.Option(DEFAULT_SEED, help="Random seed. The same seed, size and --as-of give the same tenant."),
    reset: bool = typer.Option(False, "--reset", help="Delete the demo org and everything in it, then load it again."),
    contacts: int = typer.Option(DEFAULT_CONTACTS, min=50, max=50_000, help="How many contacts to simulate."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="End of the simulated timeline, ISO 8601 (default: now), e.g. 2025-06-01T12:00:00Z."
    ),
    migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="Apply database migrations first."),
) -> None:
    """Load the demo tenant (Northwind Analytics) unless it is loaded already, and print its login."""
    from leadpilot.crm.validation import parse_datetime
    from leadpilot.db.migrate import upgrade
    from leadpilot.demo.loader import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD, ensure_demo_loaded
    from leadpilot.errors import AppError

    try:
        anchor = parse_datetime(as_of) if as_of else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from exc
    if migrate:
        upgrade()
    try:
        ensure_demo_loaded(echo=typer.echo, seed=seed, contacts=contacts, reset=reset, as_of=anchor)
    except AppError as exc:
        typer.echo(f"Cannot load the demo tenant: {exc.detail}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"Demo login: {DEMO_LOGIN_EMAIL} / {DEMO_LOGIN_PASSWORD}")
