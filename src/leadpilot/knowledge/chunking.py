"""Blocks → chunks, following the document's structure.

* A heading closes the current chunk and becomes part of the heading path (``section``, "Plans > Growth") of the
  chunks under it, so a passage keeps its context even when its own text does not repeat it.
* Paragraphs and list items are packed together up to ``MAX_TOKENS``; a list item or table row is never cut.
* A table row or an FAQ pair is a chunk of its own: a price row answers "how much is Growth?" on its own and must
  not be diluted by its neighbours (each row already names its columns).
* A paragraph longer than ``MAX_TOKENS`` is cut at sentence ends into windows of ``WINDOW_TOKENS`` that overlap by
  up to ``OVERLAP_TOKENS``, so a fact straddling a cut is whole in one of them.

Token counts are words and punctuation marks, a slight under-estimate of the embedding model's word pieces; the
bundled MiniLM reads 256 word pieces, hence ``MAX_TOKENS`` = 200 (docs/adr/0011-knowledge-index.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from leadpilot.knowledge.parsing import Block

MAX_TOKENS = 200
WINDOW_TOKENS = 160
OVERLAP_TOKENS = 40
SECTION_SEPARATOR = " > "
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


@dataclass(frozen=True, slots=True)
class ChunkDraft:
    ordinal: int
    kind: str  # text | list | table_row | faq
    section: str | None
    page: int | None
    text: str
    token_count: int


def embedding_input(title: str, section: str | None, text: str) -> str:
    """What is embedded for a chunk: its text under its document title and heading path."""
    context = SECTION_SEPARATOR.join(part for part in (title, section) if part)
    return f"{context}\n{text}" if context else text


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _windows(text: str) -> Iterator[str]:
    """Overlapping windows of whole sentences (of words, for a sentence longer than a window)."""
    units: list[str] = []
    for sentence in split_sentences(text):
        if count_tokens(sentence) <= WINDOW_TOKENS:
            units.append(sentence)
            continue
        words = sentence.split()
        step = max(1, WINDOW_TOKENS - OVERLAP_TOKENS)
        size = WINDOW_TOKENS * 3 // 4  # words carry punctuation tokens too
        units.extend(" ".join(words[i : i + size]) for i in range(0, len(words), step * 3 // 4))
    window: list[str] = []
    tokens = 0
    for unit in units:
        unit_tokens = count_tokens(unit)
        if window and tokens + unit_tokens > WINDOW_TOKENS:
            yield " ".join(window)
            carried: list[str] = []
            carried_tokens = 0
            for previous in reversed(window):
                previous_tokens = count_tokens(previous)
                if carried_tokens + previous_tokens > OVERLAP_TOKENS:
                    break
                carried.insert(0, previous)
                carried_tokens += previous_tokens
            window, tokens = carried, carried_tokens
        window.append(unit)
        tokens += unit_tokens
    if window:
        yield " ".join(window)


def chunk_blocks(blocks: Iterable[Block]) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    headings: list[tuple[int, str]] = []
    pending: list[str] = []
    pending_kinds: set[str] = set()
    pending_tokens = 0
    pending_page: int | None = None
    pending_section: str | None = None

    def emit(kind: str, section: str | None, page: int | None, text: str) -> None:
        drafts.append(ChunkDraft(len(drafts), kind, section, page, text, count_tokens(text)))

    def flush() -> None:
        nonlocal pending_tokens, pending_page
        if pending:
            kind = "list" if pending_kinds == {"list_item"} else "text"
            emit(kind, pending_section, pending_page, "\n".join(pending))
        pending.clear()
        pending_kinds.clear()
        pending_tokens = 0
        pending_page = None

    for block in blocks:
        if block.kind == "heading":
            flush()
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            continue
        section = block.section or (SECTION_SEPARATOR.join(text for _, text in headings) or None)
        if section is not None and len(section) > 500:
            section = section[:497] + "..."
        if block.kind in {"table_row", "faq"}:
            flush()
            if count_tokens(block.text) <= MAX_TOKENS * 2:
                emit(block.kind, section, block.page, block.text)
            else:
                for window in _windows(block.text):
                    emit(block.kind, section, block.page, window)
            continue
        piece = f"- {block.text}" if block.kind == "list_item" else block.text
        tokens = count_tokens(piece)
        if section != pending_section:
            flush()
            pending_section = section
        if tokens > MAX_TOKENS:
            flush()
            pending_section = section
            for window in _windows(piece):
                emit("list" if block.kind == "list_item" else "text", section, block.page, window)
            continue
        if pending and pending_tokens + tokens > MAX_TOKENS:
            flush()
            pending_section = section
        if not pending:
            pending_page = block.page
        pending.append(piece)
        pending_kinds.add(block.kind)
        pending_tokens += tokens
    flush()
    return drafts
