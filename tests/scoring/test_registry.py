"""The model registry on a demo tenant in the database: train, score every lead, shadow-score a candidate, promote,
roll back, check drift; the dashboard page and the CLI. The tenant is loaded once for the module; each test runs in a
savepoint of it that is rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from leadpilot.auth.dependencies import SESSION_COOKIE
from leadpilot.auth.security import create_access_token, csrf_token_for
from leadpilot.cli.main import app as cli_app
from leadpilot.config import get_settings
from leadpilot.crm.models import Lead
from leadpilot.db import session as db_session
from leadpilot.demo.loader import DEMO_LOGIN_EMAIL, ensure_demo_loaded
from leadpilot.orgs.models import Org, User
from leadpilot.scoring import service as scoring_service
from leadpilot.scoring.models import DriftReport, LeadScore, ModelVersion

AS_OF = datetime(2025, 2, 3, 10, 0, tzinfo=UTC)


@dataclass
class Demo:
    connection: Connection
    org_id: int
    owner_id: int

    def session(self) -> Session:
        return Session(bind=self.connection, join_transaction_mode="create_savepoint")


@pytest.fixture(scope="module")
def demo(engine) -> Iterator[Demo]:  # type: ignore[no-untyped-def]
    connection = engine.connect()
    outer = connection.begin()
    db_session.bind_sessions_to(connection)
    try:
        result = ensure_demo_loaded(echo=lambda _line: None, seed=5, contacts=320, as_of=AS_OF, score=False)
        assert result is not None
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            org = session.get(Org, result.org_id)
            assert org is not None
            org.settings = {**org.settings, "scoring": {"min_positives": 8, "full_weight_positives": 60}}
            owner_id = session.scalar(select(User.id).where(User.email == DEMO_LOGIN_EMAIL))
            assert owner_id is not None
            session.commit()
        yield Demo(connection, result.org_id, owner_id)
    finally:
        db_session.bind_sessions_to(None)
        outer.rollback()
        connection.close()


@pytest.fixture
def api(app, demo: Demo) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    savepoint = demo.connection.begin_nested()
    db_session.bind_sessions_to(demo.connection)
    token = create_access_token(user_id=demo.owner_id, org_id=demo.org_id)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(app, headers=headers) as client:
            client.cookies.set(SESSION_COOKIE, token)
            client.headers["X-CSRF-Token"] = csrf_token_for(token)
            yield client
    finally:
        savepoint.rollback()


def _train(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/models/train", json={"wait": True, **body})
    assert response.status_code == 201, response.text
    return response.json()["version"]


def test_train_score_shadow_promote_and_roll_back(api: TestClient, demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    real_emit = scoring_service.emit_event
    monkeypatch.setattr(
        scoring_service, "emit_event", lambda s, o, t, d: (events.append((t, d)), real_emit(s, o, t, d))
    )

    first = _train(api)
    assert (first["version"], first["status"]) == ("lead-v1", "active")  # the org's first model goes live
    assert first["metrics"]["test"]["auc"] > 0.6
    assert first["metrics"]["leakage_check"]["violations"] == {}
    artifact = Path(get_settings().home) / first["artifact_path"]
    assert artifact == Path(get_settings().home) / "models" / str(demo.org_id) / "lead-v1"
    assert {p.name for p in artifact.iterdir()} >= {"model.txt", "metadata.json"}
    assert [t for t, _ in events] == ["model.trained", "model.promoted"]

    # promotion queued a re-score of the org (the immediate queue ran it): every lead has a score and reasons
    with demo.session() as session:
        total = session.scalar(select(func.count()).select_from(Lead).where(Lead.org_id == demo.org_id))
        scored = session.scalars(select(Lead).where(Lead.org_id == demo.org_id, Lead.score.is_not(None))).all()
        assert total
        assert len(scored) == total
        unexplained = [lead.id for lead in scored if not lead.score_reasons or lead.score_model_version != "lead-v1"]
        assert not unexplained
        open_lead = next(lead.id for lead in scored if lead.status == "open")

    second = _train(api)
    assert (second["version"], second["status"]) == ("lead-v2", "candidate")
    assert second["metrics"]["comparison"]["version"] == "lead-v1"

    # while a candidate exists, stored scores are also computed by it, in the shadow
    response = api.post("/api/v1/leads/score", json={"lead_ids": [open_lead]})
    assert response.json()["items"][0]["model_version"] == "lead-v1"
    detail = api.get(f"/api/v1/models/{second['id']}").json()
    assert detail["shadow"]["pairs"] >= 1
    assert 0 <= detail["shadow"]["tier_agreement"] <= 1

    promoted = api.post(f"/api/v1/models/{second['id']}/promote")
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["status"] == "active"
    statuses = {v["version"]: v["status"] for v in api.get("/api/v1/models").json()}
    assert statuses == {"lead-v1": "archived", "lead-v2": "active"}
    assert api.post(f"/api/v1/models/{second['id']}/promote").status_code == 409

    rolled = api.post("/api/v1/models/rollback", json={})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["active"]["version"] == "lead-v1"
    assert rolled.json()["archived"]["version"] == "lead-v2"
    assert api.post("/api/v1/leads/score", json={"lead_ids": [open_lead]}).json()["items"][0]["model_version"] == (
        "lead-v1"
    )
    assert "model.rolled_back" in [t for t, _ in events]

    # rolling back the only model left falls back to the prior
    assert api.post("/api/v1/models/rollback", json={}).json()["active"] is None
    assert api.post("/api/v1/leads/score", json={"lead_ids": [open_lead]}).json()["items"][0]["model"] == "prior"


def test_drift_check_stores_a_report_and_alerts_once(
    api: TestClient, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _train(api)
    response = api.post("/api/v1/models/drift")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] in ("ok", "warning", "drift", "insufficient")
    assert api.get("/api/v1/models/drift").json()[0]["id"] == report["id"]

    # a shifted population raises the alert (once) and shows on the models page
    sent: list[str] = []
    monkeypatch.setattr(scoring_service, "emit_event", lambda s, o, t, d: sent.append(t))
    drift = scoring_service.drift
    for status in ("ok", "drift", "drift"):
        result = drift.DriftResult(
            rows=120,
            status=status,
            score_psi=0.4 if status == "drift" else 0.01,
            feature_psi={"source": 0.6},
            drifted_features=["source"],
        )
        monkeypatch.setattr(drift, "compare", lambda *a, result=result, **k: result)
        assert api.post("/api/v1/models/drift").json()["status"] == status
    assert sent == ["model.drift_detected"]
    page = api.get("/models")
    assert page.status_code == 200
    assert 'id="drift-alert"' in page.text
    assert "Drift detected" in page.text
    with demo.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(DriftReport).where(DriftReport.org_id == demo.org_id)) == 4
        )


def test_the_models_page_and_the_lead_score_card(api: TestClient, demo: Demo) -> None:
    empty = api.get("/models")
    assert empty.status_code == 200
    assert "Scores come from the prior" in empty.text
    _train(api)
    page = api.get("/models")
    assert page.status_code == 200
    for marker in (
        'id="stat-auc"',
        'id="reliability"',
        'id="baselines"',
        'id="dimensions"',
        'id="versions"',
        "lead-v1",
        "reliability-chart",
    ):
        assert marker in page.text, marker
    with demo.session() as session:
        lead_id = session.scalar(select(Lead.id).where(Lead.org_id == demo.org_id, Lead.status == "open"))
    api.post("/api/v1/leads/score", json={"lead_ids": [lead_id]})
    card = api.get(f"/leads/{lead_id}/score-card", headers={"HX-Request": "true"})
    assert card.status_code == 200, card.text
    assert 'id="dimensions"' in card.text
    assert "Intent" in card.text
    assert "Readiness" in card.text
    lead_page = api.get(f"/leads/{lead_id}")
    assert f'hx-get="/leads/{lead_id}/score-card"' in lead_page.text
    assert "model lead-v1" in lead_page.text


def test_the_cli_trains_runs_and_reports(api: TestClient, demo: Demo) -> None:
    runner = CliRunner()
    trained = runner.invoke(cli_app, ["score", "train"])
    assert trained.exit_code == 0, trained.output
    assert "Trained lead-v1 (active)" in trained.output
    ran = runner.invoke(cli_app, ["score", "run"])
    assert ran.exit_code == 0, ran.output
    assert "Scored" in ran.output
    assert "lead-v1" in ran.output
    report = runner.invoke(cli_app, ["score", "report"])
    assert report.exit_code == 0, report.output
    assert "lead-v1" in report.output
    assert "Reliability" in report.output
    assert runner.invoke(cli_app, ["score", "drift"]).exit_code == 0
    assert runner.invoke(cli_app, ["score", "promote", "lead-v9"]).exit_code != 0
    rolled = runner.invoke(cli_app, ["score", "rollback"])
    assert rolled.exit_code == 0
    assert "the prior" in rolled.output
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(LeadScore).where(LeadScore.org_id == demo.org_id)) > 0
        assert session.scalar(select(ModelVersion.status).where(ModelVersion.org_id == demo.org_id)) == "archived"
