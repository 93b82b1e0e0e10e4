"""The ``/api/v1`` router: one line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from leadpilot.audit.endpoints import router as audit_router
from leadpilot.crm.activities.endpoints import router as activities_router
from leadpilot.crm.companies.endpoints import router as companies_router
from leadpilot.crm.contacts.endpoints import router as contacts_router
from leadpilot.crm.conversations.endpoints import router as conversations_router
from leadpilot.crm.deals.endpoints import router as deals_router
from leadpilot.crm.leads.endpoints import router as leads_router
from leadpilot.crm.notes.endpoints import router as notes_router
from leadpilot.crm.products.endpoints import router as products_router
from leadpilot.followup.endpoints import router as followups_router
from leadpilot.imports.endpoints import exports_router
from leadpilot.imports.endpoints import router as imports_router
from leadpilot.intelligence.endpoints import router as intelligence_router
from leadpilot.knowledge.endpoints import router as knowledge_router
from leadpilot.llm.endpoints import router as llm_router
from leadpilot.orgs.endpoints import api_keys_router, auth_router, users_router
from leadpilot.scoring.endpoints import leads_router as scoring_router
from leadpilot.scoring.endpoints import models_router
from leadpilot.webhooks.endpoints import router as webhooks_router

api_router = APIRouter(prefix="/api/v1")
for router in (
    auth_router,
    users_router,
    api_keys_router,
    contacts_router,
    companies_router,
    leads_router,
    scoring_router,
    models_router,
    deals_router,
    activities_router,
    notes_router,
    products_router,
    conversations_router,
    imports_router,
    exports_router,
    webhooks_router,
    audit_router,
    llm_router,
    intelligence_router,
    knowledge_router,
    followups_router,
):
    api_router.include_router(router)
