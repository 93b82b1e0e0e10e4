from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.audit.models import AuditEvent
from leadpilot.crm.models import StageChange
from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/deals"


def _history(db: Session, deal_id: int) -> list[tuple[str | None, str]]:
    db.expire_all()
    rows = db.scalars(
        select(StageChange)
        .where(StageChange.entity_type == "deal", StageChange.entity_id == deal_id)
        .order_by(StageChange.id)
    )
    return [(row.from_stage, row.to_stage) for row in rows]


def test_create_read_update_delete_deal(client: TestClient, db: Session, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane", "company_id": company["id"]}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    deal = post(
        client,
        URL,
        {
            "name": "Acme annual plan",
            "lead_id": lead["id"],
            "amount": "12000",
            "probability": 0.4,
            "expected_close_date": "2030-03-31",
        },
        headers,
    )
    assert (deal["contact_id"], deal["company_id"]) == (contact["id"], company["id"]), "filled from the lead"
    assert deal["amount"] == "12000.00"
    assert deal["currency"] == "USD"
    assert (deal["stage"], deal["status"], deal["pipeline"], deal["closed_at"]) == (
        "qualification",
        "open",
        "default",
        None,
    )
    assert client.get(f"{URL}/{deal['id']}", headers=headers).json() == deal

    patched = client.patch(f"{URL}/{deal['id']}", json={"amount": 9999.99, "currency": "EUR"}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["amount"], patched.json()["currency"]) == ("9999.99", "EUR")
    assert client.get(URL, params={"q": "annual"}, headers=headers).json()["items"][0]["id"] == deal["id"]

    assert client.delete(f"{URL}/{deal['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{deal['id']}", headers=headers).json()["error"] == "DealNotFound"
    assert _history(db, deal["id"]) == []
    assert client.get(f"/api/v1/leads/{lead['id']}", headers=headers).status_code == 200
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "deal")).all()
    assert sorted(actions) == ["deal.created", "deal.deleted", "deal.updated"]


def test_closing_and_reopening(client: TestClient, db: Session, org_a) -> None:
    headers = auth_headers(org_a[1])
    deal = post(client, URL, {"name": "Big one", "amount": 100}, headers)

    def move(stage: str, **extra: object) -> dict:
        response = client.patch(f"{URL}/{deal['id']}", json={"stage": stage, **extra}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert move("proposal")["status"] == "open"
    won = move("closed_won")
    assert won["status"] == "won"
    assert won["closed_at"] == won["stage_changed_at"]
    reopened = move("negotiation")
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)
    lost = move("closed_lost", lost_reason="Went with a competitor")
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Went with a competitor")
    assert lost["closed_at"] is not None
    reopened = move("qualification")
    assert (reopened["status"], reopened["closed_at"], reopened["lost_reason"]) == ("open", None, None)
    assert _history(db, deal["id"]) == [
        (None, "qualification"),
        ("qualification", "proposal"),
        ("proposal", "closed_won"),
        ("closed_won", "negotiation"),
        ("negotiation", "closed_lost"),
        ("closed_lost", "qualification"),
    ]
    born_won = post(client, URL, {"name": "Renewal", "stage": "closed_won"}, headers)
    assert born_won["status"] == "won"
    assert born_won["closed_at"] is not None


