"""Price list rules: one product per SKU in an org; the currency defaults to the org's. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Product
from leadpilot.crm.products.repository import ProductRepository
from leadpilot.crm.products.schemas import ProductCreate, ProductRead, ProductUpdate
from leadpilot.errors import Conflict
from leadpilot.orgs.models import Org
from leadpilot.webhooks.events import emit_event


class ProductService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.products = ProductRepository(session, principal)

    def _apply(self, product: Product, fields: dict[str, Any]) -> None:
        sku = fields.get("sku")
        existing = self.products.id_by_sku(sku) if sku else None
        if existing is not None and existing != product.id:
            raise Conflict(f"Another product already has sku {sku!r}", extra={"field": "sku", "existing_id": existing})
        for key, value in fields.items():
            setattr(product, key, value)

    def _audit_and_emit(self, action: str, product: Product, **audit: Any) -> ProductRead:
        record(self.session, self.principal, f"product.{action}", entity_type="product", entity_id=product.id, **audit)
        read = ProductRead.model_validate(product)
        emit_event(self.session, self.principal.org_id, f"product.{action}", read.model_dump(mode="json"))
        return read

    def create(self, data: ProductCreate) -> ProductRead:
        fields = data.model_dump()
        if fields["currency"] is None:
            org = self.session.get(Org, self.principal.org_id)
            assert org is not None
            fields["currency"] = org.default_currency
        product = Product(org_id=self.principal.org_id)
        self._apply(product, fields)
        self.products.add(product)
        return self._audit_and_emit("created", product)

    def update(self, product_id: int, data: ProductUpdate) -> ProductRead:
        product = self.products.access_by_id(product_id)
        self._apply(product, data.changes())
        self.session.flush()
        return self._audit_and_emit("updated", product, data={"fields": sorted(data.model_fields_set)})

    def delete(self, product_id: int) -> None:
        product = self.products.access_by_id(product_id)
        self.products.delete(product)
        record(self.session, self.principal, "product.deleted", entity_type="product", entity_id=product_id)
        emit_event(self.session, self.principal.org_id, "product.deleted", {"id": product_id})

    def get(self, product_id: int) -> ProductRead:
        return ProductRead.model_validate(self.products.access_by_id(product_id))

    def list_page(self, **filters: Any) -> tuple[list[ProductRead], str | None]:
        """One page of the price list; ``filters`` are those of ``ProductRepository.list_page``."""
        rows, next_cursor = self.products.list_page(**filters)
        return [ProductRead.model_validate(row) for row in rows], next_cursor
