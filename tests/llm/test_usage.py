"""Usage accounting: counted per org, written by ``flush_usage``, read through the service and the API."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role
from leadpilot.errors import InvalidInput
from leadpilot.kit.clock import utcnow
from leadpilot.llm import (
    ChatMessage,
    HashingEmbedder,
    LlmUnavailable,
    ScriptedChat,
    flush_usage,
    metered_chat,
    metered_embedder,
    override_chat_model,
)
from leadpilot.llm import usage as usage_module
from leadpilot.llm.models import LlmUsage
from leadpilot.llm.service import usage_for_org
from leadpilot.llm.usage import usage_buffer
from leadpilot.orgs.models import Org, User
from tests.fixtures.factories import auth_headers, make_user

HELLO = [ChatMessage.user("Hello there, how are you today?")]  # 31 characters: 8 estimated tokens


def report(db: Session, org: Org):  # type: ignore[no-untyped-def]
    today = utcnow().date()
    return usage_for_org(db, Principal.system(org.id), start=today, end=today)


def test_calls_are_counted_per_org_and_never_mixed(
    db: Session, org_a: tuple[Org, User], org_b: tuple[Org, User]
) -> None:
    a, b = org_a[0], org_b[0]
    shared = ScriptedChat(default="Four words in reply")  # one provider object serves both orgs
    chat_a, chat_b = metered_chat(shared, org_id=a.id), metered_chat(shared, org_id=b.id)
    chat_a.complete(HELLO)
    chat_a.complete(HELLO)
    assert chat_a.stream(HELLO).read().text == "Four words in reply"
    chat_b.complete(HELLO)
    with pytest.raises(LlmUnavailable):
        metered_chat(ScriptedChat([LlmUnavailable("down")]), org_id=b.id).complete(HELLO)
    metered_embedder(HashingEmbedder(), org_id=a.id).embed(["pricing of the pro plan", "refunds"])

    assert flush_usage() == 3  # A: chat and embedding; B: chat (both scripted models are "scripted"/"scripted")
    rows = db.scalars(select(LlmUsage).order_by(LlmUsage.org_id, LlmUsage.kind)).all()
    assert {(r.org_id, r.kind, r.provider, r.model) for r in rows} == {
        (a.id, "chat", "scripted", "scripted"),
        (a.id, "embedding", "fake", "hashing-384"),
        (b.id, "chat", "scripted", "scripted"),
    }

    usage_a = report(db, a)
    assert usage_a.totals["chat"].calls == 3
    assert usage_a.totals["chat"].errors == 0
    assert usage_a.totals["chat"].prompt_tokens == 3 * 8
    assert usage_a.totals["chat"].completion_tokens == 3 * 5
    assert usage_a.totals["embedding"].calls == 1
    assert usage_a.totals["embedding"].prompt_tokens == 6
    assert {item.kind for item in usage_a.items} == {"chat", "embedding"}

    usage_b = report(db, b)
    assert usage_b.totals["chat"].calls == 2
    assert usage_b.totals["chat"].errors == 1
    assert usage_b.totals["chat"].completion_tokens == 5
    assert usage_b.totals["embedding"].calls == 0


def test_pending_counts_are_read_before_they_are_flushed(db: Session, org_a: tuple[Org, User]) -> None:
    org = org_a[0]
    metered_chat(ScriptedChat(default="ok"), org_id=org.id).complete(HELLO)
    assert report(db, org).totals["chat"].calls == 1
    assert db.scalar(select(LlmUsage).where(LlmUsage.org_id == org.id)) is None


def test_flushes_add_up(db: Session, org_a: tuple[Org, User]) -> None:
    org = org_a[0]
    chat = metered_chat(ScriptedChat(default="ok"), org_id=org.id)
    chat.complete(HELLO)
    flush_usage()
    chat.complete(HELLO)
    chat.complete(HELLO)
    flush_usage()
    assert flush_usage() == 0
    row = db.scalars(select(LlmUsage).where(LlmUsage.org_id == org.id)).one()
    assert row.calls == 3
    assert row.prompt_tokens == 24
    assert row.day == utcnow().date()
    assert report(db, org).totals["chat"].calls == 3


def test_counts_survive_a_failed_flush(db: Session, org_a: tuple[Org, User], monkeypatch: pytest.MonkeyPatch) -> None:
    org = org_a[0]
    metered_chat(ScriptedChat(default="ok"), org_id=org.id).complete(HELLO)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(usage_module, "_upsert", broken)
    with pytest.raises(RuntimeError):
        flush_usage()
    monkeypatch.undo()
    assert flush_usage() == 1
    assert db.scalars(select(LlmUsage.calls).where(LlmUsage.org_id == org.id)).one() == 1


def test_counts_of_an_unknown_org_are_dropped(db: Session, org_a: tuple[Org, User]) -> None:
    metered_chat(ScriptedChat(default="ok"), org_id=987_654_321).complete(HELLO)
    metered_chat(ScriptedChat(default="ok"), org_id=org_a[0].id).complete(HELLO)
    assert flush_usage() == 1
    assert not usage_buffer.drain()


def test_calls_for_no_org_are_not_stored(db: Session) -> None:
    metered_chat(ScriptedChat(default="ok"), org_id=None).complete(HELLO)
    assert not usage_buffer.drain()


def test_a_stream_closed_early_still_counts_as_a_call(db: Session, org_a: tuple[Org, User]) -> None:
    org = org_a[0]
    stream = metered_chat(ScriptedChat(default="many words in this reply"), org_id=org.id).stream(HELLO)
    next(stream)
    stream.close()
    assert report(db, org).totals["chat"].calls == 1


def test_the_date_range_is_checked(db: Session, org_a: tuple[Org, User]) -> None:
    today = utcnow().date()
    principal = Principal.system(org_a[0].id)
    with pytest.raises(InvalidInput, match="start must not be after end"):
        usage_for_org(db, principal, start=today, end=today - timedelta(days=1))
    with pytest.raises(InvalidInput, match="at most 366 days"):
        usage_for_org(db, principal, start=today - timedelta(days=400), end=today)


def test_usage_endpoint_shows_only_the_callers_org(
    client: TestClient, db: Session, org_a: tuple[Org, User], org_b: tuple[Org, User]
) -> None:
    (a, owner_a), (b, owner_b) = org_a, org_b
    metered_chat(ScriptedChat(default="ok"), org_id=a.id).complete(HELLO)
    for _ in range(3):
        metered_chat(ScriptedChat(default="ok"), org_id=b.id).complete(HELLO)
    flush_usage()
    metered_chat(ScriptedChat(default="ok"), org_id=a.id).complete(HELLO)  # pending, not yet flushed

    response = client.get("/api/v1/llm/usage", headers=auth_headers(owner_a))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["chat"]["calls"] == 2
    assert body["totals"]["embedding"]["calls"] == 0
    assert body["end"] == utcnow().date().isoformat()
    assert body["start"] == (utcnow().date() - timedelta(days=29)).isoformat()
    (item,) = body["items"]
    assert item["provider"] == "scripted"
    assert item["calls"] == 2

    response = client.get("/api/v1/llm/usage", headers=auth_headers(owner_b))
    assert response.json()["totals"]["chat"]["calls"] == 3


def test_usage_endpoint_needs_an_admin(client: TestClient, db: Session, org_a: tuple[Org, User]) -> None:
    manager = make_user(db, org_a[0], Role.manager)
    admin = make_user(db, org_a[0], Role.admin)
    db.commit()
    response = client.get("/api/v1/llm/usage", headers=auth_headers(manager))
    assert response.status_code == 403
    assert client.get("/api/v1/llm/usage", headers=auth_headers(admin)).status_code == 200
    assert client.get("/api/v1/llm/usage").status_code == 401


def test_usage_endpoint_refuses_a_reversed_range(client: TestClient, org_a: tuple[Org, User]) -> None:
    response = client.get(
        "/api/v1/llm/usage", params={"start": "2026-03-02", "end": "2026-03-01"}, headers=auth_headers(org_a[1])
    )
    assert response.status_code == 400
    assert response.json() == {"error": "InvalidInput", "detail": "start must not be after end"}


def test_status_endpoint(client: TestClient, org_a: tuple[Org, User]) -> None:
    headers = auth_headers(org_a[1])
    with override_chat_model(None):
        body = client.get("/api/v1/llm/status", headers=headers).json()
    assert body == {"chat": None, "embeddings": {"provider": "local", "name": "all-MiniLM-L6-v2-int8"}}
    with override_chat_model(ScriptedChat(model="scripted-7")):
        body = client.get("/api/v1/llm/status", headers=headers).json()
    assert body["chat"] == {"provider": "scripted", "model": "scripted-7", "base_url": None, "circuit": None}


_PROCESS = """
import time
from leadpilot.db.migrate import upgrade
from leadpilot.db.session import transaction
from leadpilot.llm import ChatMessage, ScriptedChat, metered_chat
from leadpilot.orgs.service import create_org

