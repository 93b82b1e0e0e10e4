"""Model providers: chat models and sentence embedders behind two small interfaces, with usage counted per org.

    from leadpilot.llm import ChatMessage, get_chat_model, get_embedder

    model = get_chat_model(org_id)          # None when no LLM is configured: generate in strict mode
    if model is not None:
        result = model.complete([ChatMessage.user("...")], json_schema=Answer, max_tokens=200)
    vectors = get_embedder(org_id).embed(["...", "..."])   # (n, 384) float32, unit rows

Interfaces (``chat``, ``embeddings``)::

    ChatModel (Protocol)          complete() -> ChatResult, stream() -> ChatStream (iterator of text deltas)
     ├─ OpenAICompatibleChat      any /chat/completions endpoint (httpx; retries, circuit breaker, SSE)
     ├─ LocalChat                 bundled SmolLM2 via llama-cpp-python (extra: leadpilot[local-llm])
     ├─ ScriptedChat              scripted replies for tests; records the calls
     └─ MeteredChat               wraps any of them; counts calls per org (what get_chat_model returns)

    Embedder (Protocol)           embed(texts) -> (n, dimension) float32, L2-normalised; embed_one(text)
     ├─ MiniLMEmbedder            bundled all-MiniLM-L6-v2, int8 ONNX on onnxruntime (default)
     ├─ OpenAIEmbedder            any /embeddings endpoint
     ├─ HashingEmbedder           deterministic bag-of-words vectors for tests
     └─ MeteredEmbedder           wraps any of them; counts calls per org (what get_embedder returns)

Errors (``errors``), all ``leadpilot.errors.AppError``::

    LlmError (502)
     ├─ LlmUnavailable (503)          unreachable, timing out, 5xx or 429 after the retries
     │   └─ LlmCircuitOpen (503)      failing fast while the breaker for that URL is open
     ├─ LlmMisconfigured (500)        401/403/404, a bad URL, a missing model name or file
     │   └─ LocalModelNotInstalled    the local-llm extra is missing
     ├─ LlmRequestRejected (502)      400/422 from the endpoint: this request is not acceptable
     └─ LlmOutputInvalid (502)        not JSON when JSON was asked for
"""

from leadpilot.llm.chat import (
    ChatMessage,
    ChatModel,
    ChatResult,
    ChatStream,
    Tool,
    ToolCall,
    Usage,
)
from leadpilot.llm.embeddings import Embedder, MiniLMEmbedder, OpenAIEmbedder
from leadpilot.llm.errors import (
    LlmCircuitOpen,
    LlmError,
    LlmMisconfigured,
    LlmOutputInvalid,
    LlmRequestRejected,
    LlmUnavailable,
    LocalModelNotInstalled,
)
from leadpilot.llm.fakes import ChatCall, HashingEmbedder, ScriptedChat, ScriptedReply
from leadpilot.llm.local import LocalChat, local_llm_available
from leadpilot.llm.openai_compat import OpenAICompatibleChat
from leadpilot.llm.providers import (
    get_chat_model,
    get_embedder,
    override_chat_model,
    override_embedder,
    reset_providers,
)
from leadpilot.llm.usage import MeteredChat, MeteredEmbedder, flush_usage, metered_chat, metered_embedder

__all__ = [
    "ChatCall",
    "ChatMessage",
    "ChatModel",
    "ChatResult",
    "ChatStream",
    "Embedder",
    "HashingEmbedder",
    "LlmCircuitOpen",
    "LlmError",
    "LlmMisconfigured",
    "LlmOutputInvalid",
    "LlmRequestRejected",
    "LlmUnavailable",
    "LocalChat",
    "LocalModelNotInstalled",
    "MeteredChat",
    "MeteredEmbedder",
    "MiniLMEmbedder",
    "OpenAICompatibleChat",
    "OpenAIEmbedder",
    "ScriptedChat",
    "ScriptedReply",
    "Tool",
    "ToolCall",
    "Usage",
    "flush_usage",
    "get_chat_model",
    "get_embedder",
    "local_llm_available",
    "metered_chat",
    "metered_embedder",
    "override_chat_model",
    "override_embedder",
    "reset_providers",
]
