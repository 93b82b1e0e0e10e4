"""The dashboard (server-rendered Jinja2 + HTMX).

routes.install_web(app)
 ├─ /static            vendored HTMX and Chart.js, app.css, app.js
 ├─ views.session      /login, /logout
 ├─ views.overview     /
 ├─ views.contacts     /contacts, /contacts/{id}
 ├─ views.companies    /companies, /companies/{id}
 ├─ views.leads        /leads, /leads/{id} (stage, BANT, notes, timeline)
 ├─ views.deals        /deals, /deals/{id}
 ├─ views.imports      /imports, /imports/{id}
 ├─ views.models       /models (scoring models, drift), /leads/{id}/score-card
 ├─ views.knowledge    /knowledge (documents, upload, search)
 ├─ views.intelligence /intelligence (analysis box, the org's examples, quality per task)
 └─ views.settings     /settings/users, /settings/api-keys

Views call the domain services with the signed-in principal (``web.auth``); each request is one transaction
(``auth.dependencies.SessionDep``). Errors render through ``web.errors`` with the API's error names.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from leadpilot.web.auth import LoginRequired
from leadpilot.web.errors import redirect_to_login
from leadpilot.web.templating import STATIC_DIR
from leadpilot.web.views import (
    companies,
    contacts,
    deals,
    imports,
    intelligence,
    knowledge,
    leads,
    models,
    overview,
    settings,
)
from leadpilot.web.views import session as session_views


async def _login_required(request: Request, exc: Exception) -> Response:
    return redirect_to_login(request)


def install_web(app: FastAPI) -> None:
    """Mount the dashboard's routes and static files on ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    for module in (session_views, overview, contacts, companies, leads, deals, imports, models, knowledge,
                   intelligence, settings):  # fmt: skip
        app.include_router(module.router, include_in_schema=False)
