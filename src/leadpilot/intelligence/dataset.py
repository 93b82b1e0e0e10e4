"""The labelled messages the classifiers learn from, and the tasks they label.

``data/examples.jsonl`` (training) and ``data/heldout.jsonl`` (evaluation only: never read by training) hold one
inbound sales message per line with a label for every task at once::

    {"text": "...", "language": "en", "intent": "pricing", "objection": "price", "sentiment": "negative",
     "emotion": "concern", "buying_signal": "weak"}

An org adds its own examples (one task and label each, ``IntelligenceExample`` rows); they are merged with the
shipped ones by ``training_set``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

TASKS: dict[str, tuple[str, ...]] = {
    "intent": (
        "information",
        "pricing",
        "demo_request",
        "purchase_intent",
        "support",
        "complaint",
        "unsubscribe",
        "human_handoff",
        "not_interested",
    ),
    "objection": ("none", "price", "timing", "authority", "need", "competitor", "trust", "contract"),
    "sentiment": ("negative", "neutral", "positive"),
    "emotion": ("neutral", "joy", "frustration", "concern", "confusion"),
    "buying_signal": ("none", "weak", "strong"),
}
# An org may teach new intents (e.g. "refund_request"); the other tasks feed fixed downstream logic.
OPEN_TASKS = frozenset({"intent"})
LABEL_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: str
    source: str = "shipped"  # shipped | org


def normalise_text(text: str) -> str:
    return " ".join(text.lower().split())


@cache
def _load(name: str) -> tuple[Mapping[str, str], ...]:
    path = resources.files("leadpilot.intelligence").joinpath("data").joinpath(name)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return tuple(rows)


def shipped_examples() -> tuple[Mapping[str, str], ...]:
    return _load("examples.jsonl")


def heldout_examples() -> tuple[Mapping[str, str], ...]:
    return _load("heldout.jsonl")


def training_set(task: str, org_examples: Iterable[tuple[str, str]] = ()) -> list[LabelledText]:
    """The shipped examples of ``task`` plus the org's ``(text, label)`` pairs. An org example whose text equals a
    shipped one replaces its label: that is how an org corrects a shipped example it disagrees with."""
    overrides = {normalise_text(text): label for text, label in org_examples}
    rows = [
        LabelledText(row["text"], row[task])
        for row in shipped_examples()
        if normalise_text(row["text"]) not in overrides
    ]
    seen = set()
    for text, label in org_examples:
        key = (normalise_text(text), label)
        if key not in seen:
            seen.add(key)
            rows.append(LabelledText(text, label, "org"))
    return rows
