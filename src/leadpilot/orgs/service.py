"""Orgs, users, login and API keys."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role, role_rank
from leadpilot.auth.security import (
    burn_password_check,
    create_access_token,
    generate_api_key,
    hash_password,
    verify_password,
)
from leadpilot.config import get_settings
from leadpilot.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from leadpilot.kit.clock import utcnow
from leadpilot.kit.ratelimit import get_rate_limiter
from leadpilot.orgs.models import ApiKey, Org, User
from leadpilot.orgs.repository import ApiKeyRepository, UserRepository, find_user_by_email
from leadpilot.orgs.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, UserCreate, UserUpdate


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "org"


def create_org(
    session: Session,
    *,
    name: str,
    owner_email: str,
    owner_name: str,
    owner_password: str,
    timezone: str = "UTC",
    default_currency: str | None = None,
    default_phone_region: str | None = None,
) -> tuple[Org, User]:
    """Create an org with its first owner (CLI, demo, tests). Currency and phone region default to the settings."""
    settings = get_settings()
    default_currency = default_currency or settings.default_currency
    default_phone_region = default_phone_region or settings.default_phone_region
    if find_user_by_email(session, owner_email) is not None:
        raise Conflict(f"A user with email {owner_email!r} already exists")
    slug = base = slugify(name)
    suffix = 1
    while session.query(Org.id).filter(Org.slug == slug).first() is not None:
        suffix += 1
        slug = f"{base}-{suffix}"
    org = Org(name=name, slug=slug, timezone=timezone, default_currency=default_currency,
              default_phone_region=default_phone_region, settings={})  # fmt: skip
    session.add(org)
    session.flush()
    owner = User(org_id=org.id, email=owner_email.lower(), name=owner_name, password_hash=hash_password(owner_password),
                 role=Role.owner.value, timezone=timezone)  # fmt: skip
    session.add(owner)
    session.flush()
    record(session, None, "org.created", entity_type="org", entity_id=org.id, org_id=org.id)
    return org, owner


def login(session: Session, *, email: str, password: str, ip: str | None) -> tuple[User, str]:
    """Check credentials; return the user and a session token. Rate-limited per email and per client ip.

    Every failure raises the same NotAuthenticated, whatever the reason, so the answer does not tell which emails
    have accounts. The audit row of a failed attempt (with the reason) is added to ``session`` before raising: the
    caller commits it although it answers with an error, since an audit log that forgets failed logins would hide
    exactly the attempts it exists to show.
    """
    settings = get_settings()
    limiter = get_rate_limiter()
    email = email.strip().lower()
    for key in (f"login:email:{email}", f"login:ip:{ip or '-'}"):
        limiter.hit(key, limit=settings.login_rate_limit, window_seconds=settings.login_rate_window_seconds)
    user = find_user_by_email(session, email)
    if user is None:
        burn_password_check(password)
        record(session, None, "auth.login_failed", data={"email": email, "reason": "unknown_email"})
        raise NotAuthenticated("Wrong email or password")
    if not verify_password(password, user.password_hash) or not user.is_active:
        reason = "inactive" if user.is_active is False else "bad_password"
        record(session, None, "auth.login_failed", entity_type="user", entity_id=user.id, org_id=user.org_id,
               data={"email": email, "reason": reason})  # fmt: skip
        raise NotAuthenticated("Wrong email or password")
    user.last_login_at = utcnow()
    principal = Principal(org_id=user.org_id, role=Role(user.role), user_id=user.id)
    record(session, principal, "auth.login", entity_type="user", entity_id=user.id)
    return user, create_access_token(user_id=user.id, org_id=user.org_id)


class UserService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.users = UserRepository(session, principal)

    def _check_can_grant(self, role: Role) -> None:
        if role_rank(role) > role_rank(self.principal.role):
            raise PermissionDenied(f"A {self.principal.role} cannot grant the role {role}")

    def create(self, data: UserCreate) -> User:
        self._check_can_grant(data.role)
        if find_user_by_email(self.session, data.email) is not None:
            raise Conflict("A user with this email already exists", extra={"field": "email"})
        user = User(email=data.email, name=data.name, password_hash=hash_password(data.password),
                    role=data.role.value, timezone=data.timezone, is_active=True)  # fmt: skip
        self.users.add(user)
        record(self.session, self.principal, "user.created", entity_type="user", entity_id=user.id,
               data={"role": user.role})  # fmt: skip
        return user

    def update(self, user_id: int, data: UserUpdate) -> User:
        user = self.users.access_by_id(user_id)
        if role_rank(user.role) > role_rank(self.principal.role):
            raise PermissionDenied("You cannot change a user with a higher role than yours")
        losing_owner = user.role == Role.owner and (
            (data.role is not None and data.role != Role.owner) or data.is_active is False
        )
        if losing_owner and self.users.count_active_owners() <= 1:
            raise InvalidInput("An org must keep at least one active owner")
        if data.role is not None:
            self._check_can_grant(data.role)
            user.role = data.role.value
        if data.name is not None:
            user.name = data.name
        if data.is_active is not None:
            user.is_active = data.is_active
        if data.timezone is not None:
            user.timezone = data.timezone
        if data.password is not None:
            user.password_hash = hash_password(data.password)
            user.credentials_changed_at = utcnow()
        self.session.flush()
        record(self.session, self.principal, "user.updated", entity_type="user", entity_id=user.id,
               data={"fields": sorted(data.model_fields_set - {"password"})})  # fmt: skip
        return user


class ApiKeyService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.keys = ApiKeyRepository(session, principal)

    def create(self, data: ApiKeyCreate) -> ApiKeyCreated:
        if role_rank(data.role) > role_rank(self.principal.role):
            raise PermissionDenied(f"A {self.principal.role} cannot create a key with the role {data.role}")
        if data.expires_at is not None and data.expires_at <= utcnow():
            raise InvalidInput("expires_at must be in the future", extra={"field": "expires_at"})
        key, prefix, key_hash = generate_api_key()
        api_key = ApiKey(name=data.name, prefix=prefix, key_hash=key_hash, role=data.role.value,
                         created_by_id=self.principal.user_id, expires_at=data.expires_at)  # fmt: skip
        self.keys.add(api_key)
        record(self.session, self.principal, "api_key.created", entity_type="api_key", entity_id=api_key.id,
               data={"role": api_key.role, "name": api_key.name})  # fmt: skip
        return ApiKeyCreated(**ApiKeyRead.model_validate(api_key).model_dump(), key=key)

    def revoke(self, key_id: int) -> ApiKey:
        api_key = self.keys.access_by_id(key_id)
        if api_key.revoked_at is None:
            api_key.revoked_at = utcnow()
            self.session.flush()
            record(self.session, self.principal, "api_key.revoked", entity_type="api_key", entity_id=api_key.id)
        return api_key
