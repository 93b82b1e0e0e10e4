"""``OpenAICompatibleChat``: any server that speaks ``POST /chat/completions`` — OpenAI, Azure OpenAI, vLLM, Ollama,
llama.cpp server, LM Studio, a LiteLLM proxy.

Tools go in the ``tools`` field, JSON-schema output in ``response_format`` (``{"type": "json_schema", ...}``) and
streaming is server-sent events of ``chat.completion.chunk`` objects, with ``stream_options.include_usage`` so that the
last chunk carries the token counts. Retries, the circuit breaker and error mapping live in ``_http``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import httpx
from pydantic import SecretStr

from leadpilot.llm._http import EndpointClient
from leadpilot.llm.chat import (
    ChatResult,
    ChatStream,
    JsonSchemaLike,
    MessageLike,
    ToolCall,
    ToolLike,
    Usage,
    as_messages,
    as_tools,
    estimate_tokens,
    schema_of,
)
from leadpilot.llm.errors import LlmUnavailable


class OpenAICompatibleChat:
    provider = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        circuit_failures: int = 5,
        circuit_reset_seconds: float = 30.0,
        extra_body: Mapping[str, Any] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self.extra_body = dict(extra_body or {})
        self._http = EndpointClient(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            circuit_failures=circuit_failures,
            circuit_reset_seconds=circuit_reset_seconds,
            setting_prefix="LEADPILOT_LLM",
            transport=transport,
            sleep=sleep,
        )

    @property
    def base_url(self) -> str:
        """The endpoint, without any user name or password it contains."""
        return self._http.shown_url

    @property
    def circuit_state(self) -> str:
        """``closed``, ``open`` or ``half-open``: the breaker shared by every client of this base URL in the process."""
        return self._http.breaker.state

    def __repr__(self) -> str:
        return f"OpenAICompatibleChat(base_url={self.base_url!r}, model={self.model!r})"

    def close(self) -> None:
        self._http.close()

    def _payload(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None,
        json_schema: JsonSchemaLike | None,
        temperature: float,
        max_tokens: int,
        stream: bool,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            **self.extra_body,
            "model": self.model,
            "messages": [message.to_openai() for message in as_messages(messages)],
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        tool_specs = as_tools(tools)
        if tool_specs:
            payload["tools"] = [tool.to_openai() for tool in tool_specs]
        if json_schema is not None:
            name, schema = schema_of(json_schema)
            # OpenAI's strict mode refuses schemas that allow extra properties; other servers ignore the flag.
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": schema.get("additionalProperties") is False},
            }
        if stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        return payload

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatResult:
        payload = self._payload(
            messages, tools=tools, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens, stream=False
        )
        started = time.perf_counter()
        body = self._http.post_json("/chat/completions", payload)
        latency = time.perf_counter() - started
        choices = body.get("choices") or []
        if not choices or not isinstance(choices[0], dict):
            raise LlmUnavailable(f"{self.base_url}/chat/completions answered without choices")
        choice = choices[0]
        message = choice.get("message") or {}
        text = message.get("content") or ""
        calls = tuple(
            ToolCall.parse(
                name=(call.get("function") or {}).get("name", ""),
                raw_arguments=(call.get("function") or {}).get("arguments"),
                id=call.get("id"),
            )
            for call in message.get("tool_calls") or ()
        )
        return ChatResult(
            text=text,
            tool_calls=calls,
            usage=_usage(body.get("usage"), payload["messages"], text),
            model=body.get("model") or self.model,
            latency=latency,
            finish_reason=choice.get("finish_reason"),
        )

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatStream:
        payload = self._payload(
            messages, tools=tools, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens, stream=True
        )
        return ChatStream(self._stream(payload))

    def _stream(self, payload: dict[str, Any]) -> Generator[str, None, ChatResult]:
        started = time.perf_counter()
        parts: list[str] = []
        # Tool calls arrive in fragments keyed by index: the first carries id and name, later ones more arguments.
        calls: dict[int, dict[str, Any]] = {}
        usage_body: Any = None
        model = self.model
        finish_reason = None
        with self._http.post_stream("/chat/completions", payload) as events:
            for event in events:
                model = event.get("model") or model
                if event.get("usage"):
                    usage_body = event["usage"]
                for choice in event.get("choices") or ():
                    delta = choice.get("delta") or {}
                    finish_reason = choice.get("finish_reason") or finish_reason
                    for fragment in delta.get("tool_calls") or ():
                        slot = calls.setdefault(fragment.get("index", len(calls)), {"id": None, "name": "", "args": []})
                        slot["id"] = fragment.get("id") or slot["id"]
                        function = fragment.get("function") or {}
                        slot["name"] += function.get("name") or ""
                        slot["args"].append(function.get("arguments") or "")
                    content = delta.get("content")
                    if content:
                        parts.append(content)
                        yield content
        if finish_reason is None:
            # Every server ends an answer with a finish_reason; a connection closed before it cut the answer short.
            raise LlmUnavailable(f"{self.base_url}/chat/completions closed the stream before the answer was complete")
        text = "".join(parts)
        tool_calls = tuple(
            ToolCall.parse(name=slot["name"], raw_arguments="".join(slot["args"]), id=slot["id"])
            for _, slot in sorted(calls.items())
        )
        return ChatResult(
            text=text,
            tool_calls=tool_calls,
            usage=_usage(usage_body, payload["messages"], text),
            model=model,
            latency=time.perf_counter() - started,
            finish_reason=finish_reason,
        )


def _usage(body: Any, messages: list[dict[str, Any]], text: str) -> Usage:
    if isinstance(body, dict) and ("prompt_tokens" in body or "completion_tokens" in body):
        return Usage(
            prompt_tokens=int(body.get("prompt_tokens") or 0), completion_tokens=int(body.get("completion_tokens") or 0)
        )
    # Some servers report no usage (or not when streaming): estimate, so that accounting is not silently zero.
    prompt = "".join(str(message.get("content") or "") for message in messages)
    return Usage(prompt_tokens=estimate_tokens(prompt), completion_tokens=estimate_tokens(text))
