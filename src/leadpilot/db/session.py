"""Engine and session factory.

One transaction per request, job or CLI command: the caller that opened the session commits; services only
flush. Work that must happen only if the transaction commits (enqueueing jobs, webhooks) is registered with
``after_commit(session, fn)`` and runs once the commit succeeded; a rollback discards it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from leadpilot.config import get_settings

_AFTER_COMMIT_KEY = "leadpilot_after_commit"
log = logging.getLogger("leadpilot.db")

# SQLite: a transaction that reads and then writes can fail at once with SQLITE_BUSY when another connection
# wrote in between (busy_timeout does not help there). Sessions that expect to write therefore start with
# BEGIN IMMEDIATE, taking the write lock up front and queueing behind other writers; read-only sessions keep a
# deferred BEGIN so that readers never wait (WAL).
_WRITE_OPTION = "leadpilot_write"
SQLITE_CACHE_KIB = 64 * 1024


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # SQLite's default page cache is 2 MB: bulk inserts into indexed tables of a few hundred MB then re-read
        # index pages from the OS for almost every row (measured: 80 -> 57 µs of CPU per activity row at 64 MB).
        # The cache fills only as pages are used, so idle connections stay small.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine


def get_engine() -> Engine:
    return engine_for(get_settings().resolved_database_url)


def read_only_engine(engine: Engine | None = None) -> Engine:
    """``engine`` (default: the configured one) for read-only work: on SQLite it never takes the write lock."""
    return (engine or get_engine()).execution_options(**{_WRITE_OPTION: False})


@lru_cache(maxsize=16)
def _session_factory(url: str, write: bool) -> sessionmaker[Session]:
    engine = engine_for(url)
    bind = engine if write else read_only_engine(engine)
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


_bound_connection: Any = None


def bind_sessions_to(connection: Any) -> None:
    """Make every new session join ``connection`` (tests: each test runs in one rolled-back transaction).

    Sessions then commit to savepoints, so code under test commits exactly as in production.
    """
    global _bound_connection
    _bound_connection = connection


def new_session(*, write: bool = True) -> Session:
    """A new session. ``write=False`` marks read-mostly work (GET requests): on SQLite it does not take the write
    lock up front; a write inside it still works but may have to be retried under contention."""
    if _bound_connection is not None:
        return Session(
            bind=_bound_connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
    return _session_factory(get_settings().resolved_database_url, write)()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the session's transaction commits; drop it if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def run_after_commit(session: Session) -> None:
    """Run the callbacks of a committed transaction. The data is already saved, so a failing callback (e.g. the
    queue is down) is logged rather than raised; periodic sweeps pick up what it missed."""
    callbacks = session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit_on_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)


def discard_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)


def commit(session: Session) -> None:
    """Commit and then run the work that waited for the commit."""
    try:
        session.commit()
    except Exception:
        discard_after_commit(session)
        raise
    run_after_commit(session)


@contextmanager
def transaction() -> Iterator[Session]:
    """A unit of work for a job or CLI command: commit on success, roll back on error."""
    session = new_session()
    try:
        yield session
        commit(session)
    except Exception:
        session.rollback()
        discard_after_commit(session)
        raise
    finally:
        session.close()
