"""Shopify orders updated in one week, through the Admin GraphQL API with cursor paging.

The week is selected with the search filter ``updated_at:>='<monday 00:00 UTC>' AND updated_at:<'<next monday>'``
(sorted by ``UPDATED_AT``), so an order changed after its week (a refund) appears again in the week of the change:
staging keeps the latest version per ``order_gid``. An order served twice within one read (a replayed page or
cursor) is kept once. A throttled call (HTTP 200, ``THROTTLED``) waits exactly as
long as ``extensions.cost.throttleStatus`` says the bucket needs to refill.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import requests

from connectors.http import (
    HeaderTokenAuth,
    HttpClient,
    JsonBody,
    Outcome,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    StaticToken,
    Verdict,
    classify_http_status,
    records_frame,
)
from scoring.weeks import week_window_utc

SOURCE = "shopify"
MAX_PAGE_SIZE = 250
THROTTLE_SLACK_SECONDS = 0.25  # clocks and rounding differ: wait a little longer than the exact refill time

ORDERS_QUERY = """
query WeeklyOrders($first: Int!, $after: String, $query: String, $lineItems: Int!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      createdAt
      updatedAt
      cancelledAt
      displayFinancialStatus
      customer { id }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: $lineItems) {
        pageInfo { hasNextPage }
        nodes { sku quantity product { id } }
      }
    }
  }
}
"""

ORDER_DTYPES = {
    "order_gid": "str",
    "name": "str",
    "created_at": "str",
    "updated_at": "str",
    "financial_status": "str",
    "cancelled_at": "str",
    "customer_gid": "str",
    "total_amount": "str",
    "currency": "str",
    "_source_ref": "str",
}
LINE_DTYPES = {
    "order_gid": "str",
    "line_no": "Int64",
    "sku": "str",
    "quantity": "Int64",
    "product_gid": "str",
    "_source_ref": "str",
}


@dataclass(frozen=True)
class ShopifyConfig:
    base_url: str  # https://<shop>.myshopify.com (or the sandbox's /shopify)
    access_token: Secret  # Admin API access token (shpat_...), scopes read_orders (+ read_all_orders for >60 days)
    api_version: str = "2025-10"
    page_size: int = 100
    line_items_per_order: int = 50
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        for name in ("page_size", "line_items_per_order"):
            value = getattr(self, name)
            if not 1 <= value <= MAX_PAGE_SIZE:
                raise ValueError(f"{name} must be in 1..{MAX_PAGE_SIZE}, got {value}")

    @property
    def graphql_path(self) -> str:
        return f"/admin/api/{self.api_version}/graphql.json"


def classify_shopify(response: requests.Response, body: JsonBody) -> Outcome:
    """HTTP problems as usual; a 200 with ``errors`` is THROTTLED (wait for the bucket) or a failure."""
    outcome = classify_http_status(response, body)
    if outcome.verdict is not Verdict.OK:
        return outcome
    if not isinstance(body, dict):
        return Outcome(Verdict.FAIL, "bad response", "response is not a JSON object")
    errors = body.get("errors")
    if not errors:
        return Outcome(Verdict.OK)
    errors = errors if isinstance(errors, list) else [{"message": str(errors)}]
    codes = [str((e.get("extensions") or {}).get("code", "")) for e in errors if isinstance(e, dict)]
    message = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    if "THROTTLED" in codes:
        return Outcome(Verdict.RETRY, "THROTTLED", message, _refill_seconds(body))
    return Outcome(Verdict.FAIL, codes[0] if codes and codes[0] else "GraphQL error", message)


def _refill_seconds(body: dict[str, Any]) -> float | None:
    """Seconds until the bucket holds the requested cost again, from ``extensions.cost``."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.5, missing / float(status["restoreRate"]) + THROTTLE_SLACK_SECONDS)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


