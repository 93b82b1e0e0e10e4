from __future__ import annotations

from fastapi import APIRouter, Request

from leadpilot.auth.dependencies import ApiKeysManage, CurrentPrincipal, SessionDep, UsersManage, UsersRead
from leadpilot.auth.roles import permissions_for
from leadpilot.config import get_settings
from leadpilot.db.session import commit
from leadpilot.errors import NotAuthenticated
from leadpilot.orgs import service
from leadpilot.orgs.models import Org, User
from leadpilot.orgs.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginRequest,
    MeRead,
    OrgRead,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])
api_keys_router = APIRouter(prefix="/api-keys", tags=["api keys"])


@auth_router.post("/login", response_model=TokenResponse)
def login(session: SessionDep, request: Request, body: LoginRequest) -> TokenResponse:
    try:
        _, token = service.login(
            session, email=body.email, password=body.password, ip=request.client.host if request.client else None
        )
    except NotAuthenticated:
        commit(session)  # keep the audit row of the failed attempt; the request still answers 401
        raise
    return TokenResponse(access_token=token, expires_in=get_settings().access_token_minutes * 60)


@auth_router.get("/me", response_model=MeRead)
def me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    org = session.get(Org, principal.org_id)
    user = session.get(User, principal.user_id) if principal.user_id else None
    return MeRead(
        user=UserRead.model_validate(user) if user else None,
        org=OrgRead.model_validate(org),
        role=principal.role.value,
        permissions=sorted(p.value for p in permissions_for(principal.role)),
    )


@users_router.get("", response_model=list[UserRead])
def list_users(session: SessionDep, principal: UsersRead) -> list[UserRead]:
    users = service.UserService(session, principal).users.list_all()
    return [UserRead.model_validate(u) for u in users]


@users_router.post("", response_model=UserRead, status_code=201)
def create_user(session: SessionDep, principal: UsersManage, body: UserCreate) -> UserRead:
    return UserRead.model_validate(service.UserService(session, principal).create(body))


@users_router.get("/{user_id}", response_model=UserRead)
def get_user(session: SessionDep, principal: UsersRead, user_id: int) -> UserRead:
    return UserRead.model_validate(service.UserService(session, principal).users.access_by_id(user_id))


@users_router.patch("/{user_id}", response_model=UserRead)
def update_user(session: SessionDep, principal: UsersManage, user_id: int, body: UserUpdate) -> UserRead:
    return UserRead.model_validate(service.UserService(session, principal).update(user_id, body))


@api_keys_router.get("", response_model=list[ApiKeyRead])
def list_api_keys(session: SessionDep, principal: ApiKeysManage) -> list[ApiKeyRead]:
    return [ApiKeyRead.model_validate(k) for k in service.ApiKeyService(session, principal).keys.list_all()]


@api_keys_router.post("", response_model=ApiKeyCreated, status_code=201)
def create_api_key(session: SessionDep, principal: ApiKeysManage, body: ApiKeyCreate) -> ApiKeyCreated:
    return service.ApiKeyService(session, principal).create(body)


@api_keys_router.delete("/{key_id}", response_model=ApiKeyRead)
def revoke_api_key(session: SessionDep, principal: ApiKeysManage, key_id: int) -> ApiKeyRead:
    return ApiKeyRead.model_validate(service.ApiKeyService(session, principal).revoke(key_id))
