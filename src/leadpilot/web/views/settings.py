"""Settings for admins: the org's users (invite, change role, deactivate), API keys (create, revoke) and how
follow-ups are written (the generation mode).

A failed change is rolled back to a savepoint, so the request's transaction commits nothing of it, and the
reason is shown on the page the form came from.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from leadpilot.auth.roles import Role, role_rank
from leadpilot.errors import AppError, InvalidInput
from leadpilot.followup.schemas import MODES
from leadpilot.followup.service import FollowupService
from leadpilot.orgs.schemas import ApiKeyCreate, ApiKeyRead, UserCreate, UserUpdate
from leadpilot.orgs.service import ApiKeyService, UserService
from leadpilot.web.auth import KeyAdmin, ModelAdmin, UserAdmin, WebContext
from leadpilot.web.forms import describe, redirect_with
from leadpilot.web.lookups import Lookups
from leadpilot.web.templating import render

router = APIRouter(prefix="/settings")

ROLES = [r.value for r in Role]
USERS_URL = "/settings/users"
KEYS_URL = "/settings/api-keys"
FOLLOWUPS_URL = "/settings/followups"


def grantable_roles(ctx: WebContext) -> list[str]:
    return [r for r in ROLES if role_rank(r) <= role_rank(ctx.principal.role)]


@router.get("/users")
def users_page(request: Request, ctx: UserAdmin) -> Response:
    users = UserService(ctx.session, ctx.principal).users.list_all()
    return render(request, "settings/users.html", ctx=ctx, users=users, roles=grantable_roles(ctx), nav="users")


@router.post("/users")
def create_user(
    request: Request,
    ctx: UserAdmin,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=16)] = Role.agent.value,
) -> Response:
    try:
        data = UserCreate(email=email, name=name, password=password, role=role)  # type: ignore[arg-type]
        with ctx.session.begin_nested():
            user = UserService(ctx.session, ctx.principal).create(data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, USERS_URL, "error", f"Could not add the user — {describe(exc)}")
    return redirect_with(request, USERS_URL, "success", f"{user.name} can now sign in as {user.role}.")


def _update_user(request: Request, ctx: WebContext, user_id: int, data: UserUpdate, done: str) -> Response:
    try:
        if user_id == ctx.principal.user_id and (data.is_active is False or data.role is not None):
            raise InvalidInput("You cannot change your own role or deactivate yourself")
        with ctx.session.begin_nested():
            user = UserService(ctx.session, ctx.principal).update(user_id, data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, USERS_URL, "error", f"Could not change the user — {describe(exc)}")
    return redirect_with(request, USERS_URL, "success", done.format(name=user.name, role=user.role))


@router.post("/users/{user_id}/role")
def change_role(
    request: Request, ctx: UserAdmin, user_id: int, role: Annotated[str, Form(max_length=16)] = ""
) -> Response:
    try:
        data = UserUpdate(role=role)  # type: ignore[arg-type]
    except ValidationError as exc:
        return redirect_with(request, USERS_URL, "error", describe(exc))
    return _update_user(request, ctx, user_id, data, "{name} is now {role}.")


@router.post("/users/{user_id}/deactivate")
def deactivate_user(request: Request, ctx: UserAdmin, user_id: int) -> Response:
    return _update_user(request, ctx, user_id, UserUpdate(is_active=False), "{name} can no longer sign in.")


@router.post("/users/{user_id}/activate")
def activate_user(request: Request, ctx: UserAdmin, user_id: int) -> Response:
    return _update_user(request, ctx, user_id, UserUpdate(is_active=True), "{name} can sign in again.")


def _keys_page(request: Request, ctx: WebContext, *, created: object = None, status_code: int = 200) -> Response:
    keys = [ApiKeyRead.model_validate(k) for k in ApiKeyService(ctx.session, ctx.principal).keys.list_all()]
    return render(
        request, "settings/api_keys.html", ctx=ctx, keys=keys, created=created, roles=grantable_roles(ctx),
        creators=Lookups(ctx).all_users(), nav="api_keys", status_code=status_code,
    )  # fmt: skip


@router.get("/api-keys")
def api_keys_page(request: Request, ctx: KeyAdmin) -> Response:
    return _keys_page(request, ctx)


@router.post("/api-keys")
def create_api_key(
    request: Request,
    ctx: KeyAdmin,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = Role.agent.value,
    expires_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        expires_at = None
        if expires_on:
            try:
                day = datetime.strptime(expires_on, "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar date, zoned below)
            except ValueError as exc:
                raise InvalidInput("The expiry date must look like 2030-12-31") from exc
            expires_at = datetime.combine(day, time.max, tzinfo=ZoneInfo(ctx.user.timezone or "UTC"))
        data = ApiKeyCreate(name=name, role=role, expires_at=expires_at)  # type: ignore[arg-type]
        with ctx.session.begin_nested():
            created = ApiKeyService(ctx.session, ctx.principal).create(data)
    except (AppError, ValidationError) as exc:
        return redirect_with(request, KEYS_URL, "error", f"Could not create the key — {describe(exc)}")
    # The key exists only in this response: it is rendered here rather than carried through a redirect.
    response = _keys_page(request, ctx, created=created, status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/api-keys/{key_id}/revoke")
def revoke_api_key(request: Request, ctx: KeyAdmin, key_id: int) -> Response:
    try:
        with ctx.session.begin_nested():
            key = ApiKeyService(ctx.session, ctx.principal).revoke(key_id)
    except AppError as exc:
        return redirect_with(request, KEYS_URL, "error", f"Could not revoke the key — {describe(exc)}")
    return redirect_with(request, KEYS_URL, "success", f"The key “{key.name}” is revoked and stops working now.")


@router.get("/followups")
def followups_page(request: Request, ctx: ModelAdmin) -> Response:
    current = FollowupService(ctx.session, ctx.principal).settings()
    return render(request, "settings/followups.html", ctx=ctx, current=current, modes=MODES, nav="followups")


@router.post("/followups")
def change_followup_mode(request: Request, ctx: ModelAdmin, mode: Annotated[str, Form(max_length=16)] = "") -> Response:
    if mode and mode not in MODES:
        return redirect_with(request, FOLLOWUPS_URL, "error", f"Unknown mode {mode!r}")
    current = FollowupService(ctx.session, ctx.principal).set_mode(mode or None)  # type: ignore[arg-type]
    note = "" if current.effective_mode == (mode or current.effective_mode) else (
        f" No chat model is configured, so drafts are written in {current.effective_mode} mode until one is."
    )  # fmt: skip
    return redirect_with(request, FOLLOWUPS_URL, "success", f"Follow-ups: {mode or 'default'} mode.{note}")
