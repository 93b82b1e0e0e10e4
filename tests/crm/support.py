"""Helpers shared by the CRM API tests: create records through the API and walk every page of a list."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def post(client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def walk(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, page by page, in order."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        assert page["has_more"] == (page["next_cursor"] is not None)
        cursor = page["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination did not end")


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]
