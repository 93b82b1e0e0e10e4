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
from leadpilot.kit.pagination import paginate

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

    def where_equal(self, statement: Select[Any], filters: dict[str, Any]) -> Select[Any]:
        """Narrow ``statement`` by ``column == value`` for each filter that was given (not None)."""
        for column, value in filters.items():
            if value is not None:
                statement = statement.where(getattr(self.model, column) == value)
        return statement

    def where_matches(self, statement: Select[Any], q: str | None) -> Select[Any]:
        """Narrow ``statement`` to rows whose full-text search text matches ``q`` (see ``crm.search``)."""
        from leadpilot.crm import search

        clause = search.matches(self.model, q, dialect=self.session.get_bind().dialect.name) if q else None
        return statement if clause is None else statement.where(clause)

    def page(
        self, statement: Select[Any], *, sort: str, order: str, cursor: str | None, limit: int
    ) -> tuple[list[M], str | None]:
        return paginate(
            statement,
            session=self.session,
            sort_column=getattr(self.model, sort),
            id_column=self.model.id,
            descending=order == "desc",
            cursor=cursor,
            limit=limit,
        )

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
