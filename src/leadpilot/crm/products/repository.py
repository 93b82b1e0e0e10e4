from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, or_, select

from leadpilot.crm import search
from leadpilot.crm.models import Product
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error

ProductNotFound = not_found_error("Product")

ProductSort = Literal["name", "sku", "unit_price", "created_at", "updated_at", "id"]


class ProductRepository(OrgRepository[Product]):
    model = Product
    not_found = ProductNotFound

    def list_page(
        self,
        *,
        q: str | None = None,
        category: str | None = None,
        currency: str | None = None,
        billing_period: str | None = None,
        is_active: bool | None = None,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
        sort: ProductSort = "name",
        order: Literal["asc", "desc"] = "asc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Product], str | None]:
        statement = self.select()
        filters: dict[str, Any] = {
            "category": category,
            "currency": currency,
            "billing_period": billing_period,
            "is_active": is_active,
        }
        statement = self.where_equal(statement, filters)
        if min_price is not None:
            statement = statement.where(Product.unit_price >= min_price)
        if max_price is not None:
            statement = statement.where(Product.unit_price <= max_price)
        # A price list is small: every query word must occur in the sku, name or category (no full-text index).
        for word in search.query_words(q or ""):
            statement = statement.where(
                or_(
                    func.lower(Product.sku).contains(word, autoescape=True),
                    func.lower(Product.name).contains(word, autoescape=True),
                    func.lower(func.coalesce(Product.category, "")).contains(word, autoescape=True),
                )
            )
        return self.page(statement, sort=sort, order=order, cursor=cursor, limit=limit)

    def id_by_sku(self, sku: str) -> int | None:
        return self.session.scalar(select(Product.id).where(Product.org_id == self.org_id, Product.sku == sku))
