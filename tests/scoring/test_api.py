"""Scoring through the API on a small org without outcomes (the prior), event-driven re-scoring, tenancy and
permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.crm.models import Lead
from leadpilot.orgs.models import Org, User
from leadpilot.scoring import tasks
from leadpilot.scoring.models import LeadScore, ModelVersion, ScoringRequest
from tests.crm.support import post
from tests.fixtures.factories import auth_headers, make_user


def _lead(
    client: TestClient,
    headers: dict[str, str],
    *,
    title: str = "VP Finance",
    source: str = "demo_request",
    activities: int = 2,
) -> dict[str, Any]:
    company = post(
        client, "/api/v1/companies", {"name": "Globex", "employee_count": 120, "industry": "Software"}, headers
    )
    contact = post(
        client,
        "/api/v1/contacts",
        {
            "first_name": "Ada",
            "title": title,
            "company_id": company["id"],
            "email": f"ada{company['id']}@globex.example",
        },
        headers,
    )
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"], "source": source}, headers)
    now = datetime.now(UTC)
    for i in range(activities):
        post(
            client,
            "/api/v1/activities",
            {
                "type": "web_visit",
                "contact_id": contact["id"],
                "url": "https://vendor.example/pricing",
                "occurred_at": (now - timedelta(hours=i + 1)).isoformat(),
            },
            headers,
        )
    return lead


def test_an_org_without_outcomes_is_scored_by_the_prior_and_says_so(
    client: TestClient, org_a: tuple[Org, User]
) -> None:
    headers = auth_headers(org_a[1])
    lead = _lead(client, headers)
    response = client.post("/api/v1/leads/score", json={"lead_ids": [lead["id"]]}, headers=headers)
    assert response.status_code == 200, response.text
    item = response.json()["items"][0]
    assert item["model"] == "prior"
    assert item["model_version"] == "prior-1"
    assert item["interval"][0] <= item["probability"] <= item["interval"][1]
    labels = [r["label"] for r in item["reasons"]]
    assert "title: VP Finance" in labels
    assert "visited pricing twice in 30 days" in labels
    assert set(item["dimensions"]) >= {"intent", "timing", "budget_fit", "engagement_readiness", "churn_risk"}

    stored = client.get(f"/api/v1/leads/{lead['id']}", headers=headers).json()
    assert stored["score"] == pytest.approx(item["score"], abs=0.01)
    assert stored["score_tier"] == item["tier"]
    assert stored["score_model_version"] == "prior-1"
    assert stored["score_reasons"][0]["label"]

    detail = client.get(f"/api/v1/leads/{lead['id']}/score", headers=headers)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["current"]["model"] == "prior"
    assert len(body["history"]) == 1
    assert body["stored"]["trigger"] == "api"

    # a list sorted by score puts the scored lead first
    leads = client.get("/api/v1/leads", params={"sort": "score", "order": "desc"}, headers=headers).json()["items"]
    assert leads[0]["id"] == lead["id"]


def test_ad_hoc_features_are_scored_forgivingly(client: TestClient, org_a: tuple[Org, User]) -> None:
    headers = auth_headers(org_a[1])
    body = {
        "records": [
            {"features": {"pricing_views_7d": 4, "stage": "qualified", "seniority": "vp"}},
            {"features": {"pricing_views_7d": "lots", "source": ["?"], "nope": 1, "lead_age_days": 1e99}},
            {"features": {}},
        ]
    }
    response = client.post("/api/v1/leads/score", json=body, headers=headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["lead_id"] for i in items] == [None, None, None]
    assert items[0]["probability"] > items[2]["probability"]
    assert any("nope" in w for w in items[1]["warnings"])
    assert any("pricing_views_7d" in w for w in items[1]["warnings"])
    assert (
        client.post("/api/v1/leads/score", json={"lead_ids": [1], "features": {}}, headers=headers).status_code == 422
    )
    assert client.post("/api/v1/leads/score", json={}, headers=headers).status_code == 422
    features = client.get("/api/v1/models/features", headers=headers).json()
    assert {"name": "stage", "group": "stage", "kind": "cat"}.items() <= features[
        [f["name"] for f in features].index("stage")
    ].items()


def test_activity_arrival_rescores_the_lead_once_after_a_quiet_period(
    client: TestClient, db: Session, org_a: tuple[Org, User]
) -> None:
    headers = auth_headers(org_a[1])
    org_id = org_a[0].id
    lead = _lead(client, headers, activities=0)
    # the new lead is due at once
    assert tasks.process_pending(org_id) == 1
    first = db.scalar(select(Lead.score).where(Lead.id == lead["id"]))
    assert first is not None
    contact_id = lead["contact_id"]
    now = datetime.now(UTC)
    for i in range(3):
        post(
            client,
            "/api/v1/activities",
            {
                "type": "email_replied",
                "contact_id": contact_id,
                "occurred_at": (now - timedelta(minutes=i)).isoformat(),
            },
            headers,
        )
    pending = db.scalar(select(func.count()).select_from(ScoringRequest).where(ScoringRequest.lead_id == lead["id"]))
    assert pending == 3
    assert tasks.process_pending(org_id) == 0  # still inside the debounce window
    later = datetime.now(UTC) + timedelta(seconds=tasks.DEBOUNCE_SECONDS + 1)
    assert tasks.process_pending(org_id, now=later) == 1  # three activities, one re-score
    db.expire_all()
    history = db.scalars(select(LeadScore).where(LeadScore.lead_id == lead["id"]).order_by(LeadScore.id)).all()
    assert [h.trigger for h in history] == ["activity", "activity"]
    assert history[-1].score > history[0].score  # replies raise the prior's score
    assert db.scalar(select(func.count()).select_from(ScoringRequest).where(ScoringRequest.org_id == org_id)) == 0
    # nothing waits forever: an old request is due even when new ones keep arriving
    post(
        client,
        "/api/v1/activities",
        {"type": "web_visit", "contact_id": contact_id, "occurred_at": now.isoformat()},
        headers,
    )
    assert tasks.process_pending(org_id, now=now + timedelta(seconds=tasks.MAX_WAIT_SECONDS + 5)) == 1


def test_batch_scoring(client: TestClient, db: Session, org_a: tuple[Org, User]) -> None:
    headers = auth_headers(org_a[1])
    leads = [_lead(client, headers, activities=i) for i in range(3)]
    response = client.post("/api/v1/leads/batch-score", json={"lead_ids": [x["id"] for x in leads]}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scored"] == 3
    assert body["model_version"] == "prior-1"
    assert [i["lead_id"] for i in body["items"]] == [x["id"] for x in leads]
    queued = client.post("/api/v1/leads/batch-score", json={"all_leads": True}, headers=headers)
    assert queued.status_code == 202
    assert queued.json()["queued"] is True
    assert client.post("/api/v1/leads/batch-score", json={}, headers=headers).status_code == 422


def test_another_org_sees_none_of_the_scores_or_models(
    client: TestClient, db: Session, org_a: tuple[Org, User], org_b: tuple[Org, User]
) -> None:
    lead = _lead(client, auth_headers(org_a[1]))
    version = ModelVersion(
        org_id=org_a[0].id,
        kind="lead_conversion",
        version="lead-v1",
        number=1,
        status="active",
        algorithm="lightgbm+platt",
        feature_set="lead-v1",
        horizon_days=60,
        artifact_path="x",
        artifact_sha256="0" * 64,
        metrics={"test": {"auc": 0.8}},
    )
    db.add(version)
    db.commit()
    b = auth_headers(org_b[1])
    assert client.get("/api/v1/models", headers=b).json() == []
    missing_id = 987_654_321
    for method, path, body in [
        ("GET", "/api/v1/models/{}", None),
        ("POST", "/api/v1/models/{}/promote", None),
        ("GET", "/api/v1/leads/{}/score", None),
        ("POST", "/api/v1/leads/score", {"lead_ids": ["{}"]}),
        ("POST", "/api/v1/leads/batch-score", {"lead_ids": ["{}"]}),
    ]:
        own = version.id if "models" in path else lead["id"]

        def call(row_id: int, method: str = method, path: str = path, body: Any = body) -> Any:
            payload = {k: [row_id] for k in body} if body else None
            return client.request(method, path.format(row_id), json=payload, headers=b)

        foreign, missing = call(own), call(missing_id)
        assert foreign.status_code == missing.status_code == 404, (path, foreign.text)
        assert foreign.json()["error"] == missing.json()["error"]
    assert client.post("/api/v1/models/rollback", json={}, headers=b).status_code == 409  # B has no model
    assert db.scalar(select(ModelVersion.status).where(ModelVersion.id == version.id)) == "active"


def test_only_admins_manage_models_and_viewers_only_read(
    client: TestClient, db: Session, org_a: tuple[Org, User]
) -> None:
    lead = _lead(client, auth_headers(org_a[1]))
    agent = auth_headers(make_user(db, org_a[0], role=Role.agent))
    viewer = auth_headers(make_user(db, org_a[0], role=Role.viewer))
    db.commit()
    assert client.post("/api/v1/models/train", json={}, headers=agent).status_code == 403
    assert client.post("/api/v1/models/rollback", json={}, headers=agent).status_code == 403
    assert client.post("/api/v1/models/drift", headers=agent).status_code == 403
    assert client.get("/api/v1/models", headers=viewer).status_code == 200
    assert client.post("/api/v1/leads/score", json={"lead_ids": [lead["id"]]}, headers=viewer).status_code == 403
    read_only = client.post("/api/v1/leads/score", json={"lead_ids": [lead["id"]], "persist": False}, headers=viewer)
    assert read_only.status_code == 200
    assert db.scalar(select(Lead.score).where(Lead.id == lead["id"])) is None


def test_training_without_outcomes_explains_why(client: TestClient, org_a: tuple[Org, User]) -> None:
    headers = auth_headers(org_a[1])
    _lead(client, headers)
    response = client.post("/api/v1/models/train", json={"wait": True}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["trained"] is False
    assert "prior" in body["detail"]
    queued = client.post("/api/v1/models/train", json={}, headers=headers)
    assert queued.status_code == 202
    assert client.post("/api/v1/models/drift", headers=headers).json() is None
