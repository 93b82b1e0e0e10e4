"""Test setup: the database is built by the migrations once per run; every test runs inside one transaction
that is rolled back afterwards (the code under test commits to savepoints).

Set ``LEADPILOT_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@localhost/leadpilot_test``) to run the
suite on PostgreSQL; SQLite is the default.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_home = Path(tempfile.mkdtemp(prefix="leadpilot-test-"))
os.environ["LEADPILOT_ENVIRONMENT"] = "test"
os.environ["LEADPILOT_HOME"] = str(_home)
os.environ["LEADPILOT_QUEUE_MODE"] = "immediate"
os.environ["LEADPILOT_SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ.pop("LEADPILOT_REDIS_URL", None)
os.environ["LEADPILOT_DATABASE_URL"] = os.environ.get("LEADPILOT_TEST_DATABASE_URL") or f"sqlite:///{_home}/test.db"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Connection, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from leadpilot.db import session as db_session  # noqa: E402
from leadpilot.db.migrate import upgrade  # noqa: E402
from leadpilot.kit.ratelimit import MemoryRateLimiter, get_rate_limiter  # noqa: E402
from leadpilot.main import create_app  # noqa: E402
from tests.fixtures.factories import make_org  # noqa: E402

# The browser fixtures (live server, Chromium, page) are defined once for every folder that drives the dashboard.
pytest_plugins = ["tests.fixtures.browser"]

DATABASE_URL = os.environ["LEADPILOT_DATABASE_URL"]
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


def reset_database(url: str) -> None:
    engine = db_session.engine_for(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(url=url)


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    reset_database(DATABASE_URL)
    return db_session.engine_for(DATABASE_URL)


@pytest.fixture
def connection(engine) -> Iterator[Connection]:  # type: ignore[no-untyped-def]
    # Deferred BEGIN on SQLite: the test's own transaction must not hold the write lock against other connections.
    conn = db_session.read_only_engine(engine).connect()
    outer = conn.begin()
    db_session.bind_sessions_to(conn)
    try:
        yield conn
    finally:
        db_session.bind_sessions_to(None)
        outer.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = db_session.new_session()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture(autouse=True)
def _reset_rate_limits() -> Iterator[None]:
    limiter = get_rate_limiter()
    yield
    if isinstance(limiter, MemoryRateLimiter):
        limiter.clear()


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    return create_app()


@pytest.fixture
def client(app, connection: Connection) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def org_a(db: Session):  # type: ignore[no-untyped-def]
    org, owner = make_org(db, "Acme A")
    db.commit()
    return org, owner


@pytest.fixture
def org_b(db: Session):  # type: ignore[no-untyped-def]
    org, owner = make_org(db, "Beta B")
    db.commit()
    return org, owner
