"""The chat-model interface: messages in, a ``ChatResult`` (or a stream of text deltas) out.

Every provider (OpenAI-compatible endpoint, bundled SmolLM2, the scripted fake) implements ``ChatModel``::

    result = model.complete([ChatMessage.system("..."), ChatMessage.user("...")], json_schema=Verdict)
    verdict = Verdict.model_validate(result.json())

    with model.stream(messages) as stream:
        for delta in stream:
            send(delta)
    stream.result.usage.completion_tokens

Messages and tools may also be given as plain OpenAI-style dicts (``{"role": "user", "content": "..."}``,
``{"type": "function", "function": {...}}``); they are normalised here, once, for every provider.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

from pydantic import BaseModel

from leadpilot.llm.errors import LlmOutputInvalid

Role = Literal["system", "user", "assistant", "tool"]
_ROLES = ("system", "user", "assistant", "tool")


def _new_call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool the model asks to run. ``error`` is set when the model's arguments were not a JSON object; the caller
    should then answer with a tool message saying so rather than run the tool."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=_new_call_id)
    raw_arguments: str | None = None
    error: str | None = None

    @classmethod
    def parse(cls, *, name: str, raw_arguments: str | None, id: str | None = None) -> ToolCall:
        raw = raw_arguments or ""
        arguments: dict[str, Any] = {}
        error = None
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError as exc:
                error = f"arguments are not valid JSON: {exc.msg}"
            else:
                if isinstance(parsed, dict):
                    arguments = parsed
                else:
                    error = "arguments are not a JSON object"
        return cls(name=name, arguments=arguments, id=id or _new_call_id(), raw_arguments=raw, error=error)

    def to_openai(self) -> dict[str, Any]:
        raw = self.raw_arguments if self.raw_arguments is not None else json.dumps(self.arguments)
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": raw}}


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, content: str) -> ChatMessage:
        return cls("system", content)

    @classmethod
    def user(cls, content: str) -> ChatMessage:
        return cls("user", content)

    @classmethod
    def assistant(cls, content: str = "", *, tool_calls: Sequence[ToolCall] = ()) -> ChatMessage:
        return cls("assistant", content, tool_calls=tuple(tool_calls))

    @classmethod
    def tool(cls, content: str, *, tool_call_id: str, name: str | None = None) -> ChatMessage:
        return cls("tool", content, tool_call_id=tool_call_id, name=name)

    def to_openai(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [call.to_openai() for call in self.tool_calls]
            if not self.content:
                message["content"] = None
        if self.tool_call_id is not None:
            message["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            message["name"] = self.name
        return message


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may call; ``parameters`` is the JSON schema of its arguments."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    def to_openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": dict(self.parameters)},
        }


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class ChatResult:
    """One answer. ``latency`` is in seconds (for a stream: from the request to the last chunk)."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""
    latency: float = 0.0
    finish_reason: str | None = None

    def json(self) -> Any:
        """The answer parsed as JSON (for calls made with ``json_schema``). A Markdown code fence around it, which
        some servers add, is ignored."""
        text = self.text.strip()
        fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
        if fenced:
            text = fenced.group(1)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            model = f" {self.model}" if self.model else ""
            raise LlmOutputInvalid(
                f"The model{model} did not answer with JSON ({exc.msg} at character {exc.pos})"
            ) from None


class ChatStream(Iterator[str]):
    """Text deltas as the model produces them. Once exhausted, ``result`` holds the whole answer with its usage.

    Errors (endpoint down, misconfigured) surface on the first iteration. Closing the stream early (``close()``, or
    leaving the ``with`` block) releases the connection or the local model.
    """

    def __init__(self, deltas: Generator[str, None, ChatResult]) -> None:
        self._deltas = deltas
        self._result: ChatResult | None = None

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> str:
        try:
            return next(self._deltas)
        except StopIteration as stop:
            self._result = stop.value
            raise StopIteration from None

    @property
    def finished(self) -> bool:
        return self._result is not None

    @property
    def result(self) -> ChatResult:
        if self._result is None:
            raise RuntimeError("the stream has not been read to the end")
        return self._result

    def read(self) -> ChatResult:
        """Read the remaining deltas and return the whole answer."""
        for _ in self:
            pass
        return self.result

    def close(self) -> None:
        self._deltas.close()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


MessageLike: TypeAlias = ChatMessage | Mapping[str, Any]
ToolLike: TypeAlias = Tool | Mapping[str, Any]
JsonSchemaLike: TypeAlias = Mapping[str, Any] | type[BaseModel]


@runtime_checkable
class ChatModel(Protocol):
    """A chat model. ``provider`` names the implementation (``openai``, ``local``, ``scripted``); ``model`` the model.

    ``tools``: functions the model may ask to call (``ChatResult.tool_calls``). ``json_schema``: the answer must be
    JSON matching this schema (a dict or a pydantic model class); read it with ``ChatResult.json()``.
    """

    @property
    def provider(self) -> str: ...

    @property
    def model(self) -> str: ...

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatResult: ...

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatStream: ...


def as_message(message: MessageLike) -> ChatMessage:
    if isinstance(message, ChatMessage):
        return message
    role = message.get("role")
    if role not in _ROLES:
        raise ValueError(f"a chat message needs a role among {', '.join(_ROLES)}, got {role!r}")
    content = message.get("content") or ""
    if not isinstance(content, str):
        # OpenAI's list-of-parts form: keep the text parts.
        content = "".join(part.get("text", "") for part in content if isinstance(part, Mapping))
    calls = tuple(
        call
        if isinstance(call, ToolCall)
        else ToolCall.parse(
            name=call["function"]["name"], raw_arguments=call["function"].get("arguments"), id=call.get("id")
        )
        for call in message.get("tool_calls") or ()
    )
    return ChatMessage(
        role=role, content=content, tool_calls=calls, tool_call_id=message.get("tool_call_id"), name=message.get("name")
    )


def as_messages(messages: Sequence[MessageLike]) -> list[ChatMessage]:
    if isinstance(messages, str | ChatMessage | Mapping):
        raise TypeError("messages must be a sequence of messages, e.g. [ChatMessage.user('...')]")
    normalised = [as_message(message) for message in messages]
    if not normalised:
        raise ValueError("at least one message is needed")
    return normalised


def as_tool(tool: ToolLike) -> Tool:
    if isinstance(tool, Tool):
        return tool
    spec = tool.get("function", tool)
    return Tool(
        name=spec["name"],
        description=spec.get("description") or "",
        parameters=spec.get("parameters") or {"type": "object", "properties": {}},
    )


def as_tools(tools: Sequence[ToolLike] | None) -> list[Tool]:
    return [as_tool(tool) for tool in tools or ()]


def schema_of(json_schema: JsonSchemaLike) -> tuple[str, dict[str, Any]]:
    """``(name, schema)``: a pydantic model class gives its JSON schema; the name is the schema's title."""
    if isinstance(json_schema, type) and issubclass(json_schema, BaseModel):
        schema = json_schema.model_json_schema()
    elif isinstance(json_schema, Mapping):
        schema = dict(json_schema)
    else:
        raise TypeError("json_schema must be a JSON schema (dict) or a pydantic model class")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "answer"))[:64]
    return name, schema


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters per token) for servers that do not report usage."""
    return (len(text) + 3) // 4 if text else 0
