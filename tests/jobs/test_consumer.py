"""A real consumer (the one ``leadpilot serve`` embeds) on real backends: SqliteHuey in a file and RedisHuey."""

from __future__ import annotations

import queue as stdlib_queue
import threading
import time
import uuid

from huey.api import Huey
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from leadpilot.db.session import commit
from leadpilot.jobs.queue import enqueue_after_commit, job
from leadpilot.jobs.worker import create_embedded_consumer


def test_the_consumer_runs_a_job_enqueued_after_commit(real_queue: Huey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The job reads, from its own connection, the row that the enqueuing transaction wrote: it can only see it
    # if it was enqueued after the commit.
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    seen: stdlib_queue.Queue[str | None] = stdlib_queue.Queue()

    @job(f"tests.read_note_{uuid.uuid4().hex[:8]}", queue=real_queue)
    def read_note(note_id: int) -> None:
        with engine.connect() as connection:
            seen.put(connection.execute(text("SELECT body FROM notes WHERE id = :id"), {"id": note_id}).scalar())

    consumer = create_embedded_consumer(real_queue, workers=2, shutdown_timeout=10, periodic=False)
    consumer.start()
    try:
        session = Session(engine)
        session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'written before the job ran')"))
        enqueue_after_commit(session, read_note, 1)
        time.sleep(0.3)
        assert seen.empty(), "the job ran before the commit"
        commit(session)
        session.close()
        assert seen.get(timeout=15) == "written before the job ran"
    finally:
        consumer.stop(graceful=True)
        engine.dispose()


def test_stopping_gracefully_lets_the_running_job_finish_and_keeps_queued_ones(real_queue: Huey) -> None:
    started = threading.Event()
    finished = threading.Event()
    ran: list[str] = []

    @job(f"tests.slow_{uuid.uuid4().hex[:8]}", queue=real_queue)
    def slow(label: str) -> None:
        ran.append(label)
        started.set()
        time.sleep(1.0)
        finished.set()

    consumer = create_embedded_consumer(real_queue, workers=1, shutdown_timeout=10, periodic=False)
    consumer.start()
    slow("first")
    assert started.wait(timeout=15), "the consumer did not pick up the job"
    slow("second")  # queued behind the running job on the only worker

    stop_began = time.monotonic()
    consumer.stop(graceful=True)
    assert finished.is_set(), "stop() returned before the running job finished"
    assert time.monotonic() - stop_began > 0.3
    assert ran == ["first"]
    assert real_queue.pending_count() == 1, "the queued job must stay queued for the next start"

    # The next consumer picks the queued job up.
    finished.clear()
    again = create_embedded_consumer(real_queue, workers=1, shutdown_timeout=10, periodic=False)
    again.start()
    try:
        assert finished.wait(timeout=15)
        assert ran == ["first", "second"]
    finally:
        again.stop(graceful=True)
