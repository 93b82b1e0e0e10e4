from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from leadpilot.auth.roles import Role
from leadpilot.crm.schemas import Email, ReadModel, Timezone, WriteModel


class LoginRequest(WriteModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class TokenResponse(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class OrgRead(ReadModel):
    id: int
    name: str
    slug: str
    timezone: str
    default_currency: str
    default_phone_region: str


class UserRead(ReadModel):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    timezone: str
    last_login_at: datetime | None
    created_at: datetime


class MeRead(ReadModel):
    user: UserRead | None
    org: OrgRead
    role: str
    permissions: list[str]


class UserCreate(WriteModel):
    email: Email
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=1000)
    role: Role = Role.agent
    timezone: Timezone = "UTC"


class UserUpdate(WriteModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=1000)
    timezone: Timezone | None = None


class ApiKeyCreate(WriteModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.agent
    expires_at: AwareDatetime | None = Field(default=None, description="With a time zone, e.g. 2030-01-01T00:00:00Z")


class ApiKeyRead(ReadModel):
    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key. Shown once; store it now.")
