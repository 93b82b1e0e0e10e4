"""Imports every ORM module so that ``Base.metadata`` is complete (Alembic, tests)."""

from leadpilot.audit.models import AuditEvent
from leadpilot.crm.models import (
    Activity,
    Company,
    Contact,
    ContactIdentity,
    Conversation,
    Deal,
    Lead,
    Message,
    Note,
    Product,
    StageChange,
)
from leadpilot.db.base import Base
from leadpilot.followup.models import FollowupDraft
from leadpilot.imports.models import ImportJob, ImportRowError
from leadpilot.intelligence.models import IntelligenceExample, IntelligenceModelRecord
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument, KnowledgeState
from leadpilot.llm.models import LlmUsage
from leadpilot.orgs.models import ApiKey, Org, User
from leadpilot.scoring.models import DriftReport, LeadScore, ModelVersion, ScoringRequest
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Activity",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Company",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "Deal",
    "DriftReport",
    "FollowupDraft",
    "ImportJob",
    "ImportRowError",
    "IntelligenceExample",
    "IntelligenceModelRecord",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "KnowledgeState",
    "Lead",
    "LeadScore",
    "LlmUsage",
    "Message",
    "ModelVersion",
    "Note",
    "Org",
    "Product",
    "ScoringRequest",
    "StageChange",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
