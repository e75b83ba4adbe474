"""Shopify Admin GraphQL as the sandbox serves it: the ``orders`` connection at ``/admin/api/2025-10/graphql.json``.

What matches Shopify: ``X-Shopify-Access-Token`` auth (401 otherwise), cursor paging with
``pageInfo{hasNextPage endCursor}`` and opaque cursors, ``first`` at most 250, the search syntax
``updated_at:>='2026-03-01T16:00:00Z' AND updated_at:<'...'``, ``sortKey``/``reverse``, money as decimal
strings, ids as ``gid://shopify/<Type>/<n>``, and a cost-based leaky bucket reported in
``extensions.cost.throttleStatus`` with ``THROTTLED`` errors (HTTP 200, no ``data``) when it runs dry. The
bucket defaults to a Standard plan's (2,000 points, refilled at 100 a second); ``set_throttle`` changes it.

Where it differs: only the ``orders`` root field exists (see ``SCHEMA``); query costs are an approximation
(2 + 2 per order + the nested ``lineItems`` page size); search terms other than ``created_at``/``updated_at``
and ``OR``/``NOT`` are refused with an error, where Shopify would ignore them with a warning.

Orders change: a refunded or cancelled order was ``PAID`` (updated when it was placed, no ``cancelledAt``) until its
``updated_at_utc``. Shopify answers with the state at the time of the call; the sandbox answers with the state at the
search's ``updated_at`` upper bound (as if each weekly load ran the moment its week closed), so the load of an order's
week sees it paid and a later week's load brings its refund: the late refund the pipeline must reverse.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sandbox.vendors.base import InvalidJsonError, SandboxRequest, SandboxResponse, Tables, as_utc, iso_z, table, text
from sandbox.vendors.graphql import GraphQLError, Selection, argument_values, parse, project

API_VERSION = "2025-10"
GRAPHQL_PATH = f"/admin/api/{API_VERSION}/graphql.json"
MAX_PAGE_SIZE = 250

SCHEMA: dict[str, dict[str, str | None]] = {
    "QueryRoot": {"orders": "OrderConnection"},
    "OrderConnection": {"nodes": "Order", "pageInfo": "PageInfo"},
    "PageInfo": {"hasNextPage": None, "hasPreviousPage": None, "startCursor": None, "endCursor": None},
    "Order": {
        "id": None,
        "name": None,
        "createdAt": None,
        "updatedAt": None,
        "cancelledAt": None,
        "displayFinancialStatus": None,
        "customer": "Customer",
        "currentTotalPriceSet": "MoneyBag",
        "lineItems": "LineItemConnection",
    },
    "Customer": {"id": None},
    "MoneyBag": {"shopMoney": "MoneyV2", "presentmentMoney": "MoneyV2"},
    "MoneyV2": {"amount": None, "currencyCode": None},
    "LineItemConnection": {"nodes": "LineItem", "pageInfo": "PageInfo"},
    "LineItem": {"id": None, "name": None, "sku": None, "quantity": None, "product": "Product", "variant": "Variant"},
    "Product": {"id": None},
    "Variant": {"id": None},
}

_SORT_KEYS = {"ID": "_id", "CREATED_AT": "_created", "UPDATED_AT": "_updated"}
_SEARCH_FIELDS = {"created_at": "_created", "updated_at": "_updated"}
_SEARCH_TERM = re.compile(r"""(?P<field>\w+):(?P<op><=|>=|<|>)?(?P<value>'[^']*'|"[^"]*"|\S+)|(?P<word>\S+)""")
_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    "": lambda a, b: a == b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class ShopifyApi:
    name = "shopify"

    def __init__(
        self,
        tables: Tables,
        access_token: str,
        clock: Callable[[], float] = time.monotonic,
        maximum_available: float = 2000.0,
        restore_rate: float = 100.0,
    ) -> None:
        self._token, self._clock = access_token, clock
        self._orders = build_orders(tables)
        self._lock = threading.Lock()
        self.set_throttle(maximum_available, restore_rate)

    def set_throttle(self, maximum_available: float, restore_rate: float) -> None:
        """Resize the cost bucket (starts full), e.g. to make a test hit ``THROTTLED``."""
        with self._lock:
            self._maximum, self._restore = maximum_available, restore_rate
            self._available, self._updated = maximum_available, self._clock()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path != GRAPHQL_PATH or request.method != "POST":
            return SandboxResponse(404, {"errors": "Not Found"})
        if request.header("X-Shopify-Access-Token") != self._token:
            return SandboxResponse(401, {"errors": INVALID_TOKEN})
        try:
            body = request.json()
        except InvalidJsonError:
            body = None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("query"), str)
            or not isinstance(body.get("variables") or {}, dict)
        ):
            return SandboxResponse(400, {"errors": {"query": "Required parameter missing or invalid"}})
        try:
            return self._execute(body["query"], body.get("variables") or {})
        except GraphQLError as error:
            return SandboxResponse(200, {"errors": [error.as_error()]})

    def _execute(self, query: str, variables: Mapping[str, Any]) -> SandboxResponse:
        operation = parse(query)
        variables = {**operation.variable_defaults, **variables}
        for selection in operation.selections:
            if selection.name not in SCHEMA["QueryRoot"]:
                raise GraphQLError(f"Field '{selection.name}' doesn't exist on type 'QueryRoot'", "undefinedField")
        plans = [(s, argument_values(s, variables)) for s in operation.selections]
        for _, arguments in plans:
            _page_size(arguments, "orders")
        requested = sum(_requested_cost(s, a, variables) for s, a in plans)
        with self._lock:
            self._refill()
            if requested > self._available:
                return SandboxResponse(200, {"errors": [_THROTTLED], "extensions": self._cost(requested, None)})
            data = {s.key: project(SCHEMA, "OrderConnection", self._page(a), s.selections, variables) for s, a in plans}
            actual = 2 + 2 * sum(len(d.get("nodes") or []) for d in data.values() if isinstance(d, dict))
            self._available -= actual
            return SandboxResponse(200, {"data": data, "extensions": self._cost(requested, actual)})

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self._maximum, self._available + (now - self._updated) * self._restore)
        self._updated = now

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        status = {
            "maximumAvailable": self._maximum,
            "currentlyAvailable": round(self._available, 1),
            "restoreRate": self._restore,
        }
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}}

    def _page(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        size = _page_size(arguments, "orders")
        sort_field = _SORT_KEYS.get(str(arguments.get("sortKey") or "ID"))
        if sort_field is None:
            raise GraphQLError(f"sandbox orders support sortKey {sorted(_SORT_KEYS)}, got {arguments.get('sortKey')}")
        reverse = bool(arguments.get("reverse"))
        terms = _search_terms(arguments.get("query"))
        as_of = _upper_bound(terms)
        orders = (_as_of(order, as_of) for order in self._orders)

        def position(order: Mapping[str, Any]) -> tuple[Any, int]:
            return order[sort_field], order["_id"]

        matching = sorted((o for o in orders if _matches(o, terms)), key=position, reverse=reverse)
        after = arguments.get("after")
        if after:
            last = _decode_cursor(after)
            matching = [o for o in matching if (position(o) < last if reverse else position(o) > last)]
        page = matching[:size]
        cursors = [_encode_cursor(o[sort_field], o["_id"]) for o in page]
        return {
            "nodes": page,
            "pageInfo": {
                "hasNextPage": len(matching) > size,
                "hasPreviousPage": bool(after),
                "startCursor": cursors[0] if cursors else None,
                "endCursor": cursors[-1] if cursors else None,
            },
        }


_THROTTLED = {
    "message": "Throttled",
    "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
}


def _page_size(arguments: Mapping[str, Any], connection: str) -> int:
    size = arguments.get("first")
    if size is None:
        raise GraphQLError(f"you must provide one of first or last for the '{connection}' connection")
    if not isinstance(size, int) or size < 1:
        raise GraphQLError(f"Expected 'first' on '{connection}' to be a positive integer")
    if size > MAX_PAGE_SIZE:
        raise GraphQLError(
            f"The page size of '{connection}' cannot exceed {MAX_PAGE_SIZE}, got {size}", "MAX_PAGE_SIZE_EXCEEDED"
        )
    return size


def _requested_cost(selection: Selection, arguments: Mapping[str, Any], variables: Mapping[str, Any]) -> int:
    """Approximate Shopify's calculated cost: 2 + 2 per requested order + the nested line-item page size."""
    line_items = 0
    for child in selection.selections:
        for grandchild in child.selections if child.name == "nodes" else []:
            if grandchild.name == "lineItems":
                line_items = int(argument_values(grandchild, variables).get("first") or 0)
    return 2 + 2 * int(arguments["first"]) + line_items


def _search_terms(query: object) -> list[tuple[str, str, datetime]]:
    if query is None:
        return []
    terms = []
    for match in _SEARCH_TERM.finditer(str(query)):
        if match["word"] is not None:
            if match["word"] == "AND":
                continue
            raise GraphQLError(
                f"sandbox search supports only 'field:<op>value' terms joined by AND, got {match['word']!r}"
            )
        field = _SEARCH_FIELDS.get(match["field"])
        if field is None:
            raise GraphQLError(f"sandbox search supports {sorted(_SEARCH_FIELDS)}, got {match['field']!r}")
        value = match["value"].strip("'\"")
        try:
            instant = datetime.fromisoformat(value)
        except ValueError as error:
            raise GraphQLError(f"invalid date in search term {match.group()!r}") from error
        terms.append((field, match["op"] or "", instant if instant.tzinfo else instant.replace(tzinfo=UTC)))
    return terms


def _upper_bound(terms: list[tuple[str, str, datetime]]) -> tuple[datetime, bool] | None:
    """The earliest ``updated_at`` upper bound of a search (and whether it is inclusive), if it has one."""
    bounds = [(value, op == "<=") for field, op, value in terms if field == "_updated" and op in ("<", "<=")]
    return min(bounds, key=lambda bound: (bound[0], bound[1])) if bounds else None


def _as_of(order: dict[str, Any], bound: tuple[datetime, bool] | None) -> dict[str, Any]:
    """The order as it stood at ``bound``: before its refund or cancellation it was still paid."""
    paid = order.get("_paid")
    if paid is None or bound is None:
        return order
    instant, inclusive = bound
    changed_later = order["_updated"] > instant if inclusive else order["_updated"] >= instant
    return paid if changed_later else order


def _matches(order: Mapping[str, Any], terms: list[tuple[str, str, datetime]]) -> bool:
    return all(_COMPARE[op](order[field], value) for field, op, value in terms)


def _encode_cursor(value: object, order_id: int) -> str:
    last = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps({"last_id": order_id, "last_value": last}).encode()).decode()


