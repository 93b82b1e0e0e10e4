"""FastAPI dependencies: the request's database session and the authenticated principal.

Endpoints declare what they need in their signature, e.g. ``principal: CrmWrite``; the table of which role may
do what lives in ``auth.roles``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission, Role
from leadpilot.auth.security import api_key_matches, csrf_token_for, decode_access_token, parse_api_key_prefix
from leadpilot.config import get_settings
from leadpilot.db.session import after_commit, commit, discard_after_commit, new_session, transaction
from leadpilot.errors import NotAuthenticated, PermissionDenied
from leadpilot.kit.clock import utcnow
from leadpilot.kit.ratelimit import get_rate_limiter
from leadpilot.orgs.models import ApiKey, User

log = logging.getLogger("leadpilot.auth")

SESSION_COOKIE = "lp_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed after the endpoint returns, before the response is sent."""
    session = new_session(write=request.method not in _SAFE_METHODS)
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        discard_after_commit(session)
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def _principal_from_user_token(session: Session, token: str) -> Principal | None:
    claims = decode_access_token(token)
    if not claims:
        return None
    user = session.get(User, int(claims["sub"]))
    if user is None or not user.is_active or user.org_id != claims.get("org"):
        return None
    changed = user.credentials_changed_at
    if changed is not None and float(claims.get("iat", 0)) < changed.timestamp():
        return None
    return Principal(org_id=user.org_id, role=Role(user.role), user_id=user.id)


def _record_api_key_use(key_id: int, now: datetime) -> None:
    stale = now - timedelta(minutes=1)
    try:
        with transaction() as session:
            session.execute(
                update(ApiKey)
                .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < stale))
                .values(last_used_at=now)
            )
    except OperationalError:
        log.info("api key last-use time not recorded (database busy)", extra={"api_key_id": key_id})


def _principal_from_api_key(session: Session, key: str) -> Principal | None:
    prefix = parse_api_key_prefix(key)
    if prefix is None:
        return None
    api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    now = utcnow()
    if (
        api_key is None
        or api_key.revoked_at is not None
        or (api_key.expires_at is not None and api_key.expires_at <= now)
        or not api_key_matches(key, api_key.key_hash)
    ):
        return None
    settings = get_settings()
    get_rate_limiter().hit(
        f"api_key:{api_key.id}",
        limit=settings.api_key_rate_limit,
        window_seconds=settings.api_key_rate_window_seconds,
    )
    # Written at most once a minute, after the request's own transaction and in a short one of its own: a GET stays
    # read-only (on SQLite it never takes the write lock), and a lost race to record the time is harmless.
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        key_id = api_key.id
        after_commit(session, lambda: _record_api_key_use(key_id, now))
    return Principal(org_id=api_key.org_id, role=Role(api_key.role), api_key_id=api_key.id)


def authenticate_request(request: Request, session: Session) -> Principal | None:
    authorization = request.headers.get("Authorization", "")
    scheme, _, credential = authorization.partition(" ")
    api_key_header = request.headers.get("X-API-Key")
    if api_key_header:
        return _principal_from_api_key(session, api_key_header.strip())
    if scheme.lower() == "bearer" and credential:
        credential = credential.strip()
        if credential.startswith("lp_"):
            return _principal_from_api_key(session, credential)
        return _principal_from_user_token(session, credential)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = _principal_from_user_token(session, cookie)
        # Cookies ride along on cross-site requests; an unsafe request must also prove it read the page.
        if (
            principal is not None
            and request.method not in _SAFE_METHODS
            and not hmac.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), csrf_token_for(cookie).encode())
        ):
            raise PermissionDenied("Missing or invalid CSRF token")
        return principal
    return None


def get_principal(request: Request, session: SessionDep) -> Principal:
    principal = authenticate_request(request, session)
    if principal is None:
        raise NotAuthenticated("Missing or invalid credentials")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> object:
    def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise PermissionDenied(f"Your role ({principal.role}) lacks the permission {permission}")
        return principal

    return Depends(dependency)


CrmRead = Annotated[Principal, require(Permission.crm_read)]
CrmWrite = Annotated[Principal, require(Permission.crm_write)]
CrmDelete = Annotated[Principal, require(Permission.crm_delete)]
CrmImport = Annotated[Principal, require(Permission.crm_import)]
CrmExport = Annotated[Principal, require(Permission.crm_export)]
UsersRead = Annotated[Principal, require(Permission.users_read)]
UsersManage = Annotated[Principal, require(Permission.users_manage)]
ApiKeysManage = Annotated[Principal, require(Permission.api_keys_manage)]
WebhooksManage = Annotated[Principal, require(Permission.webhooks_manage)]
AuditRead = Annotated[Principal, require(Permission.audit_read)]
OrgManage = Annotated[Principal, require(Permission.org_manage)]
