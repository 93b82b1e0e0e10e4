from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from leadpilot.auth.roles import Permission, Role, has_permission, permissions_for
from tests.fixtures.factories import PASSWORD, auth_headers, make_user

NEW_USER = {"email": "new.person@example.com", "name": "New Person", "password": PASSWORD}


def test_roles_are_nested_and_every_permission_has_a_minimum_role() -> None:
    ordered = [Role.viewer, Role.agent, Role.manager, Role.admin, Role.owner]
    for lower, higher in itertools.pairwise(ordered):
        assert permissions_for(lower) < permissions_for(higher)
    assert permissions_for(Role.owner) == set(Permission)
    assert permissions_for(Role.viewer) == {Permission.crm_read}


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.viewer, Permission.crm_write, False),
        (Role.agent, Permission.crm_write, True),
        (Role.agent, Permission.crm_delete, False),
        (Role.agent, Permission.users_read, False),
        (Role.manager, Permission.users_manage, False),
        (Role.admin, Permission.users_manage, True),
        (Role.admin, Permission.org_manage, False),
    ],
)
def test_permission_table(role: Role, permission: Permission, allowed: bool) -> None:
    assert has_permission(role, permission) is allowed


def test_a_viewer_can_read_but_not_write(client: TestClient, db: Session, org_a) -> None:
    org, _ = org_a
    viewer = make_user(db, org, Role.viewer)
    db.commit()
    headers = auth_headers(viewer)
    assert client.get("/api/v1/contacts", headers=headers).status_code == 200
    denied = client.post("/api/v1/contacts", json={"email": "x@example.com"}, headers=headers)
    assert denied.status_code == 403
    assert denied.json() == {"error": "PermissionDenied", "detail": "Your role (viewer) lacks the permission crm:write"}
    assert client.get("/api/v1/contacts", headers=headers).json()["items"] == []


def test_an_agent_cannot_manage_users(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    agent = make_user(db, org, Role.agent)
    db.commit()
    headers = auth_headers(agent)
    assert client.post("/api/v1/users", json=NEW_USER, headers=headers).status_code == 403
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    assert client.patch(f"/api/v1/users/{agent.id}", json={"role": "admin"}, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/users/{owner.id}", json={"is_active": False}, headers=headers).status_code == 403


def test_an_admin_cannot_create_promote_or_change_an_owner(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    admin = make_user(db, org, Role.admin)
    db.commit()
    headers = auth_headers(admin)
    assert client.post("/api/v1/users", json={**NEW_USER, "role": "owner"}, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/users/{admin.id}", json={"role": "owner"}, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/users/{owner.id}", json={"role": "viewer"}, headers=headers).status_code == 403
    created = client.post("/api/v1/users", json={**NEW_USER, "role": "admin"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["role"] == "admin"
    assert "password" not in created.json()
    assert "password_hash" not in created.json()


def test_the_last_owner_cannot_be_demoted_or_deactivated(client: TestClient, db: Session, org_a) -> None:
    org, owner = org_a
    headers = auth_headers(owner)
    for change in ({"role": "admin"}, {"is_active": False}):
        response = client.patch(f"/api/v1/users/{owner.id}", json=change, headers=headers)
        assert response.status_code == 400
        assert response.json()["detail"] == "An org must keep at least one active owner"

    second = make_user(db, org, Role.owner)
    db.commit()
    demoted = client.patch(f"/api/v1/users/{owner.id}", json={"role": "admin"}, headers=auth_headers(second))
    assert demoted.status_code == 200
    assert demoted.json()["role"] == "admin"
    again = client.patch(f"/api/v1/users/{second.id}", json={"role": "admin"}, headers=auth_headers(second))
    assert again.status_code == 400


def test_users_of_another_org_are_not_found(client: TestClient, org_a, org_b) -> None:
    _, owner_a = org_a
    _, owner_b = org_b
    for method, kwargs in (("GET", {}), ("PATCH", {"json": {"name": "Hacked"}})):
        response = client.request(method, f"/api/v1/users/{owner_b.id}", headers=auth_headers(owner_a), **kwargs)
        assert response.status_code == 404
        assert response.json()["error"] == "UserNotFound"
    assert [u["id"] for u in client.get("/api/v1/users", headers=auth_headers(owner_a)).json()] == [owner_a.id]
