"""Tenant isolation, proven through HTTP for every route of the app.

1. Every route with an id in its path answers a user of org A with exactly the same 404 for org B's id as for an
   id that does not exist, and leaves org B's data untouched. The routes are found by walking the app, so a new
   route without an entry in ``ROUTES`` fails here, naming itself.
2. Every list or page reachable with GET returns nothing of org B, whatever search words or org B ids it is sent.
3. A JSON body that references org B's row (``contact_id``, ``owner_id``, ...) is rejected exactly like a body
   that references a missing id.

Adding a route: one line in ``ROUTES`` naming, per path parameter, the ``World`` attribute that creates org B's
row, and a minimal valid body. A new kind of record: one ``World`` property (about three lines).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role
from leadpilot.auth.security import create_access_token, csrf_token_for
from leadpilot.crm.activities.schemas import ActivityCreate
from leadpilot.crm.activities.service import ActivityService
from leadpilot.crm.companies.schemas import CompanyCreate
from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.contacts.schemas import ContactCreate
from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.conversations.schemas import ConversationCreate, MessageCreate
from leadpilot.crm.conversations.service import ConversationService
from leadpilot.crm.deals.schemas import DealCreate
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.leads.schemas import LeadCreate
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.models import Activity, Company, Contact, Conversation, Deal, Lead, Note, Product
from leadpilot.crm.notes.schemas import NoteCreate
from leadpilot.crm.notes.service import NoteService
from leadpilot.crm.products.schemas import ProductCreate
from leadpilot.crm.products.service import ProductService
from leadpilot.db.base import Base
from leadpilot.followup.finetuned import override_finetuned_model
from leadpilot.followup.models import FollowupDraft
from leadpilot.imports.models import ImportJob
from leadpilot.intelligence.models import IntelligenceExample
from leadpilot.intelligence.schemas import ExampleCreate
from leadpilot.intelligence.service import IntelligenceService
from leadpilot.knowledge.models import KnowledgeDocument
from leadpilot.knowledge.service import ingest_document
from leadpilot.llm import ScriptedChat
from leadpilot.main import create_app
from leadpilot.orgs.models import ApiKey, Org, User
from leadpilot.orgs.schemas import ApiKeyCreate
from leadpilot.orgs.service import ApiKeyService
from leadpilot.scoring.models import ModelVersion
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.fixtures.factories import make_user

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # FastAPI versions whose app.routes is already flat

    def iter_route_contexts(routes: Any) -> Iterator[Any]:  # type: ignore[misc]
        return iter(routes)


MISSING_ID = 987_654_321
SHARED_WORD = "quokka"  # in the records of both orgs, so searches have something to find
B_MARKER = "xyloquartz"  # only in org B's records: must never appear in a response to org A


class World:
    """One org's records, each created on first use through the services, so they look like real data."""

    def __init__(self, db: Session, org: Org, owner: User, tag: str) -> None:
        self.db, self.org, self.owner, self.tag = db, org, owner, tag
        self.principal = Principal(org_id=org.id, role=Role.owner, user_id=owner.id)

    def _row(self, model: type[Any], row_id: int) -> Any:
        row = self.db.get(model, row_id)
        assert row is not None
        return row

    @cached_property
    def user(self) -> User:
        return make_user(
            self.db,
            self.org,
            role="agent",
            name=f"{SHARED_WORD} {self.tag} agent",
            email=f"agent-{uuid.uuid4().hex[:8]}@{self.tag.lower()}.example",
        )

    @cached_property
    def api_key(self) -> ApiKey:
        created = ApiKeyService(self.db, self.principal).create(ApiKeyCreate(name=f"{SHARED_WORD} {self.tag} key"))
        return self._row(ApiKey, created.id)

    @cached_property
    def company(self) -> Company:
        data = CompanyCreate(name=f"{SHARED_WORD} {self.tag} Ltd", owner_id=self.user.id)
        return self._row(Company, CompanyService(self.db, self.principal).create(data).id)

    @cached_property
    def contact(self) -> Contact:
        data = ContactCreate(
            first_name=SHARED_WORD.capitalize(),
            last_name=self.tag,
            company_id=self.company.id,
            email=f"{SHARED_WORD}.{uuid.uuid4().hex[:6]}@{self.tag.lower()}.example",
        )
        return self._row(Contact, ContactService(self.db, self.principal).create(data).id)

    @cached_property
    def lead(self) -> Lead:
        data = LeadCreate(contact_id=self.contact.id, title=f"{SHARED_WORD} {self.tag} lead", owner_id=self.user.id)
        return self._row(Lead, LeadService(self.db, self.principal).create(data).id)

    @cached_property
    def deal(self) -> Deal:
        data = DealCreate(name=f"{SHARED_WORD} {self.tag} deal", lead_id=self.lead.id, amount=1000)
        return self._row(Deal, DealService(self.db, self.principal).create(data).id)

    @cached_property
    def product(self) -> Product:
        data = ProductCreate(sku=f"{SHARED_WORD}-1", name=f"{SHARED_WORD} {self.tag} plan", unit_price=10)
        return self._row(Product, ProductService(self.db, self.principal).create(data).id)

    @cached_property
    def activity(self) -> Activity:
        data = ActivityCreate(
            type="call",
            occurred_at=datetime.now(UTC) - timedelta(hours=1),
            lead_id=self.lead.id,
            deal_id=self.deal.id,
            product_id=self.product.id,
            subject=f"{SHARED_WORD} {self.tag}",
        )
        return self._row(Activity, ActivityService(self.db, self.principal).create(data).id)

    @cached_property
    def note(self) -> Note:
        data = NoteCreate(lead_id=self.lead.id, contact_id=self.contact.id, body=f"{SHARED_WORD} {self.tag} note")
        return self._row(Note, NoteService(self.db, self.principal).create(data).id)

    @cached_property
    def conversation(self) -> Conversation:
        service = ConversationService(self.db, self.principal)
        conversation = service.create(ConversationCreate(channel="sms", lead_id=self.lead.id, subject=self.tag))
        service.add_message(conversation.id, MessageCreate(direction="inbound", text=f"{SHARED_WORD} {self.tag}"))
        return self._row(Conversation, conversation.id)

    @cached_property
    def webhook_endpoint(self) -> WebhookEndpoint:
        # Inactive, so that the records above never try to deliver an event.
        endpoint = WebhookEndpoint(
            org_id=self.org.id,
            url=f"https://hooks.{self.tag.lower()}.example/in",
            secret="s" * 32,
            events=["*"],
            description=self.tag,
            is_active=False,
        )
        self.db.add(endpoint)
        self.db.flush()
        return endpoint

    @cached_property
    def webhook_delivery(self) -> WebhookDelivery:
        delivery = WebhookDelivery(
            org_id=self.org.id,
            endpoint_id=self.webhook_endpoint.id,
            event_id=uuid.uuid4().hex,
            event_type="contact.created",
            payload={"data": {"tag": self.tag}},
            status="delivered",
            attempts=1,
        )
        self.db.add(delivery)
        self.db.flush()
        return delivery

    @cached_property
    def import_job(self) -> ImportJob:
        job = ImportJob(
            org_id=self.org.id,
            entity="contacts",
            file_format="csv",
            filename=f"{self.tag}.csv",
            content_sha256="0" * 64,
            status="completed",
            mapping={},
            options={},
        )
        self.db.add(job)
        self.db.flush()
        return job

    @cached_property
    def model_version(self) -> ModelVersion:
        version = ModelVersion(
            org_id=self.org.id,
            kind="lead_conversion",
            version=f"lead-v{uuid.uuid4().hex[:6]}",
            number=1,
            status="candidate",
            algorithm="lightgbm+platt",
            feature_set="lead-v1",
            horizon_days=60,
            artifact_path=f"models/{self.org.id}/missing",
            artifact_sha256="0" * 64,
            message=self.tag,
        )
        self.db.add(version)
        self.db.flush()
        return version

    @cached_property
    def intelligence_example(self) -> IntelligenceExample:
        data = ExampleCreate(task="intent", label="pricing", text=f"{SHARED_WORD} {self.tag}: what does it cost?")
        return IntelligenceService(self.db, self.principal).add_example(data)

    @cached_property
    def knowledge_document(self) -> KnowledgeDocument:
        text = f"# {SHARED_WORD} {self.tag} guide\n\nThe {SHARED_WORD} plan of {self.tag} costs 10 dollars a month.\n"
        return ingest_document(self.db, self.org.id, filename=f"{self.tag}.md", content=text.encode(), category="faq")

    @cached_property
    def followup_draft(self) -> FollowupDraft:
        draft = FollowupDraft(org_id=self.org.id, lead_id=self.lead.id, approach="rag", mode="strict",
                              strategy="medium_intent", model_used="playbook", message=f"Hi {self.tag}",
                              grounding_verified=True, confidence=0.5, personalisation_score=0.5,
                              knowledge_version="0", response={})  # fmt: skip
        self.db.add(draft)
        self.db.flush()
        return draft

    def everything(self) -> None:
        for name in REFERENCE_FIELDS.values():
            getattr(self, name)
        for name in ("activity", "note", "conversation", "api_key", "webhook_delivery", "import_job", "model_version",
                     "knowledge_document", "intelligence_example", "followup_draft"):  # fmt: skip
            getattr(self, name)


