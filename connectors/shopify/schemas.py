"""What ``raw.shopify_orders`` / ``raw.shopify_order_lines`` rows must look like (failures are quarantined).

Values stay as Shopify sent them: gids, ISO-8601 instants, money as decimal text.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

FINANCIAL_STATUSES = [
    "AUTHORIZED", "EXPIRED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED",
]  # fmt: skip
ISO_INSTANT = r"^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-][0-2]\d:?[0-5]\d)$"
NON_NEGATIVE_DECIMAL = r"^\d+(\.\d+)?$"


def _gid(resource: str) -> str:
    return rf"^gid://shopify/{resource}/\d+$"


class _RawApiModel(pa.DataFrameModel):
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    class Config:
        strict = True


class ShopifyOrders(_RawApiModel):
    order_gid: Series[str] = pa.Field(nullable=False, str_matches=_gid("Order"))
    name: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    created_at: Series[str] = pa.Field(nullable=False, str_matches=ISO_INSTANT)
    updated_at: Series[str] = pa.Field(nullable=False, str_matches=ISO_INSTANT)
    financial_status: Series[str] = pa.Field(nullable=False, isin=FINANCIAL_STATUSES)
    cancelled_at: Series[str] = pa.Field(nullable=True, str_matches=ISO_INSTANT)
    customer_gid: Series[str] = pa.Field(nullable=True, str_matches=_gid("Customer"))  # guest checkout: none
    total_amount: Series[str] = pa.Field(nullable=False, str_matches=NON_NEGATIVE_DECIMAL)
    currency: Series[str] = pa.Field(nullable=False, str_matches=r"^[A-Z]{3}$")


class ShopifyOrderLines(_RawApiModel):
    order_gid: Series[str] = pa.Field(nullable=False, str_matches=_gid("Order"))
    line_no: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=1)
    sku: Series[str] = pa.Field(nullable=True)  # custom items have no SKU
    quantity: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=0)
    product_gid: Series[str] = pa.Field(nullable=True, str_matches=_gid("Product"))  # deleted product: none


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "shopify_orders": ShopifyOrders,
    "shopify_order_lines": ShopifyOrderLines,
}