def test_filters(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    agent = make_user(db, org, role="agent")
    db.commit()
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    small = post(client, URL, {"name": "Small", "amount": 500, "expected_close_date": "2030-01-15"}, headers)
    big = post(
        client,
        URL,
        {
            "name": "Big",
            "amount": 50000,
            "expected_close_date": "2030-06-01",
            "company_id": company["id"],
            "owner_id": agent.id,
            "pipeline": "enterprise",
        },
        headers,
    )
    won = post(client, URL, {"name": "Won", "stage": "closed_won", "amount": 2000, "currency": "EUR"}, headers)

    def found(**params: object) -> set[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return set(ids(response.json()["items"]))

    assert found(stage="closed_won") == {won["id"]}
    assert found(status="open") == {small["id"], big["id"]}
    assert found(status="won") == {won["id"]}
    assert found(pipeline="enterprise") == {big["id"]}
    assert found(owner_id=agent.id) == {big["id"]}
    assert found(company_id=company["id"]) == {big["id"]}
    assert found(currency="eur") == {won["id"]}
    assert found(min_amount="1000") == {big["id"], won["id"]}
    assert found(max_amount="2000.00") == {small["id"], won["id"]}
    assert found(min_amount=600, max_amount=10000) == {won["id"]}
    assert found(expected_close_after="2030-02-01") == {big["id"]}
    assert found(expected_close_before="2030-01-15") == {small["id"]}
    assert found(expected_close_after="2030-01-01", expected_close_before="2030-12-31") == {small["id"], big["id"]}
    assert found(q="big") == {big["id"]}
    assert found(q="enterprise") == {big["id"]}
    assert found(created_before="1999-12-31T23:00:00-01:00") == set()


def test_sort_by_amount_and_close_date_walks_every_row_once(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    created = []
    for i in range(9):
        body: dict[str, object] = {"name": f"D{i}"}
        if i % 3:
            body["amount"] = str(100 * (i % 4))
        if i % 4:
            body["expected_close_date"] = f"2030-0{1 + i % 3}-01"
        created.append(post(client, URL, body, headers)["id"])
    for sort in ("amount", "expected_close_date", "created_at", "updated_at", "stage_changed_at", "name", "id"):
        for order in ("asc", "desc"):
            items = walk(client, URL, headers, sort=sort, order=order, limit=2)
            assert sorted(ids(items)) == sorted(created), (sort, order)
            assert len(set(ids(items))) == len(created)
    by_close = walk(client, URL, headers, sort="expected_close_date", order="asc", limit=2)
    dates = [d["expected_close_date"] for d in by_close]
    present = [d for d in dates if d is not None]
    assert present == sorted(present)
    assert dates[len(present) :] == [None] * (len(dates) - len(present)), "nulls last"
    by_amount = walk(client, URL, headers, sort="amount", order="desc", limit=4)
    amounts = [float(d["amount"]) for d in by_amount if d["amount"] is not None]
    assert amounts == sorted(amounts, reverse=True)


def test_bad_input_is_a_clear_4xx(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    other = post(client, "/api/v1/contacts", {"first_name": "Max"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    cases = [
        ({}, 422),
        ({"name": "X", "amount": "-1"}, 422),
        ({"name": "X", "amount": "1e20"}, 422),
        ({"name": "X", "amount": "NaN"}, 422),
        ({"name": "X", "probability": 1.5}, 422),
        ({"name": "X", "stage": "won"}, 422),
        ({"name": "X", "expected_close_date": "soon"}, 422),
        ({"name": "X", "lead_id": 987654321}, 400),
        ({"name": "X", "lead_id": lead["id"], "contact_id": other["id"]}, 400),
    ]
    for payload, status in cases:
        response = client.post(URL, json=payload, headers=headers)
        assert response.status_code == status, (payload, response.text)
    deal = post(client, URL, {"name": "X", "external_id": "d-1"}, headers)
    assert (
        client.post(URL, json={"name": "Y", "external_id": "d-1"}, headers=headers).json()["existing_id"] == deal["id"]
    )
    for body in ({"stage": None}, {"name": None}, {"currency": None}, {"pipeline": None}):
        assert client.patch(f"{URL}/{deal['id']}", json=body, headers=headers).status_code == 422, body
    assert client.get(URL, params={"min_amount": "cheap"}, headers=headers).status_code == 422
    assert client.get(URL, params={"expected_close_after": "2030-13-01"}, headers=headers).status_code == 422
    assert client.get(URL, params={"sort": "probability"}, headers=headers).status_code == 422
    assert client.get(URL, params={"sort": "expected_close_date", "cursor": "e30"}, headers=headers).status_code == 400
    assert ids(client.get(URL, headers=headers).json()["items"]) == [deal["id"]]


def test_viewer_can_read_but_not_write(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    viewer = make_user(db, org, role="viewer")
    db.commit()
    deal = post(client, URL, {"name": "X"}, auth_headers(owner))
    headers = auth_headers(viewer)
    assert client.get(f"{URL}/{deal['id']}", headers=headers).status_code == 200
    assert client.post(URL, json={"name": "Y"}, headers=headers).status_code == 403
    assert client.patch(f"{URL}/{deal['id']}", json={"stage": "closed_won"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}/{deal['id']}", headers=headers).status_code == 403
    assert client.get(f"{URL}/{deal['id']}", headers=headers).json()["status"] == "open"
