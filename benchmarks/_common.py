"""Helpers shared by the benchmark scripts: percentiles, a description of the machine, and writing one marked
section of ``docs/benchmarks.md`` without touching the sections other scripts own.

Each script owns the block between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; ``write_section`` replaces
that block, or appends it when the file or the block does not exist yet.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

DOCS_TITLE = (
    "# Benchmarks\n\n"
    "Measured figures and the commands that produced them. Each section is written by the script named in it.\n"
)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (``fraction`` in [0, 1])."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine_summary(*, postgres_version: str | None = None) -> str:
    cores = os.cpu_count() or 0
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [
        f"{cores} cores",
        f"load average at start {load}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if postgres_version:
        parts.append(f"PostgreSQL {postgres_version}")
    parts.append(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return ", ".join(parts)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the block ``name`` of the markdown file at ``path``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else DOCS_TITLE
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
