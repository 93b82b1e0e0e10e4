"""The fine-tuned model of ``/finetuned`` and ``/hybrid``: a model (or LoRA adapter) name served by the
OpenAI-compatible endpoint the installation already uses (``LEADPILOT_LLM_BASE_URL`` / ``_API_KEY``), named by
``LEADPILOT_FOLLOWUP_FINETUNED_MODEL``. vLLM serves adapters under their own model names (``--lora-modules``), as do
Ollama and LiteLLM, so no other setting is needed. Tests substitute a model with ``override_finetuned_model``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from leadpilot.config import Settings, get_settings
from leadpilot.followup.errors import FinetunedModelNotConfigured
from leadpilot.llm.chat import ChatModel
from leadpilot.llm.openai_compat import OpenAICompatibleChat
from leadpilot.llm.usage import MeteredChat, metered_chat

_UNSET: Any = object()
_override: Any = _UNSET
_built: dict[tuple[Any, ...], ChatModel] = {}


def finetuned_model_name(settings: Settings | None = None) -> str | None:
    if _override is not _UNSET:
        return str(getattr(_override, "model", "finetuned"))
    return (settings or get_settings()).followup_finetuned_model


def get_finetuned_model(org_id: int | None, *, settings: Settings | None = None) -> MeteredChat:
    """The fine-tuned chat model, its calls counted for ``org_id``; ``FinetunedModelNotConfigured`` without one."""
    if _override is not _UNSET:
        if _override is None:
            raise FinetunedModelNotConfigured()
        return metered_chat(_override, org_id=org_id)
    settings = settings or get_settings()
    name = settings.followup_finetuned_model
    if not name:
        raise FinetunedModelNotConfigured()
    if not settings.llm_base_url:
        raise FinetunedModelNotConfigured(
            f"LEADPILOT_FOLLOWUP_FINETUNED_MODEL={name} needs the endpoint that serves it: set LEADPILOT_LLM_BASE_URL"
        )
    api_key = settings.llm_api_key
    key = (settings.llm_base_url, name, api_key.get_secret_value() if api_key else None)
    if key not in _built:
        _built[key] = OpenAICompatibleChat(
            base_url=settings.llm_base_url, model=name, api_key=api_key, timeout=settings.llm_timeout_seconds,
            connect_timeout=settings.llm_connect_timeout_seconds, max_retries=settings.llm_max_retries,
            retry_backoff=settings.llm_retry_backoff_seconds, circuit_failures=settings.llm_circuit_failures,
            circuit_reset_seconds=settings.llm_circuit_reset_seconds,
        )  # fmt: skip
    return metered_chat(_built[key], org_id=org_id)


@contextmanager
def override_finetuned_model(model: ChatModel | None) -> Iterator[ChatModel | None]:
    """Make ``get_finetuned_model`` hand out ``model`` (None: not configured) inside the block. For tests."""
    global _override
    previous, _override = _override, model
    try:
        yield model
    finally:
        _override = previous