def _decode_cursor(cursor: object) -> tuple[Any, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
        value = payload["last_value"]
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
        return value, int(payload["last_id"])
    except (ValueError, KeyError, TypeError) as error:
        raise GraphQLError("Invalid cursor for current pagination sort.") from error


def _line_items_page(lines: list[dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def page(arguments: dict[str, Any]) -> dict[str, Any]:
        size = _page_size(arguments, "lineItems")
        try:
            start = int(base64.urlsafe_b64decode(str(arguments["after"]).encode())) if arguments.get("after") else 0
        except ValueError as error:
            raise GraphQLError("Invalid cursor for current pagination sort.") from error
        nodes = lines[start : start + size]
        end = base64.urlsafe_b64encode(str(start + len(nodes)).encode()).decode()
        info = {"hasNextPage": start + size < len(lines), "hasPreviousPage": start > 0, "endCursor": end}
        return {"nodes": nodes, "pageInfo": {**info, "startCursor": None}}

    return page


def build_orders(tables: Tables) -> list[dict[str, Any]]:
    """Order nodes with every field in ``SCHEMA``; ``_``-prefixed keys are for sorting and search only."""
    orders = table(
        tables,
        "orders",
        ["order_id", "name", "created_at_utc", "updated_at_utc", "customer_id", "financial_status",
         "cancelled_at_utc", "total_amount", "currency"],
    )  # fmt: skip
    lines = table(tables, "order_lines", ["order_id", "line_no", "sku", "product_id", "quantity"])
    products = table(tables, "products", ["product_id", "shopify_product_id"])
    product_gids = {
        str(p.product_id): f"gid://shopify/Product/{p.shopify_product_id}" for p in products.itertuples(index=False)
    }
    lines_by_order: dict[str, list[dict[str, Any]]] = {}
    for line in lines.sort_values(["order_id", "line_no"]).itertuples(index=False):
        product_gid = product_gids.get(str(line.product_id))
        lines_by_order.setdefault(str(line.order_id), []).append(
            {
                "id": f"gid://shopify/LineItem/{line.order_id}{int(line.line_no):03d}",
                "name": text(line.sku),
                "sku": text(line.sku),
                "quantity": int(line.quantity),
                "product": {"id": product_gid} if product_gid else None,
                "variant": {"id": f"gid://shopify/ProductVariant/{product_gid.rsplit('/', 1)[1]}1"}
                if product_gid
                else None,
            }
        )
    nodes = []
    for order in orders.itertuples(index=False):
        created, updated, cancelled = (
            as_utc(order.created_at_utc),
            as_utc(order.updated_at_utc),
            as_utc(order.cancelled_at_utc),
        )
        money = {"amount": str(order.total_amount), "currencyCode": str(order.currency)}
        customer = text(order.customer_id)
        node = {
            "_id": int(order.order_id),
            "_created": created,
            "_updated": updated,
            "id": f"gid://shopify/Order/{order.order_id}",
            "name": str(order.name),
            "createdAt": iso_z(created),
            "updatedAt": iso_z(updated),
            "cancelledAt": iso_z(cancelled) if cancelled else None,
            "displayFinancialStatus": str(order.financial_status),
            "customer": {"id": f"gid://shopify/Customer/{customer}"} if customer else None,
            "currentTotalPriceSet": {"shopMoney": money, "presentmentMoney": dict(money)},
            "lineItems": _line_items_page(lines_by_order.get(str(order.order_id), [])),
        }
        reversed_later = str(order.financial_status) == "REFUNDED" or bool(cancelled)
        if reversed_later and updated > created:
            # The version served before the refund or cancellation: paid, last updated when it was placed.
            node["_paid"] = {
                **node,
                "_updated": created,
                "updatedAt": iso_z(created),
                "cancelledAt": None,
                "displayFinancialStatus": "PAID",
            }
        nodes.append(node)
    return nodes
