"""One message in, its annotations out (the shape ``scoring.features.message_signal`` reads)::

    {"model_version": "intel-1/shipped",
     "language": {"code": "en", "confidence": 0.91},
     "sentiment": {"label": "negative", "score": -0.62, "confidence": 0.71},     score = P(positive) - P(negative)
     "emotion": {"label": "concern", "confidence": 0.55},
     "intent": {"label": "pricing", "confidence": 0.64}, "intents": [...],       every intent with p >= 0.2
     "buying_signals": [{"type": "pricing", "strength": 0.58, "quote": "...", "span": [0, 40], "message_id": 7}],
     "objections": [{"type": "price", "severity": 0.61, "confidence": 0.8, "strategy": "...", "quote": "...", ...}],
     "bant": {"budget": {"amount": 25000.0, "currency": "USD", "quote": "...", "span": [..], "confidence": 0.85,
                         "message_id": 7}, "authority": {...}, "need": {...}, "timeline": {"date": "2026-03-31", ...}}}

Quotes: a message of several sentences is also classified sentence by sentence (one embedding call for all), and
the quote of a signal or objection is the sentence that carries it most. Objection severity is the objection's
probability scaled by how hard the message pushes back (negative sentiment, a "not interested" intent). A
configured chat model may re-decide an uncertain intent (never required; the classifier's answer is kept beside it).
Outbound messages get their language only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel

from leadpilot.intelligence import bant, playbook
from leadpilot.intelligence.classifier import IntelligenceModel, TaskPrediction
from leadpilot.intelligence.language import detect

log = logging.getLogger("leadpilot.intelligence")

MAX_TEXT_CHARS = 20_000  # longer texts are cut (BANT rules); the classifiers read the first MAX_CLASSIFY_CHARS
MAX_CLASSIFY_CHARS = 4_000
MAX_SENTENCES = 24
INTENT_LIST_MIN = 0.2
SIGNAL_MIN = 0.4
OBJECTION_MIN = 0.4
REFINE_BELOW = 0.5
SENTIMENT_BAND = 0.25  # |score| below it reads neutral (messages of several sentences)
BUYING_INTENTS = frozenset({"pricing", "demo_request", "purchase_intent"})
_WORD = re.compile(r"[^\W_]", re.UNICODE)

Embed = Callable[[Sequence[str]], np.ndarray]


class _IntentChoice(BaseModel):
    intent: str


def _r(value: float) -> float:
    return round(float(value), 3)


def _best_sentence(
    prediction: TaskPrediction, label: str | Callable[[int], float], parts: list[bant.Sentence]
) -> bant.Sentence | None:
    """The sentence (rows 1.. of the prediction) with the highest probability of ``label`` (or score)."""
    if not parts:
        return None
    score = label if callable(label) else (lambda row: prediction.of(label, row))
    best = max(range(len(parts)), key=lambda i: score(i + 1))
    return parts[best]


def _quote(text: str, sentence: bant.Sentence | None, message_id: int | None) -> dict[str, Any]:
    if sentence is None:
        body = text.strip()
        start = text.find(body) if body else 0
        sentence = bant.Sentence(start, start + len(body), body)
    found: dict[str, Any] = {"quote": sentence.text, "span": [sentence.start, sentence.end]}
    if message_id is not None:
        found["message_id"] = message_id
    return found


def analyze(
    text: str,
    *,
    model: IntelligenceModel,
    embed: Embed,
    at: datetime,
    message_id: int | None = None,
    direction: str = "inbound",
    chat: Any = None,
    refine_below: float = REFINE_BELOW,
) -> dict[str, Any]:
    text = text[:MAX_TEXT_CHARS]
    annotations: dict[str, Any] = {"model_version": model.version, "language": detect(text)}
    if direction != "inbound":
        return annotations
    if not _WORD.search(text):
        # Emoji, punctuation or nothing: no words to classify; a neutral reading rather than a guess.
        annotations["sentiment"] = {"label": "neutral", "score": 0.0, "confidence": 0.0}
        annotations["skipped"] = "no words to classify"
        return annotations

    parts = bant.sentences(text[:MAX_CLASSIFY_CHARS])
    parts = parts[:MAX_SENTENCES] if len(parts) > 1 else []
    texts = [text[:MAX_CLASSIFY_CHARS], *(p.text for p in parts)]
    predictions = model.predict(texts, np.asarray(embed(texts), dtype=np.float32))

    sentiment = predictions["sentiment"]

    def polarity(row: int) -> float:
        return sentiment.of("positive", row) - sentiment.of("negative", row)

    score, label, confidence = polarity(0), *sentiment.best()
    emotion = predictions["emotion"].probabilities[0]
    if parts:
        # A polite opener ("Thanks for the demo") should not outvote the sentence that objects: the message reads
        # half as a whole and half as its most charged sentence, a clearly negative sentence first.
        rows = range(1, len(parts) + 1)
        negative = min(rows, key=polarity)
        charged = negative if polarity(negative) <= -SENTIMENT_BAND else max(rows, key=lambda r: abs(polarity(r)))
        score = 0.5 * score + 0.5 * polarity(charged)
        label = "negative" if score <= -SENTIMENT_BAND else "positive" if score >= SENTIMENT_BAND else "neutral"
        confidence = 0.5 * (sentiment.of(label) + sentiment.of(label, charged))
        emotion = 0.5 * (emotion + predictions["emotion"].probabilities[charged])
    annotations["sentiment"] = {"label": label, "score": _r(score), "confidence": _r(confidence)}
    best_emotion = int(np.argmax(emotion))
    annotations["emotion"] = {"label": predictions["emotion"].labels[best_emotion],
                              "confidence": _r(emotion[best_emotion])}  # fmt: skip

    intent = predictions["intent"]
    top, top_p = intent.best()
    ranked = sorted(intent.as_dict().items(), key=lambda kv: -kv[1])
    annotations["intent"] = {"label": top, "confidence": _r(top_p)}
    annotations["intents"] = [{"label": k, "confidence": _r(p)} for k, p in ranked if p >= INTENT_LIST_MIN] or [
        {"label": top, "confidence": _r(top_p)}
    ]

    signal = predictions["buying_signal"]

    def strength(row: int) -> float:
        return 0.5 * signal.of("weak", row) + signal.of("strong", row)

    annotations["buying_signals"] = []
    if strength(0) >= SIGNAL_MIN:
        annotations["buying_signals"].append(
            {
                "type": top if top in BUYING_INTENTS else "interest",
                "strength": _r(strength(0)),
                **_quote(text, _best_sentence(signal, strength, parts), message_id),
            }
        )

    objection = predictions["objection"]
    hardness = max(sentiment.of("negative"), intent.of("not_interested"))
    found = []
    for kind in objection.labels:
        if kind == "none":
            continue
        p = objection.of(kind)
        if parts:
            p = max(p, max(objection.of(kind, row) for row in range(1, len(parts) + 1)))
        if p >= OBJECTION_MIN or (kind == objection.best()[0]):
            found.append(
                {
                    "type": kind,
                    "confidence": _r(p),
                    "severity": _r(min(1.0, p * (0.5 + 0.5 * hardness))),
                    "strategy": playbook.strategy(kind),
                    **_quote(text, _best_sentence(objection, kind, parts), message_id),
                }
            )
    annotations["objections"] = sorted(found, key=lambda o: -o["confidence"])

    facts = bant.extract(text, at)
    if message_id is not None:
        for fact in facts.values():
            fact["message_id"] = message_id
    annotations["bant"] = facts

    if chat is not None and top_p < refine_below:
        _refine_intent(annotations, text, intent.labels, chat)
    return annotations


def _refine_intent(annotations: dict[str, Any], text: str, labels: Sequence[str], chat: Any) -> None:
    """Let the configured chat model pick the intent among the known labels; any failure keeps the classifier's."""
    from leadpilot.llm.chat import ChatMessage

    prompt = (
        "Classify the intent of this message from a lead or customer to a sales team. Answer with JSON "
        f'{{"intent": one of {", ".join(labels)}}}.\n\nMessage:\n{text[:MAX_CLASSIFY_CHARS]}'
    )
    try:
        result = chat.complete(
            [ChatMessage.system("You label sales messages."), ChatMessage.user(prompt)],
            json_schema=_IntentChoice,
            temperature=0.0,
            max_tokens=40,
        )
        choice = _IntentChoice.model_validate(result.json()).intent.strip().lower()
    except Exception:
        log.info("intent refinement failed; the classifier's intent is kept", exc_info=True)
        return
    if choice not in labels:
        return
    classifier = annotations["intent"]
    annotations["intent"] = {"label": choice, "confidence": classifier["confidence"], "source": "llm",
                             "classifier": classifier}  # fmt: skip
    annotations["intents"] = [{"label": choice, "confidence": classifier["confidence"], "source": "llm"}] + [
        i for i in annotations["intents"] if i["label"] != choice
    ]
    annotations["refined_by"] = getattr(result, "model", "") or "llm"
