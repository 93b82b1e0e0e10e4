"""Helpers shared by CLI commands: the org a command acts in, and printing."""

from __future__ import annotations

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.orgs.models import Org


def resolve_org(session: Session, slug: str | None) -> Org:
    """The org named by ``--org``; when omitted, the only org of the installation."""
    if slug:
        org = session.scalar(select(Org).where(Org.slug == slug))
        if org is None:
            raise typer.BadParameter(f"no org with slug {slug!r}", param_hint="--org")
        return org
    orgs = list(session.scalars(select(Org).limit(2)))
    if len(orgs) != 1:
        raise typer.BadParameter(
            "this installation has no org yet (run `leadpilot demo` or `leadpilot org create`)"
            if not orgs
            else "several orgs exist: pass --org SLUG",
            param_hint="--org",
        )
    return orgs[0]


def system_principal(org: Org) -> Principal:
    return Principal.system(org.id)
