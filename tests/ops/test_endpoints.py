"""Operator endpoints and request plumbing: /health, /ready, /metrics, request ids and JSON logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from leadpilot import __version__
from leadpilot.db import session as db_session
from leadpilot.db.migrate import upgrade
from leadpilot.ops import endpoints as ops_endpoints
from leadpilot.ops.logging import JsonFormatter, RequestContextFilter


def test_health_is_always_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_ready_checks_the_database_migrations_and_queue(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "queue": "ok"}}


def test_ready_is_503_when_the_database_is_unreachable(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = db_session.engine_for("postgresql+psycopg://leadpilot@127.0.0.1:1/leadpilot?connect_timeout=2")
    monkeypatch.setattr(ops_endpoints, "read_only_engine", lambda: unreachable)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unavailable: OperationalError"


def test_ready_is_503_when_migrations_are_behind(client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url=url, revision="0001")
    behind = db_session.engine_for(url)
    monkeypatch.setattr(ops_endpoints, "read_only_engine", lambda: behind)
    try:
        response = client.get("/ready")
    finally:
        behind.dispose()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("at 0001, expected ")
    assert "leadpilot db upgrade" in checks["migrations"]


def test_metrics_expose_request_counts_by_route(client: TestClient) -> None:
    client.get("/health")
    client.get("/api/v1/contacts/12345")  # 401, counted under its route template
    text = client.get("/metrics").text
    assert re.search(r'leadpilot_http_requests_total\{method="GET",route="/health",status="200"\} \d', text)
    assert 'route="/api/v1/contacts/{contact_id}",status="401"' in text
    assert "leadpilot_http_request_seconds_bucket" in text
    assert "leadpilot_jobs_pending" in text
    assert "# TYPE leadpilot_jobs_total counter" in text


def test_the_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/health").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/api/v1/contacts", headers={"X-Request-ID": "on-errors-too"}).headers["X-Request-ID"] == (
        "on-errors-too"
    )


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The application's JSON log lines, as ``configure_logging`` sets them up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("leadpilot")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def test_json_log_lines_carry_the_request_id(client: TestClient, json_log: io.StringIO) -> None:
    client.get("/health", headers={"X-Request-ID": "log-test-1"})
    logging.getLogger("leadpilot.test").info("outside any request", extra={"detail": "x"})

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    (request_line,) = [line for line in lines if line.get("request_id") == "log-test-1"]
    assert request_line["msg"] == "request"
    assert request_line["logger"] == "leadpilot.http"
    assert request_line["level"] == "info"
    assert (request_line["method"], request_line["path"], request_line["status"]) == ("GET", "/health", 200)
    assert isinstance(request_line["duration_ms"], float)
    assert request_line["ts"].endswith("+00:00")
    outside = lines[-1]
    assert outside["msg"] == "outside any request"
    assert outside["detail"] == "x"
    assert "request_id" not in outside


def test_ready_stays_up_when_newer_code_upgraded_the_database(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'ahead.db'}"
    upgrade(url=url)
    ahead = db_session.engine_for(url)
    with ahead.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    monkeypatch.setattr(ops_endpoints, "read_only_engine", lambda: ahead)
    try:
        response = client.get("/ready")
    finally:
        ahead.dispose()
    assert response.status_code == 200, response.text
    assert "ahead of this version" in response.json()["checks"]["migrations"]