@dataclass(frozen=True)
class Case:
    """How to call one route: the World attribute holding the row of each path parameter, and a minimal body."""

    rows: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = field(default=None)


def case(json: dict[str, Any] | None = None, *, form: dict[str, str] | None = None, **rows: str) -> Case:
    return Case(rows=rows, json=json, form=form)


ROUTES: dict[str, Case] = {
    # users and API keys
    "GET /api/v1/users/{user_id}": case(user_id="user"),
    "PATCH /api/v1/users/{user_id}": case({"name": "Mallory"}, user_id="user"),
    "DELETE /api/v1/api-keys/{key_id}": case(key_id="api_key"),
    # CRM
    "GET /api/v1/contacts/{contact_id}": case(contact_id="contact"),
    "PATCH /api/v1/contacts/{contact_id}": case({"first_name": "Mallory"}, contact_id="contact"),
    "DELETE /api/v1/contacts/{contact_id}": case(contact_id="contact"),
    "GET /api/v1/companies/{company_id}": case(company_id="company"),
    "PATCH /api/v1/companies/{company_id}": case({"name": "Mallory"}, company_id="company"),
    "DELETE /api/v1/companies/{company_id}": case(company_id="company"),
    "GET /api/v1/leads/{lead_id}": case(lead_id="lead"),
    "PATCH /api/v1/leads/{lead_id}": case({"stage": "converted"}, lead_id="lead"),
    "DELETE /api/v1/leads/{lead_id}": case(lead_id="lead"),
    "GET /api/v1/leads/{lead_id}/timeline": case(lead_id="lead"),
    "GET /api/v1/leads/{lead_id}/score": case(lead_id="lead"),
    "GET /api/v1/contacts/{contact_id}/timeline": case(contact_id="contact"),
    "GET /api/v1/deals/{deal_id}": case(deal_id="deal"),
    "PATCH /api/v1/deals/{deal_id}": case({"stage": "closed_won"}, deal_id="deal"),
    "DELETE /api/v1/deals/{deal_id}": case(deal_id="deal"),
    "GET /api/v1/activities/{activity_id}": case(activity_id="activity"),
    "PATCH /api/v1/activities/{activity_id}": case({"subject": "Mallory"}, activity_id="activity"),
    "DELETE /api/v1/activities/{activity_id}": case(activity_id="activity"),
    "GET /api/v1/notes/{note_id}": case(note_id="note"),
    "PATCH /api/v1/notes/{note_id}": case({"body": "Mallory"}, note_id="note"),
    "DELETE /api/v1/notes/{note_id}": case(note_id="note"),
    "GET /api/v1/products/{product_id}": case(product_id="product"),
    "PATCH /api/v1/products/{product_id}": case({"unit_price": "0"}, product_id="product"),
    "DELETE /api/v1/products/{product_id}": case(product_id="product"),
    "GET /api/v1/conversations/{conversation_id}": case(conversation_id="conversation"),
    "PATCH /api/v1/conversations/{conversation_id}": case({"status": "closed"}, conversation_id="conversation"),
    "DELETE /api/v1/conversations/{conversation_id}": case(conversation_id="conversation"),
    "GET /api/v1/conversations/{conversation_id}/messages": case(conversation_id="conversation"),
    "POST /api/v1/conversations/{conversation_id}/messages": case(
        {"direction": "outbound", "text": "hi"}, conversation_id="conversation"
    ),
    # scoring models
    "GET /api/v1/followups/drafts/{draft_id}": case(draft_id="followup_draft"),
    "GET /api/v1/models/{version_id}": case(version_id="model_version"),
    "POST /api/v1/models/{version_id}/promote": case(version_id="model_version"),
    # imports
    "GET /api/v1/imports/{import_id}": case(import_id="import_job"),
    "GET /api/v1/imports/{import_id}/errors": case(import_id="import_job"),
    "POST /api/v1/imports/{import_id}/retry": case(import_id="import_job"),
    # webhooks
    "GET /api/v1/webhooks/{endpoint_id}": case(endpoint_id="webhook_endpoint"),
    "PATCH /api/v1/webhooks/{endpoint_id}": case({"description": "Mallory"}, endpoint_id="webhook_endpoint"),
    "DELETE /api/v1/webhooks/{endpoint_id}": case(endpoint_id="webhook_endpoint"),
    "POST /api/v1/webhooks/{endpoint_id}/rotate-secret": case(endpoint_id="webhook_endpoint"),
    "POST /api/v1/webhooks/{endpoint_id}/test": case(endpoint_id="webhook_endpoint"),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries": case(endpoint_id="webhook_endpoint"),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}": case(
        endpoint_id="webhook_endpoint", delivery_id="webhook_delivery"
    ),
    "POST /api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver": case(
        endpoint_id="webhook_endpoint", delivery_id="webhook_delivery"
    ),
    # dashboard
    "GET /contacts/{contact_id}": case(contact_id="contact"),
    "POST /contacts/{contact_id}/notes": case(form={"body": "Mallory"}, contact_id="contact"),
    "GET /companies/{company_id}": case(company_id="company"),
    "POST /companies/{company_id}/notes": case(form={"body": "Mallory"}, company_id="company"),
    "GET /leads/{lead_id}": case(lead_id="lead"),
    "POST /leads/{lead_id}/stage": case(form={"stage": "converted"}, lead_id="lead"),
    "POST /leads/{lead_id}/bant": case(form={"need": "Mallory"}, lead_id="lead"),
    "POST /leads/{lead_id}/notes": case(form={"body": "Mallory"}, lead_id="lead"),
    "GET /leads/{lead_id}/score-card": case(lead_id="lead"),
    "POST /leads/{lead_id}/followup": case(form={"mode": "strict"}, lead_id="lead"),
    "POST /models/{version_id}/promote": case(version_id="model_version"),
    "GET /deals/{deal_id}": case(deal_id="deal"),
    "POST /deals/{deal_id}/stage": case(form={"stage": "closed_won"}, deal_id="deal"),
    "POST /deals/{deal_id}/notes": case(form={"body": "Mallory"}, deal_id="deal"),
    "GET /imports/{job_id}": case(job_id="import_job"),
    "GET /imports/{job_id}/progress": case(job_id="import_job"),
    "POST /imports/{job_id}/retry": case(job_id="import_job"),
    "POST /settings/users/{user_id}/role": case(form={"role": "viewer"}, user_id="user"),
    "POST /settings/users/{user_id}/deactivate": case(user_id="user"),
    "POST /settings/users/{user_id}/activate": case(user_id="user"),
    "POST /settings/api-keys/{key_id}/revoke": case(key_id="api_key"),
    # conversation intelligence
    "DELETE /api/v1/intelligence/examples/{example_id}": case(example_id="intelligence_example"),
    "POST /intelligence/examples/{example_id}/delete": case(example_id="intelligence_example"),
    # knowledge base
    "GET /api/v1/knowledge/documents/{document_id}": case(document_id="knowledge_document"),
    "GET /api/v1/knowledge/documents/{document_id}/chunks": case(document_id="knowledge_document"),
    "POST /api/v1/knowledge/documents/{document_id}/reindex": case(document_id="knowledge_document"),
    "DELETE /api/v1/knowledge/documents/{document_id}": case(document_id="knowledge_document"),
    "GET /knowledge/documents/{document_id}/row": case(document_id="knowledge_document"),
    "POST /knowledge/documents/{document_id}/reindex": case(document_id="knowledge_document"),
    "POST /knowledge/documents/{document_id}/delete": case(document_id="knowledge_document"),
}

