from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from huey import MemoryHuey
from huey.api import Huey
from huey.exceptions import RetryTask
from prometheus_client import REGISTRY
from sqlalchemy import Connection, select

from leadpilot.config import Settings
from leadpilot.db.session import transaction
from leadpilot.jobs.queue import backoff_delay, build_huey, enqueue_after_commit, install_job_metrics, job
from leadpilot.orgs.models import Org
from tests.fixtures.factories import make_org


def job_count(task: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("leadpilot_jobs_total", {"task": task, "outcome": outcome}) or 0.0


def unique(prefix: str) -> str:
    return f"tests.{prefix}_{uuid.uuid4().hex[:8]}"


def huey_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # Huey keeps UTC times naive


@pytest.fixture
def stored_queue() -> Huey:
    """A queue that stores what is enqueued without running it, so a test can count it."""
    queue = MemoryHuey(f"test-{uuid.uuid4().hex[:8]}", immediate=False)
    install_job_metrics(queue)
    return queue


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    assert [backoff_delay(n, base=10, cap=300) for n in range(7)] == [10, 20, 40, 80, 160, 300, 300]
    assert backoff_delay(10_000, base=30, cap=3600) == 3600
    with pytest.raises(ValueError, match="attempt"):
        backoff_delay(-1, base=1, cap=2)


def test_task_names_are_domain_dot_verb(memory_queue: Huey) -> None:
    with pytest.raises(ValueError, match=r"domain\.verb"):
        job("nodot", queue=memory_queue)


def test_a_failing_job_is_retried_with_exponential_backoff_then_given_up(memory_queue: Huey) -> None:
    name = unique("flaky")
    calls: list[int] = []

    @job(name, retries=3, backoff_base=10, backoff_cap=25, queue=memory_queue)
    def flaky(item_id: int) -> None:
        calls.append(item_id)
        raise RuntimeError("downstream unavailable")

    flaky(7)
    delays = []
    while True:
        scheduled = memory_queue.scheduled()
        if not scheduled:
            break
        (retry,) = scheduled
        delays.append(round((retry.eta - huey_now()).total_seconds()))
        (due,) = memory_queue.read_schedule(retry.eta)
        memory_queue.execute(due, retry.eta)

    assert calls == [7, 7, 7, 7]  # the first run and three retries
    assert delays == [10, 20, 25]  # 10 * 2**n, capped at 25
    assert job_count(name, "error") == 4
    assert job_count(name, "retrying") == 3


def test_retry_task_schedules_the_next_run_at_the_given_delay(memory_queue: Huey) -> None:
    name = unique("later")

    @job(name, queue=memory_queue)
    def later() -> None:
        raise RetryTask(delay=90)

    later()
    (retry,) = memory_queue.scheduled()
    assert 85 <= (retry.eta - huey_now()).total_seconds() <= 90
    assert job_count(name, "retrying") == 1
    assert job_count(name, "error") == 0


def test_outcomes_and_durations_are_counted(memory_queue: Huey) -> None:
    name = unique("ok")

    @job(name, queue=memory_queue)
    def ok(x: int) -> int:
        return x * 2

    before = REGISTRY.get_sample_value("leadpilot_job_seconds_count", {"task": name}) or 0.0
    ok(1)
    ok(2)
    assert job_count(name, "complete") == 2
    assert REGISTRY.get_sample_value("leadpilot_job_seconds_count", {"task": name}) == before + 2


def test_call_local_runs_the_function_without_the_queue(memory_queue: Huey) -> None:
    @job(unique("local"), retries=2, queue=memory_queue)
    def add(a: int, b: int) -> int:
        return a + b

    assert add.call_local(2, 3) == 5


def test_enqueue_after_commit_enqueues_once_the_transaction_commits(connection: Connection, stored_queue: Huey) -> None:
    @job(unique("after_commit"), queue=stored_queue)
    def touch(org_id: int) -> None:
        raise AssertionError("not run: the queue only stores")

    with transaction() as session:
        org, _ = make_org(session)
        enqueue_after_commit(session, touch, org.id)
        assert stored_queue.pending_count() == 0, "nothing may be enqueued before the commit"
    assert stored_queue.pending_count() == 1


def test_a_rolled_back_transaction_enqueues_nothing(connection: Connection, stored_queue: Huey) -> None:
    @job(unique("rolled_back"), queue=stored_queue)
    def touch(org_id: int) -> None:
        raise AssertionError("never enqueued")

    def failing_unit_of_work() -> None:
        with transaction() as session:
            org, _ = make_org(session, "Rolled Back Inc")
            enqueue_after_commit(session, touch, org.id)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_unit_of_work()

    assert stored_queue.pending_count() == 0
    with transaction() as session:
        assert session.scalar(select(Org).where(Org.name == "Rolled Back Inc")) is None


def test_build_huey_picks_the_backend_from_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embedded = build_huey(Settings(_env_file=None, home=tmp_path, queue_mode="embedded"))
    assert type(embedded).__name__ == "SqliteHuey"
    assert (tmp_path / "queue.db").exists()
    assert build_huey(Settings(_env_file=None, home=tmp_path, queue_mode="immediate")).immediate
    # Without a queue mode, a Redis URL selects Redis (connecting happens on first use).
    scaled = Settings(_env_file=None, home=tmp_path, queue_mode=None, redis_url="redis://127.0.0.1:6379/0")
    assert type(build_huey(scaled)).__name__ == "RedisHuey"
    with pytest.raises(RuntimeError, match="LEADPILOT_REDIS_URL"):
        build_huey(Settings(_env_file=None, home=tmp_path, queue_mode="redis", redis_url=None))


def test_a_queue_outage_after_commit_is_logged_not_raised(
    connection: Connection, stored_queue: Huey, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    name = unique("outage")

    @job(name, queue=stored_queue)
    def touch(org_id: int) -> None:
        raise AssertionError("never enqueued")

    def queue_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(stored_queue.storage, "enqueue", queue_down)
    with transaction() as session:
        org, _ = make_org(session, "Committed Anyway Ltd")
        enqueue_after_commit(session, touch, org.id)

    with transaction() as session:
        assert session.scalar(select(Org).where(Org.name == "Committed Anyway Ltd")) is not None
    (failure,) = [r for r in caplog.records if r.getMessage() == "could not enqueue a job after commit"]
    assert failure.task == name
    assert failure.levelname == "ERROR"
