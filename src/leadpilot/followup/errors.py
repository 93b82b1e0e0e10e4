"""Errors of follow-up generation.

FollowupModelUnavailable (503)      the requested mode or approach needs a model that is not configured
 └─ FinetunedModelNotConfigured     /finetuned and /hybrid without LEADPILOT_FOLLOWUP_FINETUNED_MODEL
InvalidInput (400)                  e.g. strict mode asked of the fine-tuned model
"""

from __future__ import annotations

from leadpilot.errors import AppError


class FollowupModelUnavailable(AppError):
    status_code = 503
    default_detail = (
        "This generation mode needs a language model and none is configured: set LEADPILOT_LLM_PROVIDER=local "
        "(with the local-llm extra) or LEADPILOT_LLM_BASE_URL and LEADPILOT_LLM_MODEL, or use mode 'strict'"
    )


class FinetunedModelNotConfigured(FollowupModelUnavailable):
    default_detail = (
        "No fine-tuned model is configured: set LEADPILOT_FOLLOWUP_FINETUNED_MODEL to the model or adapter name "
        "served by the OpenAI-compatible endpoint at LEADPILOT_LLM_BASE_URL"
    )