# Body fields that name another record, and the World attribute holding such a record.
REFERENCE_FIELDS: dict[str, str] = {
    "contact_id": "contact",
    "company_id": "company",
    "lead_id": "lead",
    "deal_id": "deal",
    "product_id": "product",
    "conversation_id": "conversation",
    "owner_id": "user",
    "user_id": "user",
    "assignee_id": "user",
    "author_id": "user",
    "endpoint_id": "webhook_endpoint",
}
NOT_REFERENCES = {"external_id"}


@dataclass(frozen=True)
class Ref:
    """In a body: the id of the acting org's record held by this World attribute."""

    attribute: str


# Minimal valid bodies of the create routes whose body references other records (checked below).
CREATES: dict[str, dict[str, Any]] = {
    "POST /api/v1/contacts": {"first_name": "Zed"},
    "POST /api/v1/companies": {"name": "Zed"},
    "POST /api/v1/leads": {"contact_id": Ref("contact")},
    "POST /api/v1/deals": {"name": "Zed"},
    "POST /api/v1/activities": {"type": "call", "occurred_at": "2025-01-01T00:00:00Z", "contact_id": Ref("contact")},
    "POST /api/v1/notes": {"body": "Zed", "contact_id": Ref("contact")},
    "POST /api/v1/conversations": {"channel": "sms"},
    "POST /api/v1/followups": {"lead_id": Ref("lead")},
    "POST /api/v1/followups/rag": {"lead_id": Ref("lead")},
    "POST /api/v1/followups/finetuned": {"lead_id": Ref("lead")},
    "POST /api/v1/followups/hybrid": {"lead_id": Ref("lead")},
}

