"""Two small logistic models fitted on the evaluation set (benchmarks/calibrate_followup.py writes
``data/calibration.json``; docs/followups.md shows how well they hold up under cross-validation):

    answerability(question, chunks) ─ P(the knowledge base answers the lead's question), from how close the best
                                      chunks are to the question (cosine) and how many of its words they use
    calibrated_confidence(parts)    ─ P(the draft is grounded and handles the question right: answered from a
                                      relevant source, or honestly not answered when the sources cannot), from the
                                      draft's retrieval, grounding, strategy and answerability figures

A model is a list of feature names, their weights and an intercept; without the file (or for a feature it does not
know) nothing is guessed: ``load`` fails loudly, because confidence and abstention would silently change meaning.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from leadpilot.followup.grounding import key_terms

CALIBRATION_FILE = Path(__file__).parent / "data" / "calibration.json"
ANSWERABILITY_FEATURES = ("top_cosine", "second_cosine", "term_coverage", "best_chunk_coverage", "text_hits")
CONFIDENCE_FEATURES = (
    "retrieval",
    "grounding",
    "strategy",
    "answerability",
    "abstained",
    "question_coverage",
    "question_match",
)
# Words of a question that say it is a question, not what it is about.
_QUESTION_WORDS = frozenset(
    [
        "does", "did", "can", "could", "would", "will", "is", "are", "was", "there", "have", "has", "any",
        "anything", "your", "yours", "you", "we", "our", "offer", "offers", "provide",
        "support", "supports", "available", "possible", "able", "please", "tell", "know",
    ]
)  # fmt: skip


class ChunkLike(Protocol):
    @property
    def document_title(self) -> str: ...

    @property
    def section(self) -> str | None: ...

    @property
    def text(self) -> str: ...

    @property
    def vector_score(self) -> float | None: ...

    @property
    def text_rank(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class LogisticModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float = 0.5

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * float(values[name]) for name, w in zip(self.features, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": list(self.weights), "intercept": self.intercept,
                "threshold": self.threshold}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Calibration:
    answerability: LogisticModel
    confidence: LogisticModel
    fitted_on: str


def _model(raw: Mapping[str, Any], expected: Sequence[str]) -> LogisticModel:
    features = tuple(raw["features"])
    if set(features) - set(expected):
        raise ValueError(f"calibration names unknown features {sorted(set(features) - set(expected))}")
    return LogisticModel(features, tuple(float(w) for w in raw["weights"]), float(raw["intercept"]),
                         float(raw.get("threshold", 0.5)))  # fmt: skip


@lru_cache(maxsize=1)
def load(path: Path = CALIBRATION_FILE) -> Calibration:
    raw = json.loads(path.read_text())
    return Calibration(_model(raw["answerability"], ANSWERABILITY_FEATURES),
                       _model(raw["confidence"], CONFIDENCE_FEATURES), str(raw.get("fitted_on", "")))  # fmt: skip


_QUESTION_TERMS = key_terms(" ".join(_QUESTION_WORDS))


def question_terms(question: str) -> set[str]:
    """What a question is about: its content words without the ones every question uses."""
    return key_terms(question) - _QUESTION_TERMS


def answerability_features(question: str, chunks: Sequence[ChunkLike]) -> dict[str, float]:
    """What the answerability model reads of the chunks retrieved for the question alone (best first)."""
    cosines = sorted((max(0.0, c.vector_score or 0.0) for c in chunks), reverse=True)
    terms = question_terms(question)
    covered_by = [terms & key_terms(f"{c.document_title} {c.section or ''} {c.text}") for c in chunks[:3]]
    union = set().union(*covered_by) if covered_by else set()
    return {
        "top_cosine": cosines[0] if cosines else 0.0,
        "second_cosine": cosines[1] if len(cosines) > 1 else 0.0,
        "term_coverage": len(union) / len(terms) if terms else 1.0,
        "best_chunk_coverage": max((len(c) for c in covered_by), default=0) / len(terms) if terms else 1.0,
        "text_hits": sum(c.text_rank is not None for c in chunks[:5]) / 5.0,
    }


@dataclass(frozen=True, slots=True)
class Answerability:
    question: str
    probability: float
    answerable: bool
    features: dict[str, float]


def answerability(question: str, chunks: Sequence[ChunkLike]) -> Answerability:
    model = load().answerability
    features = answerability_features(question, chunks)
    probability = model.probability(features)
    return Answerability(question, probability, probability >= model.threshold, features)


def calibrated_confidence(parts: Mapping[str, float]) -> float:
    return load().confidence.probability(parts)
