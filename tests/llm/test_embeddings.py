"""The bundled MiniLM embedder, with the real model."""

from __future__ import annotations

import numpy as np
import pytest

from leadpilot.llm import Embedder, MiniLMEmbedder

PAIRS = [
    ("How much does the Pro plan cost per month?", "What is the monthly price of the Pro subscription?"),
    ("Can I cancel my contract at any time?", "Is it possible to terminate the agreement whenever I want?"),
    ("I'd like to book a demo next Tuesday.", "Could we schedule a product demonstration for Tuesday?"),
]
UNRELATED = [
    "The hiking trail follows the river through the forest.",
    "Bake the bread at 220 degrees for forty minutes.",
    "The orchestra tuned their instruments before the concert.",
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    model = MiniLMEmbedder()
    model.load()
    return model


def test_it_is_an_embedder_of_384_dimensions(embedder: MiniLMEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384
    assert embedder.name == "all-MiniLM-L6-v2-int8"


def test_shape_dtype_and_unit_norm(embedder: MiniLMEmbedder) -> None:
    texts = [text for pair in PAIRS for text in pair] + UNRELATED
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_one("hello").shape == (384,)


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: MiniLMEmbedder) -> None:
    for (left, right), unrelated in zip(PAIRS, UNRELATED, strict=True):
        a, b, c = embedder.embed([left, right, unrelated])
        assert a @ b > 0.4, (left, right, float(a @ b))
        assert a @ c < 0.25, (left, unrelated, float(a @ c))
        assert a @ b > a @ c + 0.3


def test_retrieval_finds_the_paraphrase(embedder: MiniLMEmbedder) -> None:
    questions = embedder.embed([left for left, _ in PAIRS])
    answers = embedder.embed([right for _, right in PAIRS] + UNRELATED)
    assert (questions @ answers.T).argmax(axis=1).tolist() == [0, 1, 2]


def test_deterministic_and_batch_equals_single(embedder: MiniLMEmbedder) -> None:
    texts = ["short", "a somewhat longer sentence about meetings and follow-ups with leads", "", "Preis: 49 € / Monat"]
    batch = embedder.embed(texts)
    np.testing.assert_array_equal(batch, embedder.embed(texts))
    singles = np.stack([embedder.embed_one(text) for text in texts])
    np.testing.assert_allclose(batch, singles, atol=2e-3)
    assert (batch * singles).sum(axis=1).min() > 0.999
    small_batches = MiniLMEmbedder(batch_size=1).embed(texts)
    np.testing.assert_allclose(small_batches, singles, atol=1e-6)


def test_long_texts_are_truncated_at_256_tokens(embedder: MiniLMEmbedder) -> None:
    head = " ".join(["pricing"] * 300)
    vectors, tokens = embedder.embed_counted([head, head + " completely different ending about the weather"])
    assert tokens == 2 * 256
    np.testing.assert_array_equal(vectors[0], vectors[1])


def test_empty_input_and_a_bare_string(embedder: MiniLMEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)
    with pytest.raises(TypeError, match="embed_one"):
        embedder.embed("a string is not a list of texts")  # type: ignore[arg-type]


def test_instances_share_one_loaded_model(embedder: MiniLMEmbedder) -> None:
    other = MiniLMEmbedder()
    assert other._runtime() is embedder._runtime()
