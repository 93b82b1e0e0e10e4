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
from leadpilot.imports.models import ImportJob, ImportRowError
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
    "ImportJob",
    "ImportRowError",
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
