"""``LocalChat`` with the bundled SmolLM2. Needs the ``local-llm`` extra; skipped, with the reason, without it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from leadpilot.llm import ChatMessage, LlmRequestRejected, LocalChat, Tool, local_llm_available

pytestmark = [
    pytest.mark.local_llm,
    pytest.mark.skipif(
        not local_llm_available(),
        reason="the local-llm extra is not installed: pip install 'leadpilot[local-llm]' (docs/models.md)",
    ),
]


class LeadSummary(BaseModel):
    interested: bool
    product: str = Field(max_length=60)
    urgency: int = Field(ge=1, le=5)


@pytest.fixture(scope="module")
def model() -> LocalChat:
    chat = LocalChat()
    chat.load()
    return chat


def test_plain_answer(model: LocalChat) -> None:
    result = model.complete([ChatMessage.user("Say hello to a new customer.")], temperature=0.0, max_tokens=30)
    assert result.text.strip()
    assert result.model == "SmolLM2-135M-Instruct-Q4_1"
    assert 0 < result.usage.completion_tokens <= 30
    assert result.usage.prompt_tokens > 0


def test_json_schema_output_is_valid(model: LocalChat) -> None:
    messages = [
        ChatMessage.system("Extract facts about the lead as JSON."),
        ChatMessage.user("Hi, I'm Dana from Acme. We need the Pro plan for 20 seats before Friday, it's urgent."),
    ]
    for temperature in (0.0, 0.8):
        result = model.complete(messages, json_schema=LeadSummary, temperature=temperature, max_tokens=120)
        summary = LeadSummary.model_validate(result.json())
        assert isinstance(summary.interested, bool)


def test_tool_choice_is_constrained_to_the_tools(model: LocalChat) -> None:
    tools = [
        Tool(
            "search_knowledge",
            "Search product documentation and prices.",
            {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        )
    ]
    result = model.complete(
        [ChatMessage.user("What does the Pro plan cost? Use the search tool.")],
        tools=tools,
        temperature=0.0,
        max_tokens=80,
    )
    if result.tool_calls:
        (call,) = result.tool_calls
        assert call.name == "search_knowledge"
        assert isinstance(call.arguments.get("query"), str)
    else:
        assert isinstance(result.text, str)


def test_stream_yields_deltas(model: LocalChat) -> None:
    stream = model.stream([ChatMessage.user("Name three colours.")], temperature=0.0, max_tokens=20)
    deltas = list(stream)
    assert len(deltas) > 1
    assert "".join(deltas) == stream.result.text
    assert stream.result.usage.completion_tokens == len(deltas)


def test_streamed_json_is_valid(model: LocalChat) -> None:
    stream = model.stream(
        [ChatMessage.user("Dana wants the Pro plan urgently.")], json_schema=LeadSummary, max_tokens=120
    )
    result = stream.read()
    LeadSummary.model_validate(result.json())


def test_a_prompt_longer_than_the_context_is_rejected_clearly() -> None:
    small = LocalChat(context_tokens=256)
    with pytest.raises(LlmRequestRejected, match="LEADPILOT_LLM_LOCAL_CONTEXT_TOKENS"):
        small.complete([ChatMessage.user("pricing " * 400)], max_tokens=10)
