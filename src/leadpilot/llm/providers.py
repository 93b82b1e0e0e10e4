"""Which chat model and embedder this installation uses, chosen from the settings (``docs/configuration.md``).

``get_chat_model(org)``:

    LEADPILOT_LLM_PROVIDER=none                         -> None
    LEADPILOT_LLM_PROVIDER=local  (extra installed)     -> LocalChat (bundled SmolLM2)
                                  (extra missing)       -> None, with a warning
    LEADPILOT_LLM_PROVIDER=openai, or unset with
      LEADPILOT_LLM_BASE_URL set                        -> OpenAICompatibleChat
    otherwise                                           -> None: callers generate in strict mode

``get_embedder(org)``: the bundled MiniLM, or ``OpenAIEmbedder`` with ``LEADPILOT_EMBEDDINGS_PROVIDER=openai``.

Both return the provider wrapped so that its calls are counted for ``org`` (``usage``). Provider objects are built
once per process and configuration and shared (they hold connection pools and loaded models); the wrappers are
cheap. Tests substitute a provider with ``override_chat_model`` / ``override_embedder``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from leadpilot.config import Settings, get_settings
from leadpilot.llm._http import reset_breakers
from leadpilot.llm.chat import ChatModel
from leadpilot.llm.embeddings import Embedder, MiniLMEmbedder, OpenAIEmbedder
from leadpilot.llm.errors import LlmMisconfigured
from leadpilot.llm.local import LocalChat, local_llm_available
from leadpilot.llm.openai_compat import OpenAICompatibleChat
from leadpilot.llm.usage import MeteredChat, MeteredEmbedder, metered_chat, metered_embedder

if TYPE_CHECKING:
    from leadpilot.orgs.models import Org

log = logging.getLogger("leadpilot.llm")

T = TypeVar("T")

_UNSET: Any = object()
_chat_override: Any = _UNSET
_embedder_override: Any = _UNSET

_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()
_warned: set[str] = set()


def _org_id(org: Org | int | None) -> int | None:
    if org is None or isinstance(org, int):
        return org
    return int(org.id)


def _cached(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    with _cache_lock:
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]  # type: ignore[no-any-return]


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def chat_provider_name(settings: Settings | None = None) -> str | None:
    """``openai``, ``local`` or None (no chat model), as ``get_chat_model`` would decide."""
    settings = settings or get_settings()
    choice = settings.llm_provider
    if choice == "none":
        return None
    if choice == "local":
        if local_llm_available():
            return "local"
        _warn_once(
            "LEADPILOT_LLM_PROVIDER=local but the local-llm extra is not installed "
            "(pip install 'leadpilot[local-llm]'); generating in strict mode"
        )
        return None
    if choice == "openai" or settings.llm_base_url:
        return "openai"
    return None


def build_chat_model(settings: Settings | None = None) -> ChatModel | None:
    """The configured provider itself, without usage accounting (shared per process and configuration)."""
    settings = settings or get_settings()
    provider = chat_provider_name(settings)
    if provider == "local":
        local_key = (
            "local",
            settings.llm_local_model_path,
            settings.llm_local_context_tokens,
            settings.llm_local_threads,
        )
        return _cached(
            local_key,
            lambda: LocalChat(
                model_path=settings.llm_local_model_path,
                context_tokens=settings.llm_local_context_tokens,
                threads=settings.llm_local_threads,
            ),
        )
    if provider != "openai":
        return None
    if not settings.llm_base_url:
        raise LlmMisconfigured("LEADPILOT_LLM_PROVIDER=openai needs LEADPILOT_LLM_BASE_URL")
    if not settings.llm_model:
        raise LlmMisconfigured("LEADPILOT_LLM_BASE_URL is set but LEADPILOT_LLM_MODEL is not: name the model to use")
    api_key = settings.llm_api_key
    key = (
        "openai",
        settings.llm_base_url,
        settings.llm_model,
        api_key.get_secret_value() if api_key else None,
        settings.llm_timeout_seconds,
        settings.llm_connect_timeout_seconds,
        settings.llm_max_retries,
        settings.llm_retry_backoff_seconds,
        settings.llm_circuit_failures,
        settings.llm_circuit_reset_seconds,
    )
    return _cached(
        key,
        lambda: OpenAICompatibleChat(
            base_url=settings.llm_base_url or "",
            model=settings.llm_model or "",
            api_key=api_key,
            timeout=settings.llm_timeout_seconds,
            connect_timeout=settings.llm_connect_timeout_seconds,
            max_retries=settings.llm_max_retries,
            retry_backoff=settings.llm_retry_backoff_seconds,
            circuit_failures=settings.llm_circuit_failures,
            circuit_reset_seconds=settings.llm_circuit_reset_seconds,
        ),
    )


def build_embedder(settings: Settings | None = None) -> Embedder:
    """The configured embedder itself, without usage accounting (shared per process and configuration)."""
    settings = settings or get_settings()
    if settings.embeddings_provider == "local":
        return _cached(
            ("minilm", settings.embeddings_batch_size, settings.embeddings_threads),
            lambda: MiniLMEmbedder(batch_size=settings.embeddings_batch_size, threads=settings.embeddings_threads),
        )
    base_url = settings.embeddings_base_url or settings.llm_base_url
    if not base_url:
        raise LlmMisconfigured("LEADPILOT_EMBEDDINGS_PROVIDER=openai needs LEADPILOT_EMBEDDINGS_BASE_URL")
    if not settings.embeddings_model:
        raise LlmMisconfigured("LEADPILOT_EMBEDDINGS_PROVIDER=openai needs LEADPILOT_EMBEDDINGS_MODEL")
    api_key = settings.embeddings_api_key or settings.llm_api_key
    key = (
        "openai-embeddings",
        base_url,
        settings.embeddings_model,
        api_key.get_secret_value() if api_key else None,
        settings.embeddings_dimension,
        settings.embeddings_batch_size,
        settings.llm_timeout_seconds,
        settings.llm_max_retries,
    )
    return _cached(
        key,
        lambda: OpenAIEmbedder(
            base_url=base_url,
            model=settings.embeddings_model or "",
            api_key=api_key,
            dimension=settings.embeddings_dimension,
            batch_size=settings.embeddings_batch_size,
            timeout=settings.llm_timeout_seconds,
            connect_timeout=settings.llm_connect_timeout_seconds,
            max_retries=settings.llm_max_retries,
            retry_backoff=settings.llm_retry_backoff_seconds,
            circuit_failures=settings.llm_circuit_failures,
            circuit_reset_seconds=settings.llm_circuit_reset_seconds,
        ),
    )


def get_chat_model(org: Org | int | None = None, *, settings: Settings | None = None) -> MeteredChat | None:
    """The chat model to use for ``org``, its calls counted for that org; None when no LLM is configured (callers
    then use strict mode). Raises ``LlmMisconfigured`` when the settings are incomplete."""
    inner = build_chat_model(settings) if _chat_override is _UNSET else _chat_override
    return None if inner is None else metered_chat(inner, org_id=_org_id(org))


def get_embedder(org: Org | int | None = None, *, settings: Settings | None = None) -> MeteredEmbedder:
    """The embedder to use for ``org``, its calls counted for that org."""
    inner = build_embedder(settings) if _embedder_override is _UNSET else _embedder_override
    return metered_embedder(inner, org_id=_org_id(org))


@contextmanager
def override_chat_model(model: ChatModel | None) -> Iterator[ChatModel | None]:
    """Make ``get_chat_model`` hand out ``model`` (None: no LLM) inside the block, in every thread. For tests."""
    global _chat_override
    previous, _chat_override = _chat_override, model
    try:
        yield model
    finally:
        _chat_override = previous


@contextmanager
def override_embedder(embedder: Embedder) -> Iterator[Embedder]:
    """Make ``get_embedder`` hand out ``embedder`` inside the block, in every thread. For tests."""
    global _embedder_override
    previous, _embedder_override = _embedder_override, embedder
    try:
        yield embedder
    finally:
        _embedder_override = previous


def reset_providers() -> None:
    """Forget the providers built so far and the circuit breakers' state (after a settings change; tests)."""
    with _cache_lock:
        providers = list(_cache.values())
        _cache.clear()
    for provider in providers:
        close = getattr(provider, "close", None)
        if close is not None:
            close()
    reset_breakers()
    _warned.clear()
