"""Measure the bundled models on this machine: ``python -m leadpilot.llm.bench [--chat] [--threads N]``.

Prints load time, per-sentence latency and throughput of the MiniLM embedder, and with ``--chat`` load time,
generation speed and JSON validity of the local SmolLM2 (needs the ``local-llm`` extra). The figures in
``docs/models.md`` come from this command.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time

from pydantic import BaseModel, Field

from leadpilot.llm.chat import ChatMessage
from leadpilot.llm.embeddings import MiniLMEmbedder

_SUBJECTS = ["the Pro plan", "our onboarding", "the annual contract", "a product demo", "the refund policy"]
_ASKS = ["costs", "includes", "can be cancelled", "starts next week", "needs approval"]


def _sentences(count: int) -> list[str]:
    return [
        f"Lead {i} asked whether {_SUBJECTS[i % 5]} {_ASKS[(i // 5) % 5]} and wants a reply before Friday."
        for i in range(count)
    ]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_embeddings(count: int, threads: int) -> dict[str, float]:
    embedder = MiniLMEmbedder(threads=threads)
    load = embedder.load()
    sentences = _sentences(count)
    embedder.embed(sentences[:8])  # warm-up
    singles = []
    for sentence in sentences[:50]:
        started = time.perf_counter()
        embedder.embed_one(sentence)
        singles.append(time.perf_counter() - started)
    started, cpu_started = time.perf_counter(), time.process_time()
    embedder.embed(sentences)
    batch_seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "load_s": round(load, 3),
        "single_ms_median": round(statistics.median(singles) * 1000, 2),
        "batch_ms_per_sentence": round(batch_seconds / count * 1000, 2),
        "batch_cpu_ms_per_sentence": round(cpu_seconds / count * 1000, 2),
        "batch_sentences_per_s": round(count / batch_seconds, 1),
        "max_rss_mb": round(_rss_mb(), 1),
    }


class _Lead(BaseModel):
    interested: bool
    product: str = Field(max_length=60)
    urgency: int = Field(ge=1, le=5)


def bench_chat(runs: int) -> dict[str, float]:
    from leadpilot.llm.local import LocalChat

    chat = LocalChat()
    load = chat.load()
    prompt = [ChatMessage.user("Write a two-sentence follow-up to a lead who asked about the Pro plan price.")]
    tokens, seconds = 0, 0.0
    cpu_started = time.process_time()
    for _ in range(runs):
        result = chat.complete(prompt, temperature=0.7, max_tokens=96)
        tokens += result.usage.completion_tokens
        seconds += result.latency
    cpu_seconds = time.process_time() - cpu_started
    valid = 0
    for i in range(runs):
        result = chat.complete(
            [ChatMessage.user(f"Dana (lead {i}) wants the Pro plan for 20 seats by Friday. Extract the facts.")],
            json_schema=_Lead,
            temperature=0.7,
            max_tokens=120,
        )
        try:
            _Lead.model_validate(result.json())
        except ValueError:
            continue
        valid += 1
    return {
        "load_s": round(load, 3),
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
        # With one thread (the default on 2 cores), what an otherwise idle core would reach.
        "tokens_per_cpu_s": round(tokens / cpu_seconds, 1) if cpu_seconds else 0.0,
        "json_valid": valid / runs,
        "max_rss_mb": round(_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sentences", type=int, default=480)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (0: every core)")
    parser.add_argument("--chat", action="store_true", help="also measure the local SmolLM2 (local-llm extra)")
    parser.add_argument("--runs", type=int, default=10, help="generations per chat measurement")
    args = parser.parse_args()
    report = {"embeddings": bench_embeddings(args.sentences, args.threads)}
    if args.chat:
        report["chat"] = bench_chat(args.runs)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
