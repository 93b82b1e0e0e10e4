"""Embeddings at rest and in memory (docs/adr/0011-knowledge-index.md).

At rest a chunk's unit vector is int8 components plus one float scale (384 + 8 bytes for MiniLM, a quarter of
float32; cosine rankings agree with float32 to the top ten on our measurements). In memory the org's live chunks
form one float32 matrix, scored exactly (a matrix-vector product) on every query.

The matrix lives in a per-process LRU cache keyed on (org, ``knowledge_version``, embedder name): any change to
the org's knowledge changes the version, so a stale matrix is never used and nothing has to be invalidated
across replicas — each process rebuilds its own on first use after a change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from leadpilot.knowledge.repository import IndexRows

CACHE_SIZE = 4  # orgs per process; 100,000 MiniLM chunks take ~155 MB


def quantize(vectors: np.ndarray) -> list[tuple[bytes, float]]:
    """Each row as (int8 bytes, scale) with ``row ≈ int8 * scale``."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peaks = np.abs(vectors).max(axis=1)
    scales = np.where(peaks > 0, peaks / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return [(codes[i].tobytes(), float(scales[i])) for i in range(len(codes))]


def dequantize(blobs: Sequence[bytes], scales: Sequence[float], dimension: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dimension), dtype=np.float32)
    codes = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), dimension)
    matrix = codes.astype(np.float32)
    matrix *= np.asarray(scales, dtype=np.float32)[:, None]
    return matrix


@dataclass(frozen=True)
class VectorIndex:
    ids: np.ndarray  # int64, one per row
    document_ids: np.ndarray
    categories: np.ndarray  # object array of category names
    matrix: np.ndarray  # (n, dimension) float32
    embedder: str

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, rows: IndexRows, *, embedder: str, dimension: int) -> VectorIndex:
        # Chunks embedded by another model (before the embedder was changed, until re-indexed) are left out:
        # their vectors live in another space. Full-text search still finds them.
        keep = [i for i, model in enumerate(rows.models) if model == embedder and len(rows.embeddings[i]) == dimension]
        return cls(
            ids=np.asarray([rows.ids[i] for i in keep], dtype=np.int64),
            document_ids=np.asarray([rows.document_ids[i] for i in keep], dtype=np.int64),
            categories=np.asarray([rows.categories[i] for i in keep], dtype=object),
            matrix=dequantize([rows.embeddings[i] for i in keep], [rows.scales[i] for i in keep], dimension),
            embedder=embedder,
        )

    def search(
        self,
        query: np.ndarray,
        *,
        limit: int,
        categories: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the ``limit`` nearest rows passing the filters, nearest first."""
        if not self.size or limit <= 0:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32)
        mask: np.ndarray | None = None
        if categories:
            mask = np.isin(self.categories, list(categories))
        if document_ids is not None:
            allowed = np.isin(self.document_ids, np.asarray(list(document_ids), dtype=np.int64))
            mask = allowed if mask is None else mask & allowed
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
            available = int(mask.sum())
            if not available:
                return []
            limit = min(limit, available)
        limit = min(limit, self.size)
        top = np.argpartition(-scores, limit - 1)[:limit] if limit < self.size else np.arange(self.size)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


class VectorCache:
    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, str, str], VectorIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[int, str, str], threading.Lock] = {}

    def get(self, key: tuple[int, str, str], build: Callable[[], VectorIndex]) -> VectorIndex:
        with self._lock:
            index = self._items.get(key)
            if index is not None:
                self._items.move_to_end(key)
                return index
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per key; other threads wait for it rather than build the same matrix
            with self._lock:
                index = self._items.get(key)
                if index is not None:
                    return index
            index = build()
            with self._lock:
                for stale in [k for k in self._items if k[0] == key[0]]:
                    del self._items[stale]  # an org's older versions are never asked for again
                self._items[key] = index
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(key, None)
        return index

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


vector_cache = VectorCache()
