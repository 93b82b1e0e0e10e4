"""Grounded follow-up generation: personalised messages for a lead whose every fact is traceable to the knowledge
base or the CRM record.

    endpoints / web / cli ──> service.FollowupService(session, principal).generate(request, approach=...)
                               ├ context      the lead's profile and CRM facts (repository: org-scoped reads)
                               ├ strategies   intent tier x edge case
                               ├ knowledge    retrieve(...) + knowledge_version(...) (cache key)
                               ├ playbook     strict drafts: approved templates + verbatim extracts
                               ├ prompts      assisted / generative / rewrite prompts (chat model, fine-tuned model)
                               ├ grounding    check_claims(draft, sources=..., crm_facts=...) -> GroundingReport
                               └ cache        memory LRU or Redis

Public surface: ``generate_followup``, ``FollowupService``, ``check_claims``, ``GroundingReport``, ``ClaimVerdict``.
They are imported on first use so that ``grounding`` can be used without loading the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadpilot.kit.lazy import lazy_exports

if TYPE_CHECKING:
    from leadpilot.followup.grounding import ClaimVerdict, GroundingReport, check_claims
    from leadpilot.followup.service import FollowupService, generate_followup

_EXPORTS = {
    "ClaimVerdict": "leadpilot.followup.grounding",
    "GroundingReport": "leadpilot.followup.grounding",
    "check_claims": "leadpilot.followup.grounding",
    "FollowupService": "leadpilot.followup.service",
    "generate_followup": "leadpilot.followup.service",
}

__all__ = ["ClaimVerdict", "FollowupService", "GroundingReport", "check_claims", "generate_followup"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
