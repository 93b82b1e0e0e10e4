from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.crm.leads import service as lead_service
from leadpilot.crm.models import Lead, StageChange
from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/leads"


def _contact(client: TestClient, headers: dict[str, str], **fields: object) -> dict:
    return post(client, "/api/v1/contacts", {"first_name": "Jane", "last_name": "Doe", **fields}, headers)


def _history(db: Session, lead_id: int) -> list[tuple[str | None, str]]:
    db.expire_all()
    rows = db.scalars(
        select(StageChange)
        .where(StageChange.entity_type == "lead", StageChange.entity_id == lead_id)
        .order_by(StageChange.id)
    )
    return [(row.from_stage, row.to_stage) for row in rows]


def test_create_read_update_delete_lead(client: TestClient, db: Session, org_a, monkeypatch) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    events: list[tuple[int, str, dict]] = []
    monkeypatch.setattr(
        lead_service, "emit_event", lambda _session, org_id, kind, data: events.append((org_id, kind, data))
    )
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    contact = _contact(client, headers, company_id=company["id"])
    lead = post(
        client,
        URL,
        {
            "contact_id": contact["id"],
            "title": "Website redesign",
            "source": "webform",
            "owner_id": owner.id,
            "budget_amount": 15000,
            "authority": "CTO",
            "need": "a faster site",
            "timeline": "2030-06-30",
        },
        headers,
    )
    assert lead["company_id"] == company["id"], "company defaults to the contact's"
    assert lead["stage"] == "new"
    assert lead["status"] == "open"
    assert lead["budget_amount"] == "15000.00"
    assert lead["budget_currency"] == "USD", "budget currency defaults to the org's"
    assert lead["timeline"] == "2030-06-30"
    assert lead["score"] is None

    assert client.get(f"{URL}/{lead['id']}", headers=headers).json() == lead
    patched = client.patch(
        f"{URL}/{lead['id']}", json={"need": "a faster, cheaper site", "budget_currency": "eur"}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["budget_currency"] == "EUR"
    assert patched.json()["title"] == "Website redesign"

    assert client.delete(f"{URL}/{lead['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{lead['id']}", headers=headers).json()["error"] == "LeadNotFound"
    assert _history(db, lead["id"]) == [], "the stage history goes with the lead"
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=headers).status_code == 200

    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "lead")).all()
    assert sorted(actions) == ["lead.created", "lead.deleted", "lead.updated"]
    assert [(org_id, kind) for org_id, kind, _ in events] == [
        (org.id, "lead.created"),
        (org.id, "lead.updated"),
        (org.id, "lead.deleted"),
    ]
    assert events[0][2] == lead
    assert events[2][2] == {"id": lead["id"]}


