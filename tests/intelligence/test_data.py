"""The shipped labelled sets: enough examples per class, several languages, and a held-out set that shares no
message with the training set."""

from __future__ import annotations

from collections import Counter

import pytest

from leadpilot.intelligence.dataset import TASKS, heldout_examples, normalise_text, shipped_examples


def test_the_heldout_set_shares_no_message_with_the_training_set() -> None:
    train = {normalise_text(r["text"]) for r in shipped_examples()}
    heldout = [normalise_text(r["text"]) for r in heldout_examples()]
    assert not train & set(heldout)
    assert len(heldout) == len(set(heldout))
    assert len(train) == len(shipped_examples())


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_class_has_enough_examples(task: str) -> None:
    train = Counter(r[task] for r in shipped_examples())
    heldout = Counter(r[task] for r in heldout_examples())
    assert set(train) == set(TASKS[task]) == set(heldout)
    assert min(train.values()) >= 40, train
    assert min(heldout.values()) >= 15, heldout


def test_the_examples_speak_several_languages() -> None:
    languages = Counter(r["language"] for r in shipped_examples())
    assert {"en", "es", "de", "fr"} <= set(languages)
    assert all(languages[code] >= 30 for code in ("es", "de", "fr"))
    assert languages["en"] > sum(languages.values()) / 2
