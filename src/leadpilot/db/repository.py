"""The tenancy boundary. Every read of tenant data goes through an ``OrgRepository``, which is built from the
caller's principal and adds ``org_id = principal.org_id`` to every statement it makes. ``access_by_id`` raises
the same NotFound for a missing id and for another org's id, so ids leak nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.errors import NotFound

M = TypeVar("M")


class OrgRepository(Generic[M]):
    model: ClassVar[type[Any]]
    not_found: ClassVar[type[NotFound]] = NotFound

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.org_id = principal.org_id

    def select(self) -> Select[tuple[M]]:
        return select(self.model).where(self.model.org_id == self.org_id)

    def get(self, row_id: int) -> M | None:
        return self.session.scalar(self.select().where(self.model.id == row_id))

    def access_by_id(self, row_id: int) -> M:
        row = self.get(row_id)
        if row is None:
            raise self.not_found()
        return row

    def exists(self, row_id: int) -> bool:
        return self.get(row_id) is not None

    def count(self, statement: Select[Any] | None = None) -> int:
        statement = statement if statement is not None else self.select()
        return int(self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)

    def add(self, row: M) -> M:
        row.org_id = self.org_id  # type: ignore[attr-defined]
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, row: M) -> None:
        self.session.delete(row)
        self.session.flush()
