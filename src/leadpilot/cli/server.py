from __future__ import annotations

import typer

from leadpilot.config import get_settings


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default LEADPILOT_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default LEADPILOT_PORT, 8000)."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo tenant first if it is not loaded yet."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run a job worker inside this process."),
    migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="Apply migrations before serving."),
) -> None:
    """Serve the API and the dashboard (and, by default, a job worker) in one process."""
    import uvicorn

    from leadpilot.db.migrate import upgrade
    from leadpilot.main import create_app

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if migrate:
        upgrade()
    if demo:
        from leadpilot.demo.loader import ensure_demo_loaded

        ensure_demo_loaded(echo=typer.echo)
    app = create_app(embedded_worker=worker)
    base_url = (settings.public_url or f"http://{host}:{port}").rstrip("/")
    typer.echo(f"LeadPilot is running at {base_url}/  (API docs: {base_url}/docs)")
    if demo:
        from leadpilot.demo.loader import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD

        typer.echo(f"Demo login: {DEMO_LOGIN_EMAIL} / {DEMO_LOGIN_PASSWORD}")
    uvicorn.run(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=20)


def worker(workers: int = typer.Option(2, help="Worker threads.")) -> None:
    """Run a job worker (for the Redis queue backend, or a dedicated worker beside `serve --no-worker`)."""
    from leadpilot.jobs.worker import run_worker
    from leadpilot.ops.logging import configure_logging

    settings = get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)
    run_worker(workers=workers)
