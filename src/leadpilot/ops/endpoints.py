"""Operator endpoints: liveness, readiness (database, migrations, queue backend) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from leadpilot import __version__
from leadpilot.db.migrate import current_revision, head_revision, is_known_revision
from leadpilot.db.session import read_only_engine
from leadpilot.ops.metrics import JOBS_PENDING

router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/ready")
def ready() -> Response:
    checks: dict[str, str] = {}
    ok = True
    try:
        # Read-only: on SQLite a probe must not queue for the write lock behind real work.
        with read_only_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = current_revision(connection)
        checks["database"] = "ok"
        if revision != head_revision() and is_known_revision(revision):
            checks["migrations"] = f"at {revision}, expected {head_revision()}: run `leadpilot db upgrade`"
            ok = False
        elif revision != head_revision():
            # Newer code already upgraded the database (a rolling deploy): this replica keeps serving until replaced.
            checks["migrations"] = f"database at {revision}, ahead of this version ({head_revision()})"
        else:
            checks["migrations"] = "ok"
    except Exception as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
        ok = False
    try:
        from leadpilot.jobs.queue import huey

        huey.pending_count()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"unavailable: {type(exc).__name__}"
        ok = False
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics() -> Response:
    try:
        from leadpilot.jobs.queue import huey

        JOBS_PENDING.set(huey.pending_count())
    except Exception:  # noqa: S110 - a queue outage shows in /ready; the other metrics must still be served
        pass
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
