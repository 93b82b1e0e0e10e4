from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/notes"


def test_create_read_update_delete_note(client: TestClient, org_a) -> None:
    _, owner = org_a
    headers = auth_headers(owner)
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    note = post(client, URL, {"contact_id": contact["id"], "body": "Prefers calls after 4pm"}, headers)
    assert note["author_id"] == owner.id
    assert client.get(f"{URL}/{note['id']}", headers=headers).json() == note
    patched = client.patch(f"{URL}/{note['id']}", json={"body": "Prefers calls after 5pm"}, headers=headers)
    assert patched.json()["body"] == "Prefers calls after 5pm"
    assert ids(client.get(URL, params={"q": "calls 5pm"}, headers=headers).json()["items"]) == [note["id"]]
    assert client.get(URL, params={"q": "4pm"}, headers=headers).json()["items"] == []
    assert client.delete(f"{URL}/{note['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{note['id']}", headers=headers).json()["error"] == "NoteNotFound"


def test_targets_filters_and_pagination(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    company = post(client, "/api/v1/companies", {"name": "Acme"}, headers)
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    lead = post(client, "/api/v1/leads", {"contact_id": contact["id"]}, headers)
    deal = post(client, "/api/v1/deals", {"name": "D"}, headers)
    on_company = post(client, URL, {"company_id": company["id"], "body": "a"}, headers)
    on_contact = post(client, URL, {"contact_id": contact["id"], "body": "b"}, headers)
    on_lead = post(client, URL, {"lead_id": lead["id"], "contact_id": contact["id"], "body": "c"}, headers)
    on_deal = post(client, URL, {"deal_id": deal["id"], "body": "d"}, headers)

    def found(**params: object) -> set[int]:
        return set(ids(client.get(URL, params=params, headers=headers).json()["items"]))

    assert found(company_id=company["id"]) == {on_company["id"]}
    assert found(contact_id=contact["id"]) == {on_contact["id"], on_lead["id"]}
    assert found(lead_id=lead["id"]) == {on_lead["id"]}
    assert found(deal_id=deal["id"]) == {on_deal["id"]}
    assert found(author_id=org_a[1].id) == {on_company["id"], on_contact["id"], on_lead["id"], on_deal["id"]}
    every = [on_company["id"], on_contact["id"], on_lead["id"], on_deal["id"]]
    for sort in ("created_at", "updated_at", "id"):
        assert ids(walk(client, URL, headers, sort=sort, order="asc", limit=3)) == every
        assert ids(walk(client, URL, headers, sort=sort, order="desc", limit=3)) == every[::-1]


def test_bad_input_is_a_clear_4xx(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, headers)
    no_target = client.post(URL, json={"body": "floating"}, headers=headers)
    assert no_target.status_code == 400
    assert "needs a contact_id" in no_target.json()["detail"]
    assert client.post(URL, json={"contact_id": contact["id"], "body": ""}, headers=headers).status_code == 422
    assert client.post(URL, json={"contact_id": contact["id"]}, headers=headers).status_code == 422
    assert client.post(URL, json={"lead_id": 987654321, "body": "x"}, headers=headers).status_code == 400
    note = post(client, URL, {"contact_id": contact["id"], "body": "x"}, headers)
    unpin = client.patch(f"{URL}/{note['id']}", json={"contact_id": None}, headers=headers)
    assert unpin.status_code == 400, "a note must stay attached to something"
    assert client.patch(f"{URL}/{note['id']}", json={"body": None}, headers=headers).status_code == 422
    assert client.get(f"{URL}/{note['id']}", headers=headers).json()["contact_id"] == contact["id"]


def test_only_the_author_or_a_manager_edits_a_note(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    author = make_user(db, org, role="agent")
    colleague = make_user(db, org, role="agent")
    manager = make_user(db, org, role="manager")
    viewer = make_user(db, org, role="viewer")
    db.commit()
    contact = post(client, "/api/v1/contacts", {"first_name": "Jane"}, auth_headers(owner))
    note = post(client, URL, {"contact_id": contact["id"], "body": "mine"}, auth_headers(author))
    url = f"{URL}/{note['id']}"
    assert client.patch(url, json={"body": "edited"}, headers=auth_headers(author)).status_code == 200
    denied = client.patch(url, json={"body": "hijacked"}, headers=auth_headers(colleague))
    assert denied.status_code == 403
    assert client.patch(url, json={"body": "managed"}, headers=auth_headers(manager)).status_code == 200
    assert (
        client.post(URL, json={"contact_id": contact["id"], "body": "x"}, headers=auth_headers(viewer)).status_code
        == 403
    )
    assert client.delete(url, headers=auth_headers(author)).status_code == 403
    assert client.get(url, headers=auth_headers(viewer)).json()["body"] == "managed"
