from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel

from leadpilot.llm import (
    ChatMessage,
    ChatModel,
    Embedder,
    HashingEmbedder,
    LlmUnavailable,
    ScriptedChat,
    ScriptedReply,
    Tool,
    ToolCall,
)


class Verdict(BaseModel):
    supported: bool


def test_scripted_chat_replies_in_order_and_records_calls() -> None:
    model = ScriptedChat(
        [
            ToolCall("search_knowledge", {"query": "pricing"}, id="call_1"),
            "The Pro plan costs $49 a month.",
            {"supported": True},
        ]
    )
    assert isinstance(model, ChatModel)
    search = Tool("search_knowledge", "Search the knowledge base")

    first = model.complete([ChatMessage.user("How much is Pro?")], tools=[search])
    second = model.complete(
        [
            ChatMessage.user("How much is Pro?"),
            ChatMessage.assistant(tool_calls=first.tool_calls),
            ChatMessage.tool("Pro: $49/month", tool_call_id="call_1"),
        ],
        tools=[search],
        temperature=0.0,
    )
    third = model.complete([ChatMessage.user("Is $49 supported?")], json_schema=Verdict, max_tokens=20)

    assert first.tool_calls == (ToolCall("search_knowledge", {"query": "pricing"}, id="call_1"),)
    assert first.finish_reason == "tool_calls"
    assert second.text == "The Pro plan costs $49 a month."
    assert Verdict.model_validate(third.json()) == Verdict(supported=True)
    assert third.usage.prompt_tokens > 0
    assert third.usage.completion_tokens > 0

    assert len(model.calls) == 3
    assert model.calls[0].tools[0].name == "search_knowledge"
    assert model.calls[1].messages[2].role == "tool"
    assert model.calls[1].temperature == 0.0
    assert model.calls[2].json_schema == Verdict.model_json_schema()
    assert model.calls[2].max_tokens == 20
    assert model.calls[2].last_user_message == "Is $49 supported?"
    assert model.remaining == 0


def test_scripted_chat_raises_scripted_errors_and_computes_replies() -> None:
    model = ScriptedChat([LlmUnavailable("endpoint down"), lambda call: f"echo: {call.last_user_message}"])
    with pytest.raises(LlmUnavailable, match="endpoint down"):
        model.complete([ChatMessage.user("one")])
    assert model.complete([ChatMessage.user("two")]).text == "echo: two"


def test_scripted_chat_without_replies_fails_the_test_clearly() -> None:
    model = ScriptedChat(["only one"])
    model.complete([ChatMessage.user("first")])
    with pytest.raises(AssertionError, match=r"no reply left for call 2 .*'second'"):
        model.complete([ChatMessage.user("second")])


def test_scripted_chat_default_reply() -> None:
    model = ScriptedChat(default="fine")
    assert [model.complete([ChatMessage.user(str(i))]).text for i in range(3)] == ["fine"] * 3


def test_scripted_chat_streams_words() -> None:
    model = ScriptedChat([ScriptedReply(text="Happy to help with that.")])
    stream = model.stream([ChatMessage.system("be nice"), ChatMessage.user("hi")])
    assert list(stream) == ["Happy ", "to ", "help ", "with ", "that."]
    assert stream.result.text == "Happy to help with that."
    assert model.calls[0].streamed is True
    assert model.calls[0].system_prompt == "be nice"


def test_result_read_before_the_stream_ends_is_an_error() -> None:
    stream = ScriptedChat(["a b"]).stream([ChatMessage.user("x")])
    with pytest.raises(RuntimeError, match="not been read to the end"):
        _ = stream.result


def test_messages_are_validated() -> None:
    model = ScriptedChat(default="x")
    with pytest.raises(TypeError, match="sequence of messages"):
        model.complete("hello")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a role"):
        model.complete([{"role": "wizard", "content": "hi"}])
    with pytest.raises(ValueError, match="at least one message"):
        model.complete([])


def test_hashing_embedder_is_a_unit_norm_embedder() -> None:
    embedder = HashingEmbedder(dimension=64)
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed(["pricing of the pro plan", "the pro plan pricing", "weather in lisbon", ""])
    assert vectors.shape == (4, 64)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    np.testing.assert_array_equal(embedder.embed_one("pricing of the pro plan"), vectors[0])
    assert embedder.embed([]).shape == (0, 64)
