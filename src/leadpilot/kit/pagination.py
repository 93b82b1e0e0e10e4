"""Keyset (cursor) pagination.

A cursor encodes the sort column, the sort value and the id of the last row of a page, so the next page is a range
scan on an index instead of an OFFSET that grows with the page number. Cursors are opaque base64 JSON; a tampered
cursor, or one made for another sort, is a 400.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from leadpilot.errors import InvalidInput

T = TypeVar("T")

MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    has_more: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    if isinstance(value, dict) and "dec" in value:
        return Decimal(value["dec"])
    return value


def encode_cursor(sort_key: str, sort_value: Any, row_id: int) -> str:
    raw = json.dumps([sort_key, _encode_value(sort_value), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, sort_key: str) -> tuple[Any, int]:
    """Return (sort value, id) of ``cursor``; InvalidInput if it is malformed or was made for another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, sort_value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value, last_id = _decode_value(sort_value), int(row_id)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput("Invalid pagination cursor") from exc
    if key != sort_key:
        raise InvalidInput(f"This cursor belongs to a listing sorted by {key!r}, not {sort_key!r}")
    if value is not None and not isinstance(value, str | int | float | Decimal | date):
        raise InvalidInput("Invalid pagination cursor")
    return value, last_id


def _ordered(statement: Select[Any], columns: list[Any], *, descending: bool) -> Select[Any]:
    return statement.order_by(*(column.desc() if descending else column.asc() for column in columns))


def paginate(
    statement: Select[Any],
    *,
    session: Any,
    sort_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    descending: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """Run ``statement`` for one page; return the rows and the cursor of the next page (or None).

    The ORDER BY is exactly (column, id), so an index on (org_id, column, id) serves a page as one range scan
    without a sort. Rows whose sort value is NULL come last in both directions, paged by id: a nullable column is
    read as two ranges — the non-NULL rows, then, when those run out within the page, the NULL rows — because one
    ORDER BY with ``column IS NULL`` first would sort the whole org for every page.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    if sort_column.key == id_column.key:
        if cursor:
            _, last_id = decode_cursor(cursor, sort_key=sort_column.key)
            statement = statement.where(id_column < last_id if descending else id_column > last_id)
        rows = list(session.scalars(_ordered(statement, [id_column], descending=descending).limit(limit + 1)))
    else:
        nullable = bool(sort_column.property.columns[0].nullable)
        last_value, last_id = decode_cursor(cursor, sort_key=sort_column.key) if cursor else (None, None)
        rows = []
        if last_id is None or last_value is not None:
            ranged = statement.where(sort_column.is_not(None)) if nullable else statement
            if last_id is not None:
                # A row-value comparison is one range on the (org_id, column, id) index; the OR form is not.
                position, last = tuple_(sort_column, id_column), tuple_(last_value, last_id)
                ranged = ranged.where(position < last if descending else position > last)
            ranged = _ordered(ranged, [sort_column, id_column], descending=descending)
            rows = list(session.scalars(ranged.limit(limit + 1)))
        if nullable and len(rows) <= limit:
            nulls = statement.where(sort_column.is_(None))
            if last_id is not None and last_value is None:
                nulls = nulls.where(id_column < last_id if descending else id_column > last_id)
            nulls = _ordered(nulls, [id_column], descending=descending)
            rows += list(session.scalars(nulls.limit(limit + 1 - len(rows))))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last_row = rows[-1]
    return rows, encode_cursor(sort_column.key, getattr(last_row, sort_column.key), getattr(last_row, id_column.key))
