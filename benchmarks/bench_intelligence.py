"""Conversation intelligence: quality per task on the held-out set (never trained on) and per-message latency.

1. Quality: the shipped classifiers (MiniLM embedding + char n-gram TF-IDF, logistic regression per task) trained on
   ``intelligence/data/examples.jsonl`` and scored on ``intelligence/data/heldout.jsonl``: accuracy and macro-F1 per
   task, against the majority class, the same logistic regression on the embeddings alone and on the n-grams alone,
   5-nearest-neighbours over the embeddings, and (sentiment) VADER alone when ``vaderSentiment`` is installed.
   Also intent accuracy by language (English / other).
2. Latency of ``analyze()`` on one message at a time (language, embedding of the message and its sentences, five
   classifiers, BANT rules), over every held-out message after a warm-up: p50 / p95 / max; and the training time.

    .venv/bin/python benchmarks/bench_intelligence.py
    .venv/bin/python benchmarks/bench_intelligence.py --write docs/benchmarks.md
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_summary, percentile, write_section  # noqa: E402

TASKS = ("intent", "objection", "sentiment", "emotion", "buying_signal")


def _scores(truth: list[str], predicted: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(truth, predicted)), float(f1_score(truth, predicted, average="macro", zero_division=0))


def quality() -> tuple[dict[str, dict[str, tuple[float, float]]], dict[str, Any], Any, Any]:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from leadpilot.intelligence.classifier import C, train_model
    from leadpilot.intelligence.dataset import heldout_examples, shipped_examples
    from leadpilot.llm.providers import get_embedder

    embedder = get_embedder()
    train, test = list(shipped_examples()), list(heldout_examples())
    started = time.perf_counter()
    model = train_model(embedder.embed, embedder_name=embedder.name, version="intel-1/shipped")
    train_seconds = time.perf_counter() - started
    train_texts, test_texts = [r["text"] for r in train], [r["text"] for r in test]
    e_train, e_test = embedder.embed(train_texts), embedder.embed(test_texts)
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True).fit(train_texts)
    t_train, t_test = tfidf.transform(train_texts), tfidf.transform(test_texts)
    shipped = model.predict(test_texts, e_test)
    vader = None
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
    except ImportError:
        pass
    table: dict[str, dict[str, tuple[float, float]]] = {}
    similarity = e_test @ e_train.T
    neighbours = np.argsort(-similarity, axis=1)[:, :5]
    for task in TASKS:
        truth = [r[task] for r in test]
        labels = [r[task] for r in train]
        row: dict[str, tuple[float, float]] = {}
        prediction = shipped[task]
        row["shipped"] = _scores(truth, [prediction.labels[i] for i in np.argmax(prediction.probabilities, axis=1)])
        majority = Counter(labels).most_common(1)[0][0]
        row["majority"] = _scores(truth, [majority] * len(truth))
        with threadpool_limits(1):
            for name, (x_train, x_test) in {"embedding": (csr_matrix(e_train), csr_matrix(e_test)),
                                            "ngrams": (t_train, t_test)}.items():  # fmt: skip
                clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(x_train, labels)
                row[name] = _scores(truth, list(clf.predict(x_test)))
        row["knn"] = _scores(truth, [Counter(labels[j] for j in n).most_common(1)[0][0] for n in neighbours])
        if task == "sentiment" and vader is not None:

            def read(text: str) -> str:
                compound = vader.polarity_scores(text)["compound"]
                return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

            row["vader"] = _scores(truth, [read(t) for t in test_texts])
        table[task] = row
    by_language: dict[str, Any] = {}
    intent = shipped["intent"]
    for group, keep in (("English", lambda r: r["language"] == "en"), ("other", lambda r: r["language"] != "en")):
        index = [i for i, r in enumerate(test) if keep(r)]
        truth = [test[i]["intent"] for i in index]
        predicted = [intent.labels[int(np.argmax(intent.probabilities[i]))] for i in index]
        by_language[group] = (len(index), *_scores(truth, predicted))
    info = {"train": len(train), "test": len(test), "train_seconds": train_seconds, "by_language": by_language,
            "languages": Counter(r["language"] for r in train), "vader": vader is not None}  # fmt: skip
    return table, info, model, embedder


def latency(model: Any, embedder: Any) -> dict[str, float]:
    from leadpilot.intelligence.analyzer import analyze
    from leadpilot.intelligence.dataset import heldout_examples

    texts = [r["text"] for r in heldout_examples()]
    texts += [f"{a} {b}" for a, b in zip(texts[::2], texts[1::2], strict=False)][:50]  # some two-sentence messages
    at = datetime.now(UTC)
    for text in texts[:10]:
        analyze(text, model=model, embed=embedder.embed, at=at)
    timings = []
    for text in texts:
        started = time.perf_counter()
        analyze(text, model=model, embed=embedder.embed, at=at, message_id=1)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"n": len(timings), "p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "max": timings[-1],
            "mean": sum(timings) / len(timings)}  # fmt: skip


def render(table: dict[str, Any], info: dict[str, Any], timing: dict[str, float], machine: str) -> str:
    def cell(pair: tuple[float, float] | None) -> str:
        return "—" if pair is None else f"{100 * pair[0]:.1f} / {100 * pair[1]:.1f}"

    columns = [("shipped", "**shipped: embedding + n-grams**"), ("embedding", "embedding only"),
               ("ngrams", "n-grams only"), ("knn", "5-NN on embedding"), ("majority", "majority class")]  # fmt: skip
    if info["vader"]:
        columns.append(("vader", "VADER alone"))
    lines = [
        "## Conversation intelligence",
        "",
        f"Written by `benchmarks/bench_intelligence.py --write docs/benchmarks.md` on {machine}.",
        "",
        f"Held-out set: {info['test']} labelled inbound messages, never used for training (training set: "
        f"{info['train']}; languages of the training set: "
        + ", ".join(f"{k} {v}" for k, v in info["languages"].most_common())
        + "). "
        "Cells are **accuracy / macro-F1 (%)**; every column is trained on the same training set.",
        "",
        "| task | " + " | ".join(label for _, label in columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for task, row in table.items():
        lines.append(f"| {task} | " + " | ".join(cell(row.get(key)) for key, _ in columns) + " |")
    english, other = info["by_language"]["English"], info["by_language"]["other"]
    lines += [
        "",
        f"Intent by language: English {english[0]} messages {100 * english[1]:.1f} % accuracy / {100 * english[2]:.1f} "
        f"macro-F1; other languages {other[0]} messages {100 * other[1]:.1f} % / {100 * other[2]:.1f}.",
        "",
        f"Latency of `analyze()` per message ({timing['n']:.0f} messages one at a time, MiniLM embedding of the "
        "message "
        f"and its sentences included, warm): p50 **{timing['p50']:.1f} ms**, p95 **{timing['p95']:.1f} ms**, max "
        f"{timing['max']:.1f} ms, mean {timing['mean']:.1f} ms. Training the shipped classifiers (embedding "
        f"{info['train']} examples, five regressions): {info['train_seconds']:.1f} s, once per process and examples "
        "version.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help="update the intelligence section of this markdown file")
    args = parser.parse_args()
    machine = machine_summary()
    print("quality", flush=True)
    table, info, model, embedder = quality()
    print("latency", flush=True)
    timing = latency(model, embedder)
    body = render(table, info, timing, machine)
    print(body)
    if args.write:
        write_section(args.write, "intelligence", body)


if __name__ == "__main__":
    main()
