"""Who is calling: a user (session or JWT) or an API key, always inside exactly one org."""

from __future__ import annotations

from dataclasses import dataclass

from leadpilot.auth.roles import Permission, Role, has_permission


@dataclass(frozen=True, slots=True)
class Principal:
    org_id: int
    role: Role
    user_id: int | None = None
    api_key_id: int | None = None

    @property
    def kind(self) -> str:
        return "api_key" if self.api_key_id is not None else "user"

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    @classmethod
    def system(cls, org_id: int) -> Principal:
        """The principal that background jobs act as, inside one org."""
        return cls(org_id=org_id, role=Role.owner)
