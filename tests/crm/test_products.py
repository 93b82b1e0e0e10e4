from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.crm.support import ids, post, walk
from tests.fixtures.factories import auth_headers, make_user

URL = "/api/v1/products"


def test_create_read_update_delete_product(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    product = post(
        client,
        URL,
        {
            "sku": "PRO-M",
            "name": "Pro plan",
            "unit_price": 49.5,
            "billing_period": "month",
            "category": "Subscriptions",
        },
        headers,
    )
    assert (product["unit_price"], product["currency"], product["is_active"]) == ("49.50", "USD", True)
    assert client.get(f"{URL}/{product['id']}", headers=headers).json() == product
    patched = client.patch(f"{URL}/{product['id']}", json={"unit_price": "59", "is_active": False}, headers=headers)
    assert (patched.json()["unit_price"], patched.json()["is_active"]) == ("59.00", False)
    assert client.delete(f"{URL}/{product['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{product['id']}", headers=headers).json()["error"] == "ProductNotFound"


def test_filters_search_sort_and_pagination(client: TestClient, org_a) -> None:
    headers = auth_headers(org_a[1])
    basic = post(client, URL, {"sku": "BAS-1", "name": "Basic plan", "unit_price": 10, "category": "Plans"}, headers)
    pro = post(client, URL, {"sku": "PRO-1", "name": "Pro plan", "unit_price": 50, "category": "Plans"}, headers)
    setup = post(
        client,
        URL,
        {
            "sku": "SET_UP",
            "name": "Onboarding 100%",
            "unit_price": 500,
            "currency": "EUR",
            "billing_period": "one_time",
            "is_active": False,
        },
        headers,
    )

    def found(**params: object) -> list[int]:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return ids(response.json()["items"])

    assert found() == [basic["id"], setup["id"], pro["id"]], "by name by default"
    assert found(category="Plans") == [basic["id"], pro["id"]]
    assert found(is_active=False) == [setup["id"]]
    assert found(currency="eur") == [setup["id"]]
    assert found(billing_period="one_time") == [setup["id"]]
    assert found(min_price=20) == [setup["id"], pro["id"]]
    assert found(max_price="50.00") == [basic["id"], pro["id"]]
    assert found(q="plan pro") == [pro["id"]]
    assert found(q="PLANS") == [basic["id"], pro["id"]]
    assert found(q="set_up") == [setup["id"]]
    assert found(q="%") == [basic["id"], setup["id"], pro["id"]], "no words: no filter"
    assert found(q="100") == [setup["id"]]
    assert found(sort="unit_price", order="desc") == [setup["id"], pro["id"], basic["id"]]
    for sort in ("name", "sku", "unit_price", "created_at", "updated_at", "id"):
        for order in ("asc", "desc"):
            assert sorted(ids(walk(client, URL, headers, sort=sort, order=order, limit=2))) == sorted(
                [basic["id"], pro["id"], setup["id"]]
            )


def test_bad_input_is_a_clear_4xx(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    cases = [
        {"name": "No sku", "unit_price": 1},
        {"sku": "X", "unit_price": 1},
        {"sku": "X", "name": "No price"},
        {"sku": "X", "name": "Neg", "unit_price": -1},
        {"sku": "X", "name": "Bad period", "unit_price": 1, "billing_period": "week"},
        {"sku": "X", "name": "Bad currency", "unit_price": 1, "currency": "ZZZ"},
    ]
    for payload in cases:
        assert client.post(URL, json=payload, headers=headers).status_code == 422, payload
    first = post(client, URL, {"sku": "X", "name": "X", "unit_price": 1}, headers)
    duplicate = client.post(URL, json={"sku": "X", "name": "Y", "unit_price": 2}, headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["existing_id"] == first["id"]
    assert client.patch(f"{URL}/{first['id']}", json={"unit_price": None}, headers=headers).status_code == 422
    assert client.get(URL, params={"min_price": "free"}, headers=headers).status_code == 422
    viewer = make_user(db, org, role="viewer")
    db.commit()
    assert (
        client.post(URL, json={"sku": "V", "name": "V", "unit_price": 1}, headers=auth_headers(viewer)).status_code
        == 403
    )
    assert client.get(URL, headers=auth_headers(viewer)).json()["items"][0]["id"] == first["id"]
