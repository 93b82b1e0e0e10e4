"""The intelligence API: analysis without storage, the org's examples (CRUD, validation, tenancy, permissions), the
quality of the org's classifiers, and bad input (never a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Role
from leadpilot.intelligence.classifier import IntelligenceModel
from leadpilot.intelligence.models import IntelligenceExample
from leadpilot.orgs.models import Org, User
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/intelligence"


@pytest.fixture(autouse=True)
def _shipped(model: IntelligenceModel) -> None:
    """The shipped classifiers are trained once per session (conftest), not inside a request."""


def _analyze(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{URL}/analyze", json=body, headers=headers)


def test_analyze_returns_every_annotation_and_stores_nothing(client: TestClient, db: Session, org_a) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(make_user(db, org_a[0], role=Role.viewer))
    response = _analyze(
        client, headers,
        text="I'm the COO. We're losing leads after hours and have about $30k. Can we start next quarter?",
        at="2026-01-20T10:00:00Z",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"sentiment", "emotion", "intent", "intents", "buying_signals", "objections", "bant", "language",
            "model_version"} <= set(body)  # fmt: skip
    assert body["bant"]["timeline"]["date"] == "2026-04-01"
    assert body["bant"]["budget"] | {"amount": 30000.0, "currency": "USD"} == body["bant"]["budget"]
    assert body["bant"]["authority"]["role"] == "COO"
    assert body["bant"]["authority"]["decision_maker"] is True
    assert body["model_version"] == "intel-1/shipped"
    assert db.scalar(select(func.count()).select_from(IntelligenceExample)) == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": ""}, 422), ({"text": "x" * 100_000}, 422), ({"text": "   \n "}, 400), ({}, 422),
     ({"text": "ok", "at": "yesterday"}, 422), ({"text": "hi", "direction": "sideways"}, 422)],
)  # fmt: skip
def test_bad_input_is_a_4xx_with_a_clear_error(client: TestClient, org_a, body: dict[str, Any], status: int) -> None:  # type: ignore[no-untyped-def]
    response = _analyze(client, auth_headers(org_a[1]), **body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


def test_emoji_only_is_a_neutral_result(client: TestClient, org_a) -> None:  # type: ignore[no-untyped-def]
    response = _analyze(client, auth_headers(org_a[1]), text="🙂🙂🙂")
    assert response.status_code == 200, response.text
    assert response.json()["sentiment"]["label"] == "neutral"


def test_examples_crud_and_the_model_follows_them(client: TestClient, org_a) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(org_a[1])
    text = "Is the blue widget back in stock at the Leeds warehouse?"
    before = _analyze(client, headers, text=text).json()
    created = client.post(f"{URL}/examples", json={"task": "intent", "label": "Stock Check", "text": f"  {text} "},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201, created.text
    example = created.json()
    assert example["label"] == "stock_check"
    assert example["text"] == text
    duplicate = client.post(
        f"{URL}/examples", json={"task": "intent", "label": "pricing", "text": text}, headers=headers
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["existing_id"] == example["id"]

    listed = client.get(f"{URL}/examples", params={"task": "intent"}, headers=headers).json()
    assert [e["id"] for e in listed] == [example["id"]]
    assert client.get(f"{URL}/examples", params={"task": "sentiment"}, headers=headers).json() == []

    after = _analyze(client, headers, text=text).json()
    assert after["model_version"] != before["model_version"]
    assert "stock_check" in {i["label"] for i in after["intents"]} | {after["intent"]["label"]}

    models = client.get(f"{URL}/models", headers=headers).json()
    assert models["current_version"] == after["model_version"]
    assert "stock_check" in models["labels"]["intent"]
    assert models["org_examples"] == 1
    assert models["stale"] is True

    assert client.delete(f"{URL}/examples/{example['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/examples", headers=headers).json() == []
    assert _analyze(client, headers, text=text).json()["model_version"] == "intel-1/shipped"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"task": "sentiment", "label": "ecstatic", "text": "Wonderful!"}, "label"),
     ({"task": "intent", "label": "has spaces!", "text": "Hello"}, "label"),
     ({"task": "objection", "label": "price", "text": "   "}, "text")],
)  # fmt: skip
def test_invalid_examples_are_refused_and_nothing_is_stored(
    client: TestClient, db: Session, org_a, body: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"{URL}/examples", json=body, headers=auth_headers(org_a[1]))
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert db.scalar(select(func.count()).select_from(IntelligenceExample)) == 0
    assert client.post(f"{URL}/examples", json={"task": "mood", "label": "x", "text": "y"},
                       headers=auth_headers(org_a[1])).status_code == 422  # fmt: skip


def test_another_orgs_example_is_a_404_like_a_missing_one(client: TestClient, org_a, org_b) -> None:  # type: ignore[no-untyped-def]
    created = client.post(f"{URL}/examples", json={"task": "sentiment", "label": "negative", "text": "Meh, not great."},
                          headers=auth_headers(org_b[1]))  # fmt: skip
    assert created.status_code == 201
    foreign = client.delete(f"{URL}/examples/{created.json()['id']}", headers=auth_headers(org_a[1]))
    missing = client.delete(f"{URL}/examples/999999999", headers=auth_headers(org_a[1]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert client.get(f"{URL}/examples", headers=auth_headers(org_a[1])).json() == []


@pytest.mark.parametrize(("role", "can_edit"), [(Role.viewer, False), (Role.agent, False), (Role.manager, True)])
def test_viewers_analyze_and_read_managers_edit_examples(
    client: TestClient, db: Session, org_a: tuple[Org, User], role: Role, can_edit: bool
) -> None:
    headers = auth_headers(make_user(db, org_a[0], role=role))
    assert _analyze(client, headers, text="How much is it?").status_code == 200
    assert client.get(f"{URL}/examples", headers=headers).status_code == 200
    assert client.get(f"{URL}/models", headers=headers).status_code == 200
    created = client.post(f"{URL}/examples", json={"task": "intent", "label": "pricing", "text": "Price list?"},
                          headers=headers)  # fmt: skip
    assert created.status_code == (201 if can_edit else 403), created.text
    assert (client.post(f"{URL}/retrain", json={}, headers=headers).status_code == 403) is not can_edit


def test_retrain_measures_quality_per_task(client: TestClient, org_a) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(org_a[1])
    added = client.post(f"{URL}/examples", json={"task": "objection", "label": "price",
                                                 "text": "Your fee is steep for us."}, headers=headers)  # fmt: skip
    assert added.status_code == 201, added.text
    response = client.post(f"{URL}/retrain", json={"wait": True}, headers=headers)
    assert response.status_code == 201, response.text
    record = response.json()["record"]
    assert record["examples"]["objection"]["org"] == 1
    for task in ("intent", "objection", "sentiment", "emotion", "buying_signal"):
        cv, heldout = record["metrics"]["cv"][task], record["metrics"]["heldout"][task]
        assert 0.4 < cv["accuracy"] <= 1
        assert 0.4 < heldout["macro_f1"] <= 1
        assert heldout["macro_f1"] > heldout["majority_macro_f1"]
    models = client.get(f"{URL}/models", headers=headers).json()
    assert models["latest"]["id"] == record["id"]
    assert models["stale"] is False
    assert client.post(f"{URL}/retrain", json={}, headers=headers).status_code == 202
