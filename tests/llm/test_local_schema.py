"""How schemas are prepared for llama.cpp's grammar (no model needed)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from leadpilot.llm.chat import Tool
from leadpilot.llm.local import _grammar_schema, _tool_schema


class Score(BaseModel):
    urgency: int = Field(ge=1, le=5, description="1 = whenever, 5 = today")
    percent: int = Field(gt=-1, lt=101)
    budget: int = Field(ge=0)
    confidence: float = Field(ge=0, le=1)


def test_bounded_integers_become_enums_and_the_rest_is_kept() -> None:
    schema = _grammar_schema(Score.model_json_schema())
    properties = schema["properties"]
    urgency = {"title": "Urgency", "description": "1 = whenever, 5 = today", "enum": [1, 2, 3, 4, 5]}
    assert properties["urgency"] == urgency
    assert properties["percent"]["enum"] == list(range(101))
    assert properties["budget"] == {"minimum": 0, "title": "Budget", "type": "integer"}
    assert properties["confidence"]["type"] == "number"
    assert schema["required"] == ["urgency", "percent", "budget", "confidence"]


def test_tool_schema_offers_each_tool_or_an_answer() -> None:
    tools = [Tool("search", "Search", {"type": "object", "properties": {"q": {"type": "string"}}})]
    schema = _tool_schema(tools, None)
    assert schema["anyOf"][0]["properties"]["tool"] == {"const": "search"}
    assert schema["anyOf"][1] == {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
    }
