"""Reading model usage and provider status. Usage is the stored rows plus this process's counts not yet flushed."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.errors import InvalidInput
from leadpilot.llm.openai_compat import OpenAICompatibleChat
from leadpilot.llm.providers import get_chat_model, get_embedder
from leadpilot.llm.repository import LlmUsageRepository
from leadpilot.llm.schemas import (
    ChatModelStatus,
    EmbedderStatus,
    LlmStatus,
    LlmUsageCounts,
    LlmUsageReport,
    LlmUsageRow,
)
from leadpilot.llm.usage import CHAT, EMBEDDING, UsageCounts, usage_buffer

MAX_USAGE_DAYS = 366


def _counts(counts: UsageCounts) -> dict[str, int | float]:
    return {
        "calls": counts.calls,
        "errors": counts.errors,
        "prompt_tokens": counts.prompt_tokens,
        "completion_tokens": counts.completion_tokens,
        "total_tokens": counts.prompt_tokens + counts.completion_tokens,
        "avg_latency_ms": round(counts.latency_ms / counts.calls, 1) if counts.calls else 0.0,
    }


def usage_for_org(session: Session, principal: Principal, *, start: date, end: date) -> LlmUsageReport:
    """The caller's org's usage per day, kind, provider and model, from ``start`` to ``end`` (UTC days, inclusive)."""
    if start > end:
        raise InvalidInput("start must not be after end")
    if (end - start).days >= MAX_USAGE_DAYS:
        raise InvalidInput(f"ask for at most {MAX_USAGE_DAYS} days at a time")
    merged: dict[tuple[date, str, str, str], UsageCounts] = {}
    for row in LlmUsageRepository(session, principal).between(start, end):
        merged.setdefault((row.day, row.kind, row.provider, row.model), UsageCounts()).add(
            UsageCounts(row.calls, row.errors, row.prompt_tokens, row.completion_tokens, row.latency_ms)
        )
    for key, counts in usage_buffer.pending_for(principal.org_id).items():
        if start <= key.day <= end:
            merged.setdefault((key.day, key.kind, key.provider, key.model), UsageCounts()).add(counts)
    totals = {CHAT: UsageCounts(), EMBEDDING: UsageCounts()}
    items = []
    for (day, kind, provider, model), counts in sorted(merged.items()):
        totals.setdefault(kind, UsageCounts()).add(counts)
        items.append(LlmUsageRow(day=day, kind=kind, provider=provider, model=model, **_counts(counts)))  # type: ignore[arg-type]
    return LlmUsageReport(
        start=start,
        end=end,
        totals={kind: LlmUsageCounts(**_counts(counts)) for kind, counts in totals.items()},  # type: ignore[misc]
        items=items,
    )


def provider_status(principal: Principal) -> LlmStatus:
    chat = get_chat_model(principal.org_id)
    chat_status = None
    if chat is not None:
        inner = chat.inner
        remote = inner if isinstance(inner, OpenAICompatibleChat) else None
        chat_status = ChatModelStatus(
            provider=chat.provider,
            model=chat.model,
            base_url=remote.base_url if remote else None,
            circuit=remote.circuit_state if remote else None,  # type: ignore[arg-type]
        )
    embedder = get_embedder(principal.org_id)
    return LlmStatus(chat=chat_status, embeddings=EmbedderStatus(provider=embedder.provider, name=embedder.name))
