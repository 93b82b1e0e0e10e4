"""Roles and the permissions each grants.

owner ⊃ admin ⊃ manager ⊃ agent ⊃ viewer. Endpoints ask for a permission, never for a role, so the table below
is the whole access policy.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    manager = "manager"
    agent = "agent"
    viewer = "viewer"


class Permission(StrEnum):
    crm_read = "crm:read"
    crm_write = "crm:write"
    crm_delete = "crm:delete"
    crm_import = "crm:import"
    crm_export = "crm:export"
    users_read = "users:read"
    users_manage = "users:manage"
    api_keys_manage = "api_keys:manage"
    webhooks_manage = "webhooks:manage"
    audit_read = "audit:read"
    models_manage = "models:manage"
    knowledge_manage = "knowledge:manage"
    intelligence_manage = "intelligence:manage"
    org_manage = "org:manage"


_RANK = {Role.viewer: 0, Role.agent: 1, Role.manager: 2, Role.admin: 3, Role.owner: 4}

_MINIMUM_ROLE = {
    Permission.crm_read: Role.viewer,
    Permission.crm_write: Role.agent,
    Permission.crm_delete: Role.manager,
    Permission.crm_import: Role.manager,
    Permission.crm_export: Role.manager,
    Permission.users_read: Role.manager,
    Permission.users_manage: Role.admin,
    Permission.api_keys_manage: Role.admin,
    Permission.webhooks_manage: Role.admin,
    Permission.audit_read: Role.admin,
    Permission.models_manage: Role.admin,
    Permission.intelligence_manage: Role.manager,
    Permission.knowledge_manage: Role.manager,
    Permission.org_manage: Role.owner,
}


def role_rank(role: Role | str) -> int:
    return _RANK[Role(role)]


def has_permission(role: Role | str, permission: Permission) -> bool:
    return role_rank(role) >= _RANK[_MINIMUM_ROLE[permission]]


def permissions_for(role: Role | str) -> set[Permission]:
    return {p for p in Permission if has_permission(role, p)}
