"""Checks that an id a client sends (company_id, owner_id, ...) names a row of the caller's own org."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.errors import InvalidInput


def check_reference(session: Session, principal: Principal, model: Any, row_id: int | None, field: str) -> None:
    """Raise InvalidInput when ``row_id`` is not a row of ``model`` in the caller's org (missing or foreign alike)."""
    if row_id is None:
        return
    found = session.scalar(select(model.id).where(model.id == row_id, model.org_id == principal.org_id))
    if found is None:
        raise InvalidInput(f"{field} {row_id} does not exist", extra={"field": field})