# JSON lists, and the table their items' ids come from.
LIST_MODELS: dict[str, type[Any]] = {
    "/api/v1/users": User,
    "/api/v1/api-keys": ApiKey,
    "/api/v1/contacts": Contact,
    "/api/v1/companies": Company,
    "/api/v1/leads": Lead,
    "/api/v1/deals": Deal,
    "/api/v1/activities": Activity,
    "/api/v1/notes": Note,
    "/api/v1/products": Product,
    "/api/v1/conversations": Conversation,
    "/api/v1/webhooks": WebhookEndpoint,
    "/api/v1/imports": ImportJob,
    "/api/v1/audit-events": AuditEvent,
    "/api/v1/models": ModelVersion,
    "/api/v1/knowledge/documents": KnowledgeDocument,
    "/api/v1/intelligence/examples": IntelligenceExample,
    "/api/v1/followups/drafts": FollowupDraft,
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    route: APIRoute

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return [param.name for param in self.route.dependant.path_params]

    @property
    def query_params(self) -> set[str]:
        return {param.name for param in self.route.dependant.query_params}

    def body_model(self) -> type[BaseModel] | None:
        params = self.route.dependant.body_params
        if len(params) != 1:
            return None
        annotation = params[0].field_info.annotation
        return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _endpoints(app: FastAPI) -> list[Endpoint]:
    found: dict[str, Endpoint] = {}
    for context in iter_route_contexts(app.routes):
        route = getattr(context, "original_route", context)
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                endpoint = Endpoint(method, context.path or route.path, route)
                found[endpoint.key] = endpoint
    return sorted(found.values(), key=lambda e: e.key)


ENDPOINTS = _endpoints(create_app())
ID_ROUTES = [e for e in ENDPOINTS if any(p == "id" or p.endswith("_id") for p in e.path_params)]
OPERATOR_PAGES = {"/health", "/ready", "/metrics"}  # no tenant data; /ready probes the database on its own
GET_PAGES = [e for e in ENDPOINTS if e.method == "GET" and not e.path_params and e.path not in OPERATOR_PAGES]
REFERENCING_WRITES = [
    e
    for e in ENDPOINTS
    if e.method in {"POST", "PUT", "PATCH"}
    and (model := e.body_model()) is not None
    and any(name.endswith("_id") and name not in NOT_REFERENCES for name in model.model_fields)
]


def _org(db: Session, name: str) -> tuple[Org, User]:
    # Built directly rather than with create_org, which hashes a password: this module makes hundreds of orgs.
    org = Org(name=name, slug=f"{name.lower()}-{uuid.uuid4().hex[:8]}", settings={})
    db.add(org)
    db.flush()
    return org, make_user(db, org, role="owner")


@pytest.fixture(autouse=True)
def _finetuned_model() -> Iterator[None]:
    # /followups/finetuned and /hybrid answer 503 until a fine-tuned model is configured; give them one.
    with override_finetuned_model(ScriptedChat(default="Thanks for your time.", model="finetuned")):
        yield


@pytest.fixture
def worlds(db: Session) -> tuple[World, World]:
    a = World(db, *_org(db, "Alpha"), tag="Alpha")
    b = World(db, *_org(db, "Bravo"), tag=B_MARKER.capitalize())
    db.commit()
    return a, b


def _headers(world: World) -> dict[str, str]:
    """Credentials that every route accepts: a bearer token (API) and the session cookie with its CSRF token."""
    token = create_access_token(user_id=world.owner.id, org_id=world.org.id)
    return {
        "Authorization": f"Bearer {token}",
        "Cookie": f"{SESSION_COOKIE}={token}",
        CSRF_HEADER: csrf_token_for(token),
    }


def _call(client: TestClient, endpoint: Endpoint, case: Case, ids: dict[str, Any], headers: dict[str, str]) -> Any:
    path = endpoint.path.format(**ids)
    return client.request(
        endpoint.method, path, json=case.json, data=case.form, headers=headers, follow_redirects=False
    )


def _normalised(text: str, *ids: Any) -> str:
    for value in ids:
        text = re.sub(rf"\b{re.escape(str(value))}\b", "{id}", text)
    return text


def _snapshot(db: Session, rows: list[Any]) -> list[dict[str, Any] | None]:
    db.expire_all()
    result: list[dict[str, Any] | None] = []
    for row in rows:
        fresh = db.get(type(row), row.id, populate_existing=True)
        result.append(
            None if fresh is None else {a.key: getattr(fresh, a.key) for a in inspect(fresh).mapper.column_attrs}
        )
    return result


def _org_counts(db: Session, org_id: int) -> dict[str, int]:
    return {
        table.name: db.scalar(select(func.count()).select_from(table).where(table.c.org_id == org_id)) or 0
        for table in Base.metadata.sorted_tables
        if "org_id" in table.c
    }


def _missing_value(endpoint: Endpoint, name: str) -> Any:
    param = next(p for p in endpoint.route.dependant.path_params if p.name == name)
    return MISSING_ID if param.field_info.annotation is int else f"missing-{MISSING_ID}"


@pytest.mark.parametrize("endpoint", ID_ROUTES, ids=lambda e: e.key)
def test_foreign_id_is_answered_like_a_missing_one(
    endpoint: Endpoint, client: TestClient, db: Session, worlds: tuple[World, World]
) -> None:
    a, b = worlds
    case = ROUTES.get(endpoint.key)
    if case is None:
        pytest.fail(
            f"{endpoint.key} has an id in its path but no entry in ROUTES of tests/test_tenant_isolation.py: add one "
            "naming the World attribute that creates org B's row for each path parameter, and a minimal valid body"
        )
    assert set(case.rows) == set(endpoint.path_params), f"ROUTES[{endpoint.key!r}] must name every path parameter"
    rows = {name: getattr(b, attribute) for name, attribute in case.rows.items()}
    db.commit()
    before_rows, before_counts = _snapshot(db, list(rows.values())), _org_counts(db, b.org.id)

    headers = _headers(a)
    foreign_ids = {name: row.id for name, row in rows.items()}
    missing_ids = {name: _missing_value(endpoint, name) for name in rows}
    foreign = _call(client, endpoint, case, foreign_ids, headers)
    missing = _call(client, endpoint, case, missing_ids, headers)

    if endpoint.path.startswith("/api/"):
        assert missing.status_code == 404, (
            f"{endpoint.key} with a missing id: {missing.status_code} {missing.text[:300]}"
        )
    else:
        # Dashboard forms may answer by redirecting back with a message; never with success for a missing id.
        assert 300 <= missing.status_code < 500, f"{endpoint.key} with a missing id: {missing.status_code}"
    assert foreign.status_code == missing.status_code, f"{endpoint.key} with org B's id: {foreign.text[:300]}"
    assert _normalised(foreign.text, *foreign_ids.values()) == _normalised(missing.text, *missing_ids.values())
    foreign_location = _normalised(foreign.headers.get("location", ""), *foreign_ids.values())
    assert foreign_location == _normalised(missing.headers.get("location", ""), *missing_ids.values())
    assert _snapshot(db, list(rows.values())) == before_rows, f"{endpoint.key} changed org B's row"
    assert _org_counts(db, b.org.id) == before_counts, f"{endpoint.key} added or removed org B's rows"


def test_routes_registry_has_no_stale_entries() -> None:
    stale = set(ROUTES) - {e.key for e in ID_ROUTES}
    assert not stale, f"ROUTES names routes that no longer exist: {sorted(stale)}"


def _listed_ids(body: Any) -> list[int] | None:
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        return None
    return [item["id"] for item in items if isinstance(item, dict) and "id" in item]


@pytest.mark.parametrize("endpoint", GET_PAGES, ids=lambda e: e.key)
def test_lists_and_searches_never_show_another_org(
    endpoint: Endpoint, client: TestClient, db: Session, worlds: tuple[World, World]
) -> None:
    a, b = worlds
    a.everything()
    b.everything()
    db.commit()
    headers = _headers(a)
    model = LIST_MODELS.get(endpoint.path)
    own_ids = set(db.scalars(select(model.id).where(model.org_id == a.org.id))) if model is not None else set()

    variants: list[dict[str, Any]] = [{}]
    if "q" in endpoint.query_params:
        variants += [{"q": SHARED_WORD}, {"q": B_MARKER}]
    variants += [
        {name: getattr(b, REFERENCE_FIELDS[name]).id} for name in endpoint.query_params & set(REFERENCE_FIELDS)
    ]
    for params in variants:
        response = client.get(endpoint.path, params=params, headers=headers, follow_redirects=False)
        assert response.status_code < 500, f"{endpoint.key} {params}: {response.text[:300]}"
        assert B_MARKER not in response.text.lower(), f"{endpoint.key} {params} shows org B's data"
        if model is None or response.status_code != 200:
            continue
        listed = _listed_ids(response.json())
        assert listed is not None, f"{endpoint.key}: LIST_MODELS says it lists {model.__name__}, but found no items"
        assert set(listed) <= own_ids, f"{endpoint.key} {params} lists rows of another org"
        if not params or params.get("q") == SHARED_WORD:
            assert listed, f"{endpoint.key} {params} should list org A's rows (the check above would be vacuous)"


def _body_for(endpoint: Endpoint, world: World) -> dict[str, Any]:
    template = CREATES.get(endpoint.key, {}) if not endpoint.path_params else (ROUTES[endpoint.key].json or {})
    if endpoint.path_params and endpoint.method == "PATCH":
        template = {}
    return {k: getattr(world, v.attribute).id if isinstance(v, Ref) else v for k, v in template.items()}


@pytest.mark.parametrize("endpoint", REFERENCING_WRITES, ids=lambda e: e.key)
def test_a_reference_to_another_orgs_row_is_rejected_like_a_missing_one(
    endpoint: Endpoint, client: TestClient, db: Session, worlds: tuple[World, World]
) -> None:
    a, b = worlds
    model = endpoint.body_model()
    assert model is not None
    if not endpoint.path_params and endpoint.key not in CREATES:
        pytest.fail(f"{endpoint.key} takes references in its body: add its minimal valid body to CREATES")
    if endpoint.path_params and endpoint.key not in ROUTES:
        pytest.skip("reported by test_foreign_id_is_answered_like_a_missing_one")
    fields = sorted(name for name in model.model_fields if name.endswith("_id") and name not in NOT_REFERENCES)
    unknown = [name for name in fields if name not in REFERENCE_FIELDS]
    assert not unknown, f"{endpoint.key}: add {unknown} to REFERENCE_FIELDS (or NOT_REFERENCES)"
    path_ids = (
        {name: getattr(a, attribute).id for name, attribute in ROUTES[endpoint.key].rows.items()}
        if endpoint.path_params
        else {}
    )
    foreign_rows = {name: getattr(b, REFERENCE_FIELDS[name]) for name in fields}
    db.commit()
    before_counts = _org_counts(db, b.org.id)
    headers = _headers(a)
    path = endpoint.path.format(**path_ids)

    for name in fields:
        base = _body_for(endpoint, a)
        own = client.request(
            endpoint.method, path, json={**base, name: getattr(a, REFERENCE_FIELDS[name]).id}, headers=headers
        )
        assert own.status_code < 300, f"{endpoint.key} with org A's own {name}: {own.status_code} {own.text[:300]}"
        foreign_id = foreign_rows[name].id
        foreign = client.request(endpoint.method, path, json={**base, name: foreign_id}, headers=headers)
        missing = client.request(endpoint.method, path, json={**base, name: MISSING_ID}, headers=headers)
        assert 400 <= missing.status_code < 500, f"{endpoint.key} {name}={MISSING_ID}: {missing.text[:300]}"
        assert foreign.status_code == missing.status_code, f"{endpoint.key} {name} of org B: {foreign.text[:300]}"
        assert _normalised(foreign.text, foreign_id) == _normalised(missing.text, MISSING_ID)
    assert _org_counts(db, b.org.id) == before_counts
