"""The shipped classifiers, trained once per test session with the real bundled MiniLM embedder, and shared with
the service (same cache key), so API tests do not train again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from leadpilot.intelligence.classifier import IntelligenceModel, train_model
from leadpilot.intelligence.service import MODEL_PREFIX, MODELS
from leadpilot.llm.providers import get_embedder
from tests.web.conftest import browser  # noqa: F401 -- the signed-in dashboard client of the web tests


@pytest.fixture(scope="session")
def embed() -> Callable[[Sequence[str]], np.ndarray]:
    return get_embedder().embed


@pytest.fixture(scope="session")
def model() -> IntelligenceModel:
    embedder = get_embedder()
    version = f"{MODEL_PREFIX}/shipped"
    return MODELS.get(
        (None, version, embedder.name),
        lambda: train_model(embedder.embed, embedder_name=embedder.name, version=version),
    )
