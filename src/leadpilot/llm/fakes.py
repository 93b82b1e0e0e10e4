"""Providers for tests: ``ScriptedChat`` answers from a script and records every call; ``HashingEmbedder`` is a fast,
deterministic bag-of-words embedder for tests where the meaning of the vectors does not matter.

    model = ScriptedChat([
        ToolCall("search_knowledge", {"query": "pricing"}),   # first call: the model asks for a tool
        "The Pro plan costs $49 a month.",                    # second call: plain text
        {"intent": "pricing", "confidence": 0.9},             # third call (json_schema=...): JSON
        LlmUnavailable("endpoint down"),                      # fourth call: raises
        lambda call: f"echo: {call.last_user_message}",       # fifth call: computed from the call
    ])
    ...
    assert model.calls[0].tools[0].name == "search_knowledge"
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leadpilot.llm.chat import (
    ChatMessage,
    ChatResult,
    ChatStream,
    JsonSchemaLike,
    MessageLike,
    Tool,
    ToolCall,
    ToolLike,
    Usage,
    as_messages,
    as_tools,
    estimate_tokens,
    schema_of,
)
from leadpilot.llm.embeddings import normalize_rows


@dataclass(frozen=True)
class ScriptedReply:
    text: str = ""
    tool_calls: Sequence[ToolCall] = ()


@dataclass(frozen=True)
class ChatCall:
    """What the code under test sent to the model."""

    messages: list[ChatMessage]
    tools: list[Tool]
    json_schema: dict[str, Any] | None
    temperature: float
    max_tokens: int
    streamed: bool

    @property
    def last_user_message(self) -> str:
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")

    @property
    def system_prompt(self) -> str:
        return "\n".join(m.content for m in self.messages if m.role == "system")


class ScriptedChat:
    """A ``ChatModel`` that returns the scripted replies in order, then ``default`` (or fails the test, naming the
    unexpected call, when there is none). A reply is a string, a ``ToolCall``, a ``ScriptedReply`` (text and tool
    calls), a dict or list (sent as JSON text), an exception (raised) or a function of the ``ChatCall`` returning one
    of these. Streams split the reply into words."""

    provider = "scripted"

    def __init__(self, replies: Iterable[Any] = (), *, model: str = "scripted", default: Any = None) -> None:
        self.model = model
        self.default = default
        self.calls: list[ChatCall] = []
        self._replies: deque[Any] = deque(replies)
        self._lock = threading.Lock()

    def add(self, *replies: Any) -> ScriptedChat:
        with self._lock:
            self._replies.extend(replies)
        return self

    @property
    def remaining(self) -> int:
        return len(self._replies)

    def _next(self, call: ChatCall) -> ScriptedReply:
        with self._lock:
            self.calls.append(call)
            if self._replies:
                reply = self._replies.popleft()
            elif self.default is not None:
                reply = self.default
            else:
                raise AssertionError(
                    f"ScriptedChat has no reply left for call {len(self.calls)} "
                    f"(last user message: {call.last_user_message[:200]!r})"
                )
        while callable(reply) and not isinstance(reply, BaseException | type):
            reply = reply(call)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, ScriptedReply):
            return reply
        if isinstance(reply, ToolCall):
            return ScriptedReply(tool_calls=(reply,))
        if isinstance(reply, str):
            return ScriptedReply(text=reply)
        if isinstance(reply, Mapping | list):
            return ScriptedReply(text=json.dumps(reply))
        raise TypeError(f"ScriptedChat cannot reply with {type(reply).__name__}")

    def _call(
        self,
        messages: Sequence[MessageLike],
        tools: Sequence[ToolLike] | None,
        json_schema: JsonSchemaLike | None,
        temperature: float,
        max_tokens: int,
        streamed: bool,
    ) -> ChatCall:
        return ChatCall(
            messages=as_messages(messages),
            tools=as_tools(tools),
            json_schema=schema_of(json_schema)[1] if json_schema is not None else None,
            temperature=temperature,
            max_tokens=max_tokens,
            streamed=streamed,
        )

    def _result(self, call: ChatCall, reply: ScriptedReply, started: float) -> ChatResult:
        prompt = " ".join(message.content for message in call.messages)
        return ChatResult(
            text=reply.text,
            tool_calls=tuple(reply.tool_calls),
            usage=Usage(prompt_tokens=estimate_tokens(prompt), completion_tokens=estimate_tokens(reply.text)),
            model=self.model,
            latency=time.perf_counter() - started,
            finish_reason="tool_calls" if reply.tool_calls else "stop",
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
        call = self._call(messages, tools, json_schema, temperature, max_tokens, streamed=False)
        return self._result(call, self._next(call), started)

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatStream:
        call = self._call(messages, tools, json_schema, temperature, max_tokens, streamed=True)
        return ChatStream(self._stream(call))

    def _stream(self, call: ChatCall) -> Generator[str, None, ChatResult]:
        started = time.perf_counter()
        reply = self._next(call)
        yield from re.findall(r"\S+\s*|\s+", reply.text)
        return self._result(call, reply, started)


@dataclass
class HashingEmbedder:
    """Words hashed into ``dimension`` buckets with a sign, then normalised: texts sharing words are close. No model,
    no I/O, identical everywhere."""

    dimension: int = 384
    provider: str = "fake"
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"hashing-{self.dimension}"

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
            vector[digest % self.dimension] += 1.0 if (digest >> 63) else -1.0
        if not vector.any():
            vector[0] = 1.0
        return vector

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts; use embed_one() for a single text")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalize_rows(np.stack([self._vector(str(text)) for text in texts]))

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_counted(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        return self.embed(texts), sum(len(re.findall(r"\w+", str(text))) for text in texts)
