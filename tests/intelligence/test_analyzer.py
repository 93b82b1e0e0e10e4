"""Annotations of one message: their shape (what scoring reads), quotes, outbound and wordless messages, and the
optional refinement by a chat model."""

from __future__ import annotations

from datetime import UTC, datetime

from leadpilot.intelligence.analyzer import analyze
from leadpilot.intelligence.classifier import IntelligenceModel
from leadpilot.llm.fakes import ScriptedChat
from leadpilot.scoring.features import message_signal

AT = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)


def test_a_price_objection_is_found_with_its_quote_strategy_and_severity(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    text = "Thanks for the demo yesterday. Honestly the price is way more than we can afford right now."
    result = analyze(text, model=model, embed=embed, at=AT, message_id=42)
    objection = result["objections"][0]
    assert objection["type"] == "price"
    assert objection["quote"] == "Honestly the price is way more than we can afford right now."
    assert text[objection["span"][0] : objection["span"][1]] == objection["quote"]
    assert objection["message_id"] == 42
    assert 0 < objection["severity"] <= 1
    assert "value" in objection["strategy"]
    assert result["sentiment"]["score"] < 0
    assert result["language"]["code"] == "en"


def test_a_purchase_message_is_a_strong_buying_signal_that_scoring_reads(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    text = "We're ready to sign. Budget of $40k is approved, and we want to go live by end of March."
    result = analyze(text, model=model, embed=embed, at=AT, message_id=7)
    assert result["intent"]["label"] == "purchase_intent"
    assert result["buying_signals"]
    assert result["buying_signals"][0]["strength"] >= 0.6
    assert result["bant"]["budget"]["amount"] == 40_000
    assert result["bant"]["timeline"]["date"] == "2026-03-31"
    assert result["bant"]["budget"]["message_id"] == 7
    signal = message_signal(AT.timestamp(), result)
    assert signal is not None
    assert signal.high_intent
    assert not signal.negative_intent
    assert signal.buying_signal >= 0.6
    assert signal.sentiment > 0


def test_stop_is_an_unsubscribe_and_reads_as_negative_intent(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    result = analyze("STOP", model=model, embed=embed, at=AT)
    assert result["intent"]["label"] == "unsubscribe"
    signal = message_signal(AT.timestamp(), result)
    assert signal is not None
    assert signal.negative_intent
    assert not signal.high_intent


def test_other_languages_are_detected_and_classified(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    spanish = analyze("¿Podemos agendar una demo para el jueves?", model=model, embed=embed, at=AT)
    assert spanish["language"]["code"] == "es"
    assert spanish["intent"]["label"] == "demo_request"
    german = analyze("Bitte entfernen Sie mich aus Ihrem Verteiler.", model=model, embed=embed, at=AT)
    assert german["language"]["code"] == "de"
    assert german["intent"]["label"] == "unsubscribe"


def test_outbound_messages_get_their_language_only(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    result = analyze("Hi Ada, here is the quote you asked for.", model=model, embed=embed, at=AT, direction="outbound")
    assert set(result) == {"model_version", "language"}


def test_wordless_messages_are_neutral_not_guessed(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    for text in ("👍👍👍", "?!", "   "):
        result = analyze(text, model=model, embed=embed, at=AT)
        assert result["sentiment"] == {"label": "neutral", "score": 0.0, "confidence": 0.0}
        assert "intent" not in result
        assert message_signal(AT.timestamp(), result) is not None


def test_a_very_long_message_is_cut_not_refused(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    result = analyze("We need a better way to follow up. " * 5000, model=model, embed=embed, at=AT)
    assert result["intent"]["label"]
    assert result["bant"]["need"]["span"][1] < 20_000


def test_a_configured_chat_model_may_refine_an_uncertain_intent(model: IntelligenceModel, embed) -> None:  # type: ignore[no-untyped-def]
    text = "Hmm, interesting. Tell me more about how this works for agencies like ours and what it costs."
    plain = analyze(text, model=model, embed=embed, at=AT)
    sure = analyze(text, model=model, embed=embed, at=AT, chat=ScriptedChat(['{"intent": "pricing"}']), refine_below=0)
    assert sure["intent"] == plain["intent"], "a confident classifier is not second-guessed"
    chat = ScriptedChat(['{"intent": "pricing"}'])
    refined = analyze(text, model=model, embed=embed, at=AT, chat=chat, refine_below=1.01)
    assert refined["intent"]["label"] == "pricing"
    assert refined["intent"]["source"] == "llm"
    assert refined["intent"]["classifier"] == plain["intent"]
    assert refined["intents"][0]["label"] == "pricing"
    # an answer outside the labels is ignored
    ignored = analyze(
        text, model=model, embed=embed, at=AT, chat=ScriptedChat(['{"intent": "buy_now_please"}']), refine_below=1.01
    )
    assert ignored["intent"] == plain["intent"]
