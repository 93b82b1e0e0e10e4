from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response

from leadpilot.auth.dependencies import CrmDelete, CrmRead, CrmWrite, SessionDep
from leadpilot.crm.products.repository import ProductSort
from leadpilot.crm.products.schemas import BillingPeriod, ProductCreate, ProductRead, ProductUpdate
from leadpilot.crm.products.service import ProductService
from leadpilot.crm.schemas import Currency, SortOrder
from leadpilot.kit.pagination import Page

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", response_model=Page[ProductRead])
def list_products(
    session: SessionDep,
    principal: CrmRead,
    q: Annotated[str | None, Query(max_length=200, description="Words found in the sku, name or category")] = None,
    category: str | None = None,
    currency: Currency | None = None,
    billing_period: BillingPeriod | None = None,
    is_active: bool | None = None,
    min_price: Annotated[Decimal | None, Query(ge=0)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0)] = None,
    sort: ProductSort = "name",
    order: SortOrder = "asc",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ProductRead]:
    items, next_cursor = ProductService(session, principal).list_page(
        q=q, category=category, currency=currency, billing_period=billing_period, is_active=is_active,
        min_price=min_price, max_price=max_price, sort=sort, order=order, cursor=cursor, limit=limit,
    )  # fmt: skip
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=ProductRead, status_code=201)
def create_product(session: SessionDep, principal: CrmWrite, body: ProductCreate) -> ProductRead:
    return ProductService(session, principal).create(body)


@router.get("/{product_id}", response_model=ProductRead)
def get_product(session: SessionDep, principal: CrmRead, product_id: int) -> ProductRead:
    return ProductService(session, principal).get(product_id)


@router.patch("/{product_id}", response_model=ProductRead)
def update_product(session: SessionDep, principal: CrmWrite, product_id: int, body: ProductUpdate) -> ProductRead:
    return ProductService(session, principal).update(product_id, body)


@router.delete("/{product_id}", status_code=204)
def delete_product(session: SessionDep, principal: CrmDelete, product_id: int) -> Response:
    ProductService(session, principal).delete(product_id)
    return Response(status_code=204)