upgrade()
with transaction() as session:
    org, _ = create_org(session, name="Flush", owner_email="o@example.com", owner_name="O", owner_password="x" * 12)
    org_id = org.id
chat = metered_chat(ScriptedChat(default="ok"), org_id=org_id)
chat.complete([ChatMessage.user("first")])
time.sleep(1.5)  # the background flush writes this call
chat.complete([ChatMessage.user("second")])  # written at exit
"""


def test_a_process_writes_its_usage_in_the_background_and_at_exit(tmp_path: Path) -> None:
    """A real process outside the test environment: the flusher thread and the exit hook, on a SQLite file."""
    database = tmp_path / "usage.db"
    env = {
        **os.environ,
        "LEADPILOT_ENVIRONMENT": "development",
        "LEADPILOT_HOME": str(tmp_path),
        "LEADPILOT_DATABASE_URL": f"sqlite:///{database}",
        "LEADPILOT_LLM_USAGE_FLUSH_SECONDS": "0.5",
        "LEADPILOT_LOG_JSON": "false",
    }
    subprocess.run([sys.executable, "-c", _PROCESS], env=env, check=True, timeout=120, cwd=tmp_path)
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT calls, prompt_tokens, updated_at > created_at FROM llm_usage").fetchall()
    assert rows == [(2, 4, 1)], "one row, written twice: by the background thread, then at exit"
