"""What list pages share: reading search / filter / sort / cursor from the query string, building links that
change one of them, and answering an HTMX request with the results table only.

Unknown sort keys and filter values fall back to the defaults instead of failing: these URLs are typed,
bookmarked and shared by people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from leadpilot.web.auth import WebContext
from leadpilot.web.templating import is_htmx, render

PAGE_SIZE = 25
RESULTS_TARGET = "results"


@dataclass(frozen=True)
class ListQuery:
    path: str
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = "created_at"
    order: str = "desc"
    cursor: str | None = None
    default_sort: str = "created_at"

    def params(self, **changes: Any) -> dict[str, str]:
        values: dict[str, Any] = {"q": self.q, **self.filters, "sort": self.sort, "order": self.order}
        values.update(changes)
        if values.get("sort") == self.default_sort and values.get("order") == "desc":
            values.pop("sort")
            values.pop("order")
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def url(self, **changes: Any) -> str:
        params = self.params(**changes)
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def sort_url(self, key: str) -> str:
        """Clicking the sorted column flips the order; another column sorts descending first (newest, largest)."""
        order = ("asc" if self.order == "desc" else "desc") if key == self.sort else "desc"
        if key in {"name", "last_name"} and key != self.sort:
            order = "asc"
        return self.url(sort=key, order=order, cursor=None)

    def next_url(self, cursor: str) -> str:
        return self.url(cursor=cursor)

    @property
    def first_page_url(self) -> str:
        return self.url(cursor=None)

    @property
    def filtered(self) -> bool:
        return bool(self.q or any(self.filters.values()))

    def filter_kwargs(self) -> dict[str, str]:
        return {k: v for k, v in self.filters.items() if v}


def read_list_query(
    request: Request,
    *,
    sorts: Sequence[str],
    default_sort: str = "created_at",
    filters: Mapping[str, Sequence[str] | None] | None = None,
) -> ListQuery:
    """``filters`` maps a query parameter to its allowed values (``None``: any text)."""
    params = request.query_params
    sort = params.get("sort", default_sort)
    if sort not in sorts:
        sort = default_sort
    order = params.get("order", "desc")
    if order not in ("asc", "desc"):
        order = "desc"
    chosen: dict[str, str] = {}
    for name, allowed in (filters or {}).items():
        value = params.get(name, "").strip()[:200]
        chosen[name] = value if value and (allowed is None or value in allowed) else ""
    return ListQuery(
        path=request.url.path,
        q=params.get("q", "").strip()[:200],
        filters=chosen,
        sort=sort,
        order=order,
        cursor=params.get("cursor") or None,
        default_sort=default_sort,
    )


def render_list(
    request: Request,
    ctx: WebContext,
    *,
    page: str,
    table: str,
    query: ListQuery,
    items: Sequence[Any],
    next_cursor: str | None,
    **values: Any,
) -> HTMLResponse:
    """The full page, or only the results table when HTMX asks for it (live search, sorting, paging)."""
    partial = (
        is_htmx(request)
        and request.headers.get("HX-Target") == RESULTS_TARGET
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
    response = render(
        request, table if partial else page, ctx=ctx, query=query, items=items, next_cursor=next_cursor,
        table_template=table, **values,
    )  # fmt: skip
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response
