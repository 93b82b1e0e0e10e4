"""Who is looking at the dashboard, and whether an unsafe request proves it came from one of our pages.

The dashboard is signed in with the ``lp_session`` cookie. Identity and the CSRF rule come from
``auth.dependencies.authenticate_request`` like everywhere else; a classic HTML form cannot send the
``X-CSRF-Token`` header, so its hidden ``csrf_token`` field is presented to that check as the header.

Views declare what they need in their signature: ``ctx: Viewer`` (any signed-in user) or
``ctx: Annotated[WebContext, web_require(Permission.users_manage)]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from leadpilot.auth.dependencies import CSRF_HEADER, SESSION_COOKIE, SessionDep, authenticate_request
from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Permission
from leadpilot.auth.security import csrf_token_for
from leadpilot.errors import NotAuthenticated, PermissionDenied
from leadpilot.orgs.models import Org, User
from leadpilot.orgs.service import UserService

CSRF_FIELD = "csrf_token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class LoginRequired(NotAuthenticated):
    """Raised by dashboard views; answered with a redirect to the sign-in page rather than an error page."""

    default_detail = "Please sign in"


@dataclass(frozen=True, slots=True)
class WebContext:
    request: Request
    session: Session
    principal: Principal
    user: User
    org: Org
    csrf_token: str

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)


@dataclass(frozen=True, slots=True)
class _CheckedRequest:
    request: Request


async def _present_form_csrf_token(request: Request) -> _CheckedRequest:
    """For a form POST without the header, return a view of the request that carries the form's token as it."""
    if request.method in _SAFE_METHODS or CSRF_HEADER in request.headers:
        return _CheckedRequest(request)
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return _CheckedRequest(request)
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not token or not token.isascii():
        return _CheckedRequest(request)
    scope = dict(request.scope)
    scope["headers"] = [*request.scope["headers"], (CSRF_HEADER.lower().encode(), token.encode())]
    return _CheckedRequest(Request(scope))


def _web_context(
    checked: Annotated[_CheckedRequest, Depends(_present_form_csrf_token)], session: SessionDep
) -> WebContext:
    request = checked.request
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired()
    principal = authenticate_request(request, session)
    if principal is None or principal.user_id is None:
        raise LoginRequired()
    user = UserService(session, principal).users.access_by_id(principal.user_id)
    org = session.get(Org, principal.org_id)
    if org is None:
        raise LoginRequired()
    return WebContext(
        request=request, session=session, principal=principal, user=user, org=org, csrf_token=csrf_token_for(cookie)
    )


Viewer = Annotated[WebContext, Depends(_web_context)]


def web_require(permission: Permission) -> object:
    def dependency(ctx: Viewer) -> WebContext:
        if not ctx.can(permission):
            raise PermissionDenied(f"Your role ({ctx.principal.role}) lacks the permission {permission}")
        return ctx

    return Depends(dependency)


Editor = Annotated[WebContext, web_require(Permission.crm_write)]
Importer = Annotated[WebContext, web_require(Permission.crm_import)]
UserAdmin = Annotated[WebContext, web_require(Permission.users_manage)]
KeyAdmin = Annotated[WebContext, web_require(Permission.api_keys_manage)]
ModelAdmin = Annotated[WebContext, web_require(Permission.models_manage)]