class ShopifyClient:
    def __init__(
        self,
        config: ShopifyConfig,
        *,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self._http = HttpClient(
            base_url=config.base_url,
            source=SOURCE,
            auth=HeaderTokenAuth(StaticToken(config.access_token), header="X-Shopify-Access-Token", scheme=""),
            classify=classify_shopify,
            retry=retry or RetryPolicy(),
            timeout=config.timeout,
            sleep=sleep,
            session=session or requests.Session(),
        )

    def fetch_week(self, week_start: date, tz: str) -> dict[str, pd.DataFrame]:
        """Orders (and their lines) last updated in the week local to ``tz``."""
        start, end = week_window_utc(week_start, tz)
        search = f"updated_at:>='{_iso(start)}' AND updated_at:<'{_iso(end)}'"
        orders: list[dict[str, object]] = []
        lines: list[dict[str, object]] = []
        cursor: str | None = None
        page = 0
        seen: set[object] = set()
        while True:
            page += 1
            variables = {
                "first": self.config.page_size,
                "after": cursor,
                "query": search,
                "lineItems": self.config.line_items_per_order,
            }
            body = self._http.request_json(
                "POST", self.config.graphql_path, json={"query": ORDERS_QUERY, "variables": variables}
            )
            ref = f"POST {self.config.graphql_path} orders page={page} after={cursor or '-'}"
            connection = _orders_connection(body, ref)
            fresh = 0
            for i, node in enumerate(connection["nodes"]):
                gid = node.get("id") if isinstance(node, dict) else None
                if gid is not None and gid in seen:
                    continue  # a replayed page or cursor: the order was already read, count it once
                seen.add(gid)
                fresh += 1
                orders.append(_order_row(node, f"{ref}#{i}"))
                lines.extend(self._line_rows(node, f"{ref}#{i}"))
            if connection["nodes"] and not fresh:
                page -= 1  # a page served again is not a new page: source refs stay what a clean read gives
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            if not info.get("endCursor") or info["endCursor"] == cursor:
                raise SourceError(SOURCE, ref, "bad paging", "hasNextPage without a new endCursor")
            cursor = info["endCursor"]
        return {
            "shopify_orders": records_frame(orders, ORDER_DTYPES),
            "shopify_order_lines": records_frame(lines, LINE_DTYPES),
        }

    def _line_rows(self, node: dict[str, Any], ref: str) -> list[dict[str, object]]:
        items = node.get("lineItems") or {}
        if (items.get("pageInfo") or {}).get("hasNextPage"):
            raise SourceError(
                SOURCE,
                ref,
                "too many line items",
                f"order {node.get('id')} has more than {self.config.line_items_per_order} line items; "
                "raise line_items_per_order (at most 250)",
            )
        return [
            {
                "order_gid": node.get("id"),
                "line_no": line_no,
                "sku": item.get("sku"),
                "quantity": item.get("quantity") if isinstance(item.get("quantity"), int) else None,
                "product_gid": (item.get("product") or {}).get("id"),
                "_source_ref": f"{ref}/line{line_no}",
            }
            for line_no, item in enumerate(items.get("nodes") or [], start=1)
        ]


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _orders_connection(body: JsonBody, ref: str) -> dict[str, Any]:
    connection = ((body or {}).get("data") or {}).get("orders")
    if not isinstance(connection, dict) or not isinstance(connection.get("nodes"), list):
        raise SourceError(SOURCE, ref, "bad response", "no data.orders.nodes in the response")
    return connection


def _order_row(node: dict[str, Any], ref: str) -> dict[str, object]:
    money = ((node.get("currentTotalPriceSet") or {}).get("shopMoney")) or {}
    amount = money.get("amount")
    return {
        "order_gid": node.get("id"),
        "name": node.get("name"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "financial_status": node.get("displayFinancialStatus"),
        "cancelled_at": node.get("cancelledAt"),
        "customer_gid": (node.get("customer") or {}).get("id"),
        "total_amount": None if amount is None else str(amount),  # Shopify sends money as a decimal string
        "currency": money.get("currencyCode"),
        "_source_ref": ref,
    }
