from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class LlmUsageCounts(BaseModel):
    calls: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    avg_latency_ms: float = 0.0


class LlmUsageRow(LlmUsageCounts):
    day: date
    kind: Literal["chat", "embedding"]
    provider: str
    model: str


class LlmUsageReport(BaseModel):
    start: date
    end: date
    totals: dict[Literal["chat", "embedding"], LlmUsageCounts]
    items: list[LlmUsageRow]


class ChatModelStatus(BaseModel):
    provider: str
    model: str
    base_url: str | None = None
    circuit: Literal["closed", "open", "half-open"] | None = None


class EmbedderStatus(BaseModel):
    provider: str
    name: str


class LlmStatus(BaseModel):
    """What generation can use: with ``chat`` null, follow-ups are written in strict mode."""

    chat: ChatModelStatus | None
    embeddings: EmbedderStatus
