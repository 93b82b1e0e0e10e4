"""Usage accounting: every call through a provider handed out by ``get_chat_model(org)`` / ``get_embedder(org)`` is
counted for that org (calls, errors, prompt and completion tokens, latency), per UTC day, kind, provider and model.

    provider call ──> MeteredChat / MeteredEmbedder ──> record_usage() ──> UsageBuffer (this process, in memory)
                                                            │                     │ flush_usage(): every
                                                            └─> Prometheus        │ LEADPILOT_LLM_USAGE_FLUSH_SECONDS
                                                                counters          v (background thread) and at exit
                                                                             llm_usage rows (UPSERT: counts added)

Counts are buffered rather than written by the caller because provider calls happen inside other transactions (a
request, a job) that must not wait for — or, on SQLite, deadlock on — a second writer, and because the provider
interface has no session. Each process flushes its own buffer as increments, so any number of replicas and workers
add up correctly. Readers (``usage_for_org``) add this process's pending counts to the stored rows. A process killed
with ``SIGKILL`` loses at most one flush interval of counts; the Prometheus counters are exact per process.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from prometheus_client import Counter, Histogram
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadpilot.config import get_settings
from leadpilot.kit.clock import utcnow
from leadpilot.llm.chat import ChatModel, ChatResult, ChatStream, JsonSchemaLike, MessageLike, ToolLike, Usage
from leadpilot.llm.embeddings import Embedder
from leadpilot.llm.models import LlmUsage

log = logging.getLogger("leadpilot.llm")

LLM_CALLS = Counter(
    "leadpilot_llm_calls_total",
    "Model calls by kind, provider, model and outcome",
    ["kind", "provider", "model", "outcome"],
)
LLM_TOKENS = Counter(
    "leadpilot_llm_tokens_total", "Tokens read (prompt) and written (completion)", ["kind", "provider", "model", "type"]
)
LLM_SECONDS = Histogram(
    "leadpilot_llm_call_seconds",
    "Model call latency",
    ["kind", "provider"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

CHAT = "chat"
EMBEDDING = "embedding"


@dataclass(frozen=True, slots=True)
class UsageKey:
    org_id: int
    day: date
    kind: str
    provider: str
    model: str


@dataclass(slots=True)
class UsageCounts:
    calls: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0

    def add(self, other: UsageCounts) -> None:
        self.calls += other.calls
        self.errors += other.errors
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.latency_ms += other.latency_ms


@dataclass
class UsageBuffer:
    """Counts not yet written to the database. Thread-safe."""

    _pending: dict[UsageKey, UsageCounts] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: UsageKey, counts: UsageCounts) -> None:
        with self._lock:
            self._pending.setdefault(key, UsageCounts()).add(counts)

    def drain(self) -> dict[UsageKey, UsageCounts]:
        with self._lock:
            drained, self._pending = self._pending, {}
            return drained

    def restore(self, items: dict[UsageKey, UsageCounts]) -> None:
        with self._lock:
            for key, counts in items.items():
                self._pending.setdefault(key, UsageCounts()).add(counts)

    def pending_for(self, org_id: int) -> dict[UsageKey, UsageCounts]:
        with self._lock:
            return {
                key: UsageCounts(c.calls, c.errors, c.prompt_tokens, c.completion_tokens, c.latency_ms)
                for key, c in self._pending.items()
                if key.org_id == org_id
            }

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()


usage_buffer = UsageBuffer()


def record_usage(
    *,
    org_id: int | None,
    kind: str,
    provider: str,
    model: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    latency_seconds: float = 0.0,
    error: bool = False,
) -> None:
    """Count one call. Calls made for no org (``org_id=None``) only reach the Prometheus counters."""
    LLM_CALLS.labels(kind, provider, model, "error" if error else "ok").inc()
    if prompt_tokens:
        LLM_TOKENS.labels(kind, provider, model, "prompt").inc(prompt_tokens)
    if completion_tokens:
        LLM_TOKENS.labels(kind, provider, model, "completion").inc(completion_tokens)
    LLM_SECONDS.labels(kind, provider).observe(latency_seconds)
    if org_id is None:
        return
    key = UsageKey(org_id=org_id, day=utcnow().date(), kind=kind, provider=provider, model=model[:200])
    counts = UsageCounts(
        calls=1,
        errors=int(error),
        prompt_tokens=max(0, prompt_tokens),
        completion_tokens=max(0, completion_tokens),
        latency_ms=round(latency_seconds * 1000),
    )
    usage_buffer.add(key, counts)
    _flusher.ensure_started()


# -- writing the buffer ------------------------------------------------------------------------------------------

_INSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _upsert(session: Session, key: UsageKey, counts: UsageCounts) -> None:
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:  # pragma: no cover - LeadPilot runs on SQLite and PostgreSQL
        raise NotImplementedError(f"usage accounting does not support {dialect}")
    now = utcnow()
    statement: Any = _INSERTS[dialect](LlmUsage).values(
        org_id=key.org_id,
        day=key.day,
        kind=key.kind,
        provider=key.provider,
        model=key.model,
        calls=counts.calls,
        errors=counts.errors,
        prompt_tokens=counts.prompt_tokens,
        completion_tokens=counts.completion_tokens,
        latency_ms=counts.latency_ms,
        created_at=now,
        updated_at=now,
    )
    added = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["org_id", "day", "kind", "provider", "model"],
        set_={
            "calls": LlmUsage.calls + added.calls,
            "errors": LlmUsage.errors + added.errors,
            "prompt_tokens": LlmUsage.prompt_tokens + added.prompt_tokens,
            "completion_tokens": LlmUsage.completion_tokens + added.completion_tokens,
            "latency_ms": LlmUsage.latency_ms + added.latency_ms,
            "updated_at": now,
        },
    )
    session.execute(statement)


def flush_usage() -> int:
    """Write this process's pending counts, in a transaction of their own; returns how many rows were touched.
    Counts of orgs deleted meanwhile are dropped. On failure the counts go back to the buffer and the error is raised.
    """
    from leadpilot.db.session import transaction
    from leadpilot.orgs.models import Org

    pending = usage_buffer.drain()
    if not pending:
        return 0
    try:
        with transaction() as session:
            org_ids = {key.org_id for key in pending}
            existing = set(session.scalars(select(Org.id).where(Org.id.in_(org_ids))))
            written = 0
            for key, counts in sorted(pending.items(), key=lambda item: _sort_key(item[0])):
                if key.org_id in existing:
                    _upsert(session, key, counts)
                    written += 1
    except BaseException:
        usage_buffer.restore(pending)
        raise
    return written


def _sort_key(key: UsageKey) -> tuple[Any, ...]:
    # One order for every writer, so that two processes upserting the same rows cannot deadlock on PostgreSQL.
    return (key.org_id, key.day, key.kind, key.provider, key.model)


class _Flusher:
    """A daemon thread per process that flushes the buffer every ``LEADPILOT_LLM_USAGE_FLUSH_SECONDS``, and once more
    at exit. Not started in the test environment, where tests flush explicitly inside their rolled-back transaction.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._at_exit_registered = False

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        settings = get_settings()
        if settings.environment == "test" or settings.llm_usage_flush_seconds <= 0:
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            interval = settings.llm_usage_flush_seconds
            self._thread = threading.Thread(target=self._run, args=(interval,), name="llm-usage-flush", daemon=True)
            self._thread.start()
            self._pid = os.getpid()  # a forked child has no such thread: it starts its own
            if not self._at_exit_registered:
                atexit.register(self._flush_quietly)
                self._at_exit_registered = True

    def _run(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            self._flush_quietly()

    @staticmethod
    def _flush_quietly() -> None:
        try:
            flush_usage()
        except Exception:
            log.warning("could not write model usage; will retry", exc_info=True)


_flusher = _Flusher()


# -- metered providers -------------------------------------------------------------------------------------------


class MeteredChat:
    """A ``ChatModel`` that counts every call of ``inner`` for ``org_id``."""

    def __init__(self, inner: ChatModel, *, org_id: int | None) -> None:
        self.inner = inner
        self.org_id = org_id

    @property
    def provider(self) -> str:
        return self.inner.provider

    @property
    def model(self) -> str:
        return self.inner.model

    def __repr__(self) -> str:
        return f"MeteredChat({self.inner!r}, org_id={self.org_id})"

    def _record(self, *, usage: Usage, latency: float, error: bool = False) -> None:
        record_usage(
            org_id=self.org_id,
            kind=CHAT,
            provider=self.provider,
            model=self.model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            latency_seconds=latency,
            error=error,
        )

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatResult:
        started = time.perf_counter()
        try:
            result = self.inner.complete(
                messages, tools=tools, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens
            )
        except Exception:
            self._record(usage=Usage(), latency=time.perf_counter() - started, error=True)
            raise
        self._record(usage=result.usage, latency=time.perf_counter() - started)
        return result

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatStream:
        inner = self.inner.stream(
            messages, tools=tools, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens
        )
        return ChatStream(self._metered(inner))

    def _metered(self, inner: ChatStream) -> Generator[str, None, ChatResult]:
        started = time.perf_counter()
        try:
            yield from inner
        except GeneratorExit:
            # The reader stopped early: the call happened, its token counts are unknown.
            self._record(usage=Usage(), latency=time.perf_counter() - started)
            raise
        except Exception:
            self._record(usage=Usage(), latency=time.perf_counter() - started, error=True)
            raise
        finally:
            inner.close()
        result = inner.result
        self._record(usage=result.usage, latency=time.perf_counter() - started)
        return result


class MeteredEmbedder:
    """An ``Embedder`` that counts every call of ``inner`` for ``org_id``; tokens are counted when ``inner`` can
    (``embed_counted``), as the bundled MiniLM and OpenAI-compatible embedders do."""

    def __init__(self, inner: Embedder, *, org_id: int | None) -> None:
        self.inner = inner
        self.org_id = org_id

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def provider(self) -> str:
        return str(getattr(self.inner, "provider", type(self.inner).__name__))

    def __repr__(self) -> str:
        return f"MeteredEmbedder({self.inner!r}, org_id={self.org_id})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        tokens = 0
        try:
            counted = getattr(self.inner, "embed_counted", None)
            if counted is not None:
                vectors, tokens = counted(texts)
            else:
                vectors = self.inner.embed(texts)
        except Exception:
            self._record(tokens=0, latency=time.perf_counter() - started, error=True)
            raise
        self._record(tokens=tokens, latency=time.perf_counter() - started)
        return vectors

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _record(self, *, tokens: int, latency: float, error: bool = False) -> None:
        record_usage(
            org_id=self.org_id,
            kind=EMBEDDING,
            provider=self.provider,
            model=self.name,
            prompt_tokens=tokens,
            latency_seconds=latency,
            error=error,
        )


def metered_chat(model: ChatModel, *, org_id: int | None) -> MeteredChat:
    """``model`` with its calls counted for ``org_id`` (an already metered model is re-bound, not wrapped twice)."""
    inner = model.inner if isinstance(model, MeteredChat) else model
    return MeteredChat(inner, org_id=org_id)


def metered_embedder(embedder: Embedder, *, org_id: int | None) -> MeteredEmbedder:
    inner = embedder.inner if isinstance(embedder, MeteredEmbedder) else embedder
    return MeteredEmbedder(inner, org_id=org_id)