def test_lead_for_a_missing_contact_is_a_400(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    response = client.post(URL, json={"contact_id": 987654321}, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "error": "InvalidInput",
        "detail": "contact_id 987654321 does not exist",
        "field": "contact_id",
    }
    assert client.post(URL, json={}, headers=headers).status_code == 422
    assert client.get(URL, headers=headers).json()["items"] == []


def test_stage_changes_are_recorded_and_set_status(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    contact = _contact(client, headers)
    lead = post(client, URL, {"contact_id": contact["id"]}, headers)

    def move(stage: str, **extra: object) -> dict:
        response = client.patch(f"{URL}/{lead['id']}", json={"stage": stage, **extra}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    contacted = move("contacted")
    assert contacted["stage_changed_at"] > lead["stage_changed_at"]
    again = move("contacted")
    assert again["stage_changed_at"] == contacted["stage_changed_at"], "same stage is not a change"
    converted = move("converted")
    assert converted["status"] == "converted"
    assert converted["converted_at"] == converted["stage_changed_at"]
    lost = move("disqualified", lost_reason="No budget")
    assert (lost["status"], lost["lost_reason"], lost["converted_at"]) == ("lost", "No budget", None)
    reopened = move("engaged")
    assert (reopened["status"], reopened["lost_reason"]) == ("open", None)

    assert _history(db, lead["id"]) == [
        (None, "new"),
        ("new", "contacted"),
        ("contacted", "converted"),
        ("converted", "disqualified"),
        ("disqualified", "engaged"),
    ]
    changes = db.scalars(select(StageChange).where(StageChange.entity_id == lead["id"])).all()
    assert {c.changed_by_id for c in changes} == {owner.id}
    assert all(c.changed_at.tzinfo is not None for c in changes)

    bad = client.patch(f"{URL}/{lead['id']}", json={"stage": "won"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"] == "ValidationError"
    created_lost = post(
        client, URL, {"contact_id": contact["id"], "stage": "disqualified", "lost_reason": "Spam"}, headers
    )
    assert (created_lost["status"], created_lost["lost_reason"]) == ("lost", "Spam")
    assert _history(db, created_lost["id"]) == [(None, "disqualified")]


def test_filters_and_search(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    agent = make_user(db, org, role="agent")
    db.commit()
    jane = _contact(client, headers, first_name="Jane", last_name="Roe", email="jane@roe.example")
    max_ = _contact(client, headers, first_name="Max", last_name="Mustermann")
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    hot = post(
        client,
        URL,
        {"contact_id": jane["id"], "source": "webform", "title": "Solar panels for the roof", "owner_id": agent.id},
        headers,
    )
    cold = post(client, URL, {"contact_id": max_["id"], "source": "import", "company_id": company["id"]}, headers)
    unscored = post(client, URL, {"contact_id": max_["id"], "source": "import", "stage": "qualified"}, headers)
    db.execute(update(Lead).where(Lead.id == hot["id"]).values(score=91.5, score_tier="A"))
    db.execute(update(Lead).where(Lead.id == cold["id"]).values(score=12.0, score_tier="C"))
    db.commit()

    def found(**params: object) -> set[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return set(ids(response.json()["items"]))

    assert found() == {hot["id"], cold["id"], unscored["id"]}
    assert found(stage="qualified") == {unscored["id"]}
    assert found(status="open") == {hot["id"], cold["id"], unscored["id"]}
    assert found(status="lost") == set()
    assert found(source="import") == {cold["id"], unscored["id"]}
    assert found(owner_id=agent.id) == {hot["id"]}
    assert found(contact_id=max_["id"]) == {cold["id"], unscored["id"]}
    assert found(company_id=company["id"]) == {cold["id"]}
    assert found(min_score=50) == {hot["id"]}
    assert found(max_score=50) == {cold["id"]}
    assert found(min_score=10, max_score=95) == {hot["id"], cold["id"]}
    assert found(score_tier="A") == {hot["id"]}
    assert found(created_after="2000-01-01T00:00:00+02:00") == {hot["id"], cold["id"], unscored["id"]}
    assert found(created_before="2000-01-01T00:00:00Z") == set()
    assert found(q="solar") == {hot["id"]}
    assert found(q="roof sol") == {hot["id"]}
    assert found(q="jane"), "found by the contact's name"
    assert found(q="muster") == {cold["id"], unscored["id"]}
    assert found(q="jane@roe.example") == {hot["id"]}
    assert found(q="nothing-like-this") == set()

    by_score = ids(walk(client, URL, headers, sort="score", order="desc", limit=1))
    assert by_score == [hot["id"], cold["id"], unscored["id"]], "nulls last"
    assert ids(walk(client, URL, headers, sort="score", order="asc", limit=2)) == [
        cold["id"],
        hot["id"],
        unscored["id"],
    ]


def test_sort_and_pagination_walk_every_row_once(client: TestClient, db: Session, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = _contact(client, headers)
    created = [post(client, URL, {"contact_id": contact["id"], "title": f"L{i}"}, headers)["id"] for i in range(8)]
    for index, lead_id in enumerate(created):
        score = None if index % 3 == 0 else float(index % 2)
        db.execute(update(Lead).where(Lead.id == lead_id).values(score=score))
    db.commit()
    for sort in ("created_at", "updated_at", "score", "stage_changed_at", "id"):
        for order in ("asc", "desc"):
            seen = ids(walk(client, URL, headers, sort=sort, order=order, limit=3))
            assert sorted(seen) == sorted(created), (sort, order)
            assert len(seen) == len(set(seen))


def test_bad_input_is_a_clear_4xx(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = _contact(client, headers)
    cases = [
        ({"contact_id": contact["id"], "budget_amount": -5}, 422),
        ({"contact_id": contact["id"], "budget_amount": "1.005"}, 422),
        ({"contact_id": contact["id"], "budget_amount": "lots"}, 422),
        ({"contact_id": contact["id"], "budget_currency": "Gold"}, 422),
        ({"contact_id": contact["id"], "timeline": "next spring"}, 422),
        ({"contact_id": contact["id"], "stage": "won"}, 422),
        ({"contact_id": contact["id"], "score": 99}, 422),
        ({"contact_id": contact["id"], "company_id": 987654321}, 400),
        ({"contact_id": contact["id"], "owner_id": 987654321}, 400),
        ({"contact_id": "abc"}, 422),
    ]
    for payload, status in cases:
        response = client.post(URL, json=payload, headers=headers)
        assert response.status_code == status, (payload, response.text)
        assert response.json()["detail"], payload
    lead = post(client, URL, {"contact_id": contact["id"], "external_id": "ext-1"}, headers)
    duplicate = client.post(URL, json={"contact_id": contact["id"], "external_id": "ext-1"}, headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["existing_id"] == lead["id"]
    for body in ({"stage": None}, {"contact_id": None}, {"custom_fields": None}):
        response = client.patch(f"{URL}/{lead['id']}", json=body, headers=headers)
        assert response.status_code == 422, body
        assert "cannot be null" in response.json()["detail"]
    assert client.patch(f"{URL}/{lead['id']}", json={"contact_id": 987654321}, headers=headers).status_code == 400
    assert client.get(URL, params={"status": "maybe"}, headers=headers).status_code == 422
    assert client.get(URL, params={"min_score": "high"}, headers=headers).status_code == 422
    assert client.get(URL, params={"limit": 0}, headers=headers).status_code == 422
    assert client.get(URL, params={"limit": 500}, headers=headers).status_code == 422
    assert ids(client.get(URL, headers=headers).json()["items"]) == [lead["id"]]


def test_viewer_can_read_but_not_write(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    viewer = make_user(db, org, role="viewer")
    db.commit()
    contact = _contact(client, auth_headers(owner))
    lead = post(client, URL, {"contact_id": contact["id"]}, auth_headers(owner))
    headers = auth_headers(viewer)
    assert client.get(f"{URL}/{lead['id']}", headers=headers).status_code == 200
    assert client.get(f"{URL}/{lead['id']}/timeline", headers=headers).status_code == 200
    assert client.post(URL, json={"contact_id": contact["id"]}, headers=headers).status_code == 403
    assert client.patch(f"{URL}/{lead['id']}", json={"stage": "converted"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}/{lead['id']}", headers=headers).status_code == 403
    assert client.get(f"{URL}/{lead['id']}", headers=headers).json()["stage"] == "new"
