"""Shopify orders (Admin GraphQL) -> ``raw.shopify_orders`` and ``raw.shopify_order_lines``."""

from connectors.shopify.client import ShopifyClient, ShopifyConfig, classify_shopify
from connectors.shopify.schemas import RAW_SCHEMAS, ShopifyOrderLines, ShopifyOrders

__all__ = ["RAW_SCHEMAS", "ShopifyClient", "ShopifyConfig", "ShopifyOrderLines", "ShopifyOrders", "classify_shopify"]
