"""``OpenAICompatibleChat`` and ``OpenAIEmbedder`` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from leadpilot.llm import (
    ChatMessage,
    LlmCircuitOpen,
    LlmMisconfigured,
    LlmRequestRejected,
    LlmUnavailable,
    OpenAICompatibleChat,
    OpenAIEmbedder,
    Tool,
    ToolCall,
)
from tests.llm.fake_openai import Answer, FakeOpenAI

KEY = "sk-test-0123456789-very-secret"
MESSAGES = [ChatMessage.system("You are terse."), ChatMessage.user("Say hello to the new lead.")]
SEARCH = Tool(
    name="search_knowledge",
    description="Search the knowledge base",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def chat(url: str, **options: Any) -> OpenAICompatibleChat:
    options.setdefault("sleep", Sleeps())
    options.setdefault("retry_backoff", 0.01)
    return OpenAICompatibleChat(base_url=url, model="fake-model", api_key=KEY, **options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_complete_sends_the_chat_request_and_reads_text_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(text="Hello there, welcome aboard."))
    result = chat(fake_openai.url).complete(MESSAGES, temperature=0.0, max_tokens=50)

    assert result.text == "Hello there, welcome aboard."
    assert result.tool_calls == ()
    assert result.model == "fake-model-1"
    assert result.finish_reason == "stop"
    assert result.usage.prompt_tokens == 9
    assert result.usage.completion_tokens == 4
    assert result.latency > 0
    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "fake-model"
    assert request.body["temperature"] == 0.0
    assert request.body["max_tokens"] == 50
    assert request.body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello to the new lead."},
    ]
    assert "stream" not in request.body


def test_plain_dict_messages_are_accepted(fake_openai: FakeOpenAI) -> None:
    chat(fake_openai.url).complete([{"role": "user", "content": "hi"}])
    assert fake_openai.requests[0].body["messages"] == [{"role": "user", "content": "hi"}]


def test_stream_yields_deltas_then_the_whole_result(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(text="Thanks for your interest in the Pro plan."))
    with chat(fake_openai.url).stream(MESSAGES) as stream:
        deltas = list(stream)

    assert len(deltas) == 8
    assert "".join(deltas) == "Thanks for your interest in the Pro plan."
    assert stream.result.text == "Thanks for your interest in the Pro plan."
    assert stream.result.usage.completion_tokens == 8
    assert stream.result.usage.prompt_tokens == 9
    assert stream.result.finish_reason == "stop"
    body = fake_openai.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert fake_openai.requests[0].headers["Accept"] == "text/event-stream"


def test_a_stream_without_reported_usage_is_estimated(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(text="Twelve characters", usage=False))
    result = chat(fake_openai.url).stream(MESSAGES).read()
    assert result.usage.completion_tokens == 5  # (17 characters + 3) // 4
    assert result.usage.prompt_tokens > 0


def test_tools_are_sent_and_tool_calls_parsed(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(tool_calls=[("search_knowledge", {"query": "pricing of the Pro plan"})]))
    result = chat(fake_openai.url).complete(MESSAGES, tools=[SEARCH])

    assert result.text == ""
    assert result.finish_reason == "tool_calls"
    (call,) = result.tool_calls
    assert call.name == "search_knowledge"
    assert call.arguments == {"query": "pricing of the Pro plan"}
    assert call.id == "call_0"
    assert call.error is None
    assert fake_openai.requests[0].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "search_knowledge",
                "description": "Search the knowledge base",
                "parameters": SEARCH.parameters,
            },
        }
    ]


def test_tool_calls_arrive_in_fragments_when_streaming(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(
        Answer(tool_calls=[("search_knowledge", {"query": "refund policy"}), ("book_meeting", {"slot": "Tue 10:00"})])
    )
    result = chat(fake_openai.url).stream(MESSAGES, tools=[SEARCH]).read()
    assert [(c.name, c.arguments, c.id) for c in result.tool_calls] == [
        ("search_knowledge", {"query": "refund policy"}, "call_0"),
        ("book_meeting", {"slot": "Tue 10:00"}, "call_1"),
    ]


def test_a_tool_conversation_is_sent_back_in_openai_form(fake_openai: FakeOpenAI) -> None:
    call = ToolCall("search_knowledge", {"query": "pricing"}, id="call_7")
    chat(fake_openai.url).complete(
        [
            ChatMessage.user("How much is Pro?"),
            ChatMessage.assistant(tool_calls=[call]),
            ChatMessage.tool("Pro costs $49 a month.", tool_call_id="call_7", name="search_knowledge"),
        ],
        tools=[SEARCH],
    )
    sent = fake_openai.requests[0].body["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_7",
                "type": "function",
                "function": {"name": "search_knowledge", "arguments": '{"query": "pricing"}'},
            }
        ],
    }
    assert sent[2] == {
        "role": "tool",
        "content": "Pro costs $49 a month.",
        "tool_call_id": "call_7",
        "name": "search_knowledge",
    }


def test_malformed_tool_arguments_are_reported_not_raised() -> None:
    call = ToolCall.parse(name="search", raw_arguments='{"query": "unfinished', id="c1")
    assert call.arguments == {}
    assert call.error is not None
    assert "not valid JSON" in call.error


class Intent(BaseModel):
    intent: str
    confidence: float


def test_json_schema_output_uses_response_format(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(text='{"intent": "pricing", "confidence": 0.9}'))
    result = chat(fake_openai.url).complete(MESSAGES, json_schema=Intent)

    assert Intent.model_validate(result.json()) == Intent(intent="pricing", confidence=0.9)
    response_format = fake_openai.requests[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Intent"
    assert response_format["json_schema"]["schema"] == Intent.model_json_schema()
    assert response_format["json_schema"]["strict"] is False


def test_a_strict_schema_is_marked_strict(fake_openai: FakeOpenAI) -> None:
    schema = {
        "title": "verdict",
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    }
    fake_openai.answer(Answer(text='```json\n{"ok": true}\n```'))
    result = chat(fake_openai.url).complete(MESSAGES, json_schema=schema)
    assert result.json() == {"ok": True}  # a Markdown fence around the JSON is tolerated
    assert fake_openai.requests[0].body["response_format"]["json_schema"]["strict"] is True


def test_rate_limited_then_success_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(
        Answer(status=429, error="Rate limit reached", headers={"Retry-After": "0"}), Answer(text="Made it.")
    )
    sleeps = Sleeps()
    model = chat(fake_openai.url, sleep=sleeps)
    assert model.complete(MESSAGES).text == "Made it."
    assert len(fake_openai.requests) == 2
    assert sleeps == [0.0]  # the server's Retry-After
    assert model.circuit_state == "closed"


def test_server_errors_are_retried_with_exponential_backoff(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(status=502), Answer(status=503), Answer(text="Finally."))
    sleeps = Sleeps()
    assert chat(fake_openai.url, sleep=sleeps, retry_backoff=1.0, max_retries=2).complete(MESSAGES).text == "Finally."
    assert len(sleeps) == 2
    assert 0.8 <= sleeps[0] <= 1.2
    assert 1.6 <= sleeps[1] <= 2.4


def test_retries_give_up_with_llm_unavailable_naming_the_url(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(*[Answer(status=500, error="boom")] * 3)
    with pytest.raises(LlmUnavailable, match=r"http://127\.0\.0\.1:\d+/v1/chat/completions failed with HTTP 500: boom"):
        chat(fake_openai.url, max_retries=2).complete(MESSAGES)
    assert len(fake_openai.requests) == 3


def test_repeated_server_errors_open_the_circuit_breaker(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(*[Answer(status=500)] * 3)
    model = chat(fake_openai.url, max_retries=0, circuit_failures=3, circuit_reset_seconds=1.0)
    for _ in range(3):
        with pytest.raises(LlmUnavailable) as failed:
            model.complete(MESSAGES)
        assert not isinstance(failed.value, LlmCircuitOpen)
    assert model.circuit_state == "open"

    started = time.perf_counter()
    with pytest.raises(LlmCircuitOpen, match=r"127\.0\.0\.1:\d+/v1/chat/completions failed 3 times in a row") as opened:
        model.complete(MESSAGES)
    assert time.perf_counter() - started < 0.1, "an open breaker fails fast"
    assert len(fake_openai.requests) == 3, "an open breaker sends nothing"
    assert opened.value.status_code == 503
    assert KEY not in str(opened.value)

    # Another instance for the same URL shares the breaker.
    with pytest.raises(LlmCircuitOpen):
        chat(fake_openai.url).complete(MESSAGES)

    time.sleep(1.05)
    assert model.circuit_state == "half-open"
    assert model.complete(MESSAGES).text == "Hello from the fake server."
    assert model.circuit_state == "closed"


def test_a_failed_trial_call_opens_the_breaker_again(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(*[Answer(status=503)] * 3)
    model = chat(fake_openai.url, max_retries=0, circuit_failures=2, circuit_reset_seconds=0.5)
    for _ in range(2):
        with pytest.raises(LlmUnavailable):
            model.complete(MESSAGES)
    time.sleep(0.55)
    with pytest.raises(LlmUnavailable):
        model.complete(MESSAGES)  # the trial call
    assert model.circuit_state == "open"
    with pytest.raises(LlmCircuitOpen):
        model.complete(MESSAGES)
    assert len(fake_openai.requests) == 3


def test_a_wrong_key_is_misconfiguration_and_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.api_key = "sk-the-right-one"
    with pytest.raises(LlmMisconfigured) as raised:
        chat(fake_openai.url).complete(MESSAGES)
    message = str(raised.value)
    assert "HTTP 401" in message
    assert fake_openai.url in message
    assert "LEADPILOT_LLM_API_KEY" in message
    assert KEY not in message
    assert raised.value.to_dict()["url"].endswith("/v1/chat/completions")
    assert len(fake_openai.requests) == 1


def test_a_wrong_path_is_misconfiguration(fake_openai: FakeOpenAI) -> None:
    base = fake_openai.url.removesuffix("/v1")  # forgot /v1
    with pytest.raises(LlmMisconfigured, match=r"404 Not Found.*LEADPILOT_LLM_BASE_URL \(it usually ends in /v1\)"):
        chat(base).complete(MESSAGES)
    assert len(fake_openai.requests) == 1


def test_a_rejected_request_carries_the_servers_reason(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(status=400, error="response_format json_schema is not supported"))
    with pytest.raises(LlmRequestRejected, match="json_schema is not supported"):
        chat(fake_openai.url).complete(MESSAGES)
    assert len(fake_openai.requests) == 1


def test_connection_refused_is_unavailable_after_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    sleeps = Sleeps()
    with pytest.raises(LlmUnavailable, match=rf"Cannot reach {url}/chat/completions: connection refused"):
        chat(url, sleep=sleeps, max_retries=2).complete(MESSAGES)
    assert len(sleeps) == 2


def test_connection_refused_while_streaming_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    stream = chat(url, max_retries=0).stream(MESSAGES)
    with pytest.raises(LlmUnavailable, match="connection refused"):
        next(stream)


def test_a_stream_dropped_midway_is_unavailable(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer(Answer(text="one two three four five six", drop_after=3))
    stream = chat(fake_openai.url, max_retries=0).stream(MESSAGES)
    received = [next(stream), next(stream)]
    with pytest.raises(LlmUnavailable, match="closed the stream before the answer was complete"):
        next(stream)
    assert received == ["one ", "two "]


def test_a_server_that_is_slow_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        with pytest.raises(LlmUnavailable, match="timed out"):
            chat(url, timeout=0.2, max_retries=0).complete(MESSAGES)
    finally:
        listener.close()


@pytest.mark.parametrize("url", ["localhost:11434/v1", "ftp://models.example.com/v1", "", "http://"])
def test_a_bad_url_is_misconfiguration(url: str) -> None:
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_LLM_BASE_URL"):
        chat(url)


def test_the_key_is_not_in_the_repr() -> None:
    model = chat("http://127.0.0.1:9/v1")
    assert KEY not in repr(model)
    assert KEY not in repr(model.__dict__)


def test_openai_embedder_batches_sorts_and_normalises(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(base_url=fake_openai.url, model="embed-small", api_key=KEY, batch_size=2)
    texts = ["pricing of the pro plan", "refund policy", "pricing of the pro plan", "meeting on tuesday", "x"]
    vectors, tokens = embedder.embed_counted(texts)

    assert vectors.shape == (5, 8)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2])
    np.testing.assert_allclose(embedder.embed_one("refund policy"), vectors[1], rtol=1e-6)
    assert tokens == 16
    assert embedder.dimension == 8
    assert embedder.name == "openai:embed-small"
    embedding_requests = [r for r in fake_openai.requests if r.path == "/v1/embeddings"]
    assert [len(r.body["input"]) for r in embedding_requests[:3]] == [2, 2, 1]
    assert embedding_requests[0].body["model"] == "embed-small"


def test_openai_embedder_checks_the_dimension(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(base_url=fake_openai.url, model="embed-small", dimension=1536)
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_EMBEDDINGS_DIMENSION is 1536"):
        embedder.embed(["hello"])


def test_a_password_in_the_url_is_not_shown(fake_openai: FakeOpenAI) -> None:
    url = fake_openai.url.replace("http://", "http://proxyuser:pw-hunter2@")
    fake_openai.answer(Answer(status=500, error="boom"))
    model = chat(url, max_retries=0)
    with pytest.raises(LlmUnavailable) as raised:
        model.complete(MESSAGES)
    assert fake_openai.url in str(raised.value)
    assert "hunter2" not in str(raised.value)
    assert "hunter2" not in repr(model)
    assert model.base_url == fake_openai.url
