"""Language of a message: lingua, restricted to the languages the product answers in (a small set is both faster
and more accurate than all 75). Too short or wordless texts get no language rather than a guess."""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.GERMAN,
    Language.FRENCH,
    Language.PORTUGUESE,
    Language.ITALIAN,
    Language.DUTCH,
)
MIN_LETTERS = 3
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_lock = threading.Lock()


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_minimum_relative_distance(0.0).build()


def detect(text: str) -> dict[str, Any] | None:
    """``{"code": "de", "confidence": 0.93}`` (ISO 639-1), or None when the text has too few letters."""
    letters = len(_LETTERS.findall(text[:2000]))
    # One short word ("STOP", "ok") reads as any language: lingua would guess.
    if letters < MIN_LETTERS or (len(text.split()) < 2 and letters < 12):
        return None
    with _lock:
        detector = _detector()
    values = detector.compute_language_confidence_values(text[:2000])
    if not values:
        return None
    best = values[0]
    return {"code": best.language.iso_code_639_1.name.lower(), "confidence": round(float(best.value), 3)}
