"""Shopify connector against the sandbox over real HTTP: cursor paging, the week filter, THROTTLED, auth."""

from __future__ import annotations

import pytest

from connectors.http import Secret, SourceError
from connectors.quality import validate_rows
from connectors.shopify import RAW_SCHEMAS, ShopifyClient, ShopifyConfig
from sandbox.server import SandboxServer
from sandbox.vendors.base import SandboxResponse
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK

ORDER_COLUMNS = [
    "order_gid", "name", "created_at", "updated_at", "financial_status", "cancelled_at", "customer_gid",
    "total_amount", "currency", "_source_ref",
]  # fmt: skip
LINE_COLUMNS = ["order_gid", "line_no", "sku", "quantity", "product_gid", "_source_ref"]
WEEK_ORDERS = [f"gid://shopify/Order/{n}" for n in range(5501, 5508)]  # 5508/5509 were updated outside the week


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> ShopifyClient:
    settings = {
        "base_url": sandbox.shopify_url,
        "access_token": Secret(sandbox.credentials.shopify_access_token),
        **config,
    }
    return ShopifyClient(ShopifyConfig(**settings), sleep=clock.sleep)


def record(sandbox: SandboxServer) -> Recorder:
    recorder = Recorder("shopify")
    sandbox.add_interceptor(recorder)
    return recorder


def test_pages_through_the_weeks_orders_with_cursors(sandbox, clock):
    calls = record(sandbox)
    frames = make_client(sandbox, clock, page_size=2).fetch_week(WEEK, TZ)
    orders, lines = frames["shopify_orders"], frames["shopify_order_lines"]

    assert list(orders.columns) == ORDER_COLUMNS and list(lines.columns) == LINE_COLUMNS
    assert list(orders["order_gid"]) == WEEK_ORDERS  # sorted by updated_at, no duplicates, none missed
    variables = [body["variables"] for body in calls.bodies()]
    assert variables[0]["after"] is None and len(variables) == 4
    assert all(v["after"] for v in variables[1:]) and len({v["after"] for v in variables[1:]}) == 3
    assert {v["query"] for v in variables} == {
        "updated_at:>='2026-03-01T16:00:00Z' AND updated_at:<'2026-03-08T16:00:00Z'"
    }
    assert orders["_source_ref"].is_unique and orders["_source_ref"].str.contains("page=4").sum() == 1


def test_values_are_kept_as_shopify_sent_them(sandbox, clock):
    frames = make_client(sandbox, clock).fetch_week(WEEK, TZ)
    orders = frames["shopify_orders"].set_index("order_gid")
    first = orders.loc["gid://shopify/Order/5501"]
    assert (first["name"], first["created_at"], first["updated_at"]) == (
        "#1001",
        "2026-03-01T15:00:00Z",
        "2026-03-01T16:00:00Z",
    )
    assert (first["total_amount"], first["currency"]) == ("100.50", "CNY")  # money stays text
    assert first["customer_gid"] == "gid://shopify/Customer/701"
    assert orders.loc["gid://shopify/Order/5502", "financial_status"] == "REFUNDED"
    assert orders["customer_gid"].isna().sum() == 1  # the guest checkout
    assert orders.loc["gid://shopify/Order/5504", "cancelled_at"] == "2026-03-03T18:00:00Z"
    lines = frames["shopify_order_lines"]
    first_lines = lines[lines["order_gid"] == "gid://shopify/Order/5501"]
    assert first_lines[["line_no", "sku", "quantity", "product_gid"]].values.tolist() == [
        [1, "SKU-1-1", 1, "gid://shopify/Product/803"],
        [2, "SKU-1-2", 2, "gid://shopify/Product/801"],
    ]
    for table, frame in frames.items():
        assert validate_rows(frame, RAW_SCHEMAS[table]).counts["rows_quarantined"] == 0


@pytest.mark.trust("fault", "connectors: Shopify")
def test_throttled_calls_wait_as_long_as_the_bucket_needs_to_refill(sandbox, clock):
    # A page of 20 orders with 50 line items each is requested at 2 + 2 x 20 + 50 = 92 points; it costs 2 + 2 x 7.
    sandbox.shopify.set_throttle(maximum_available=100, restore_rate=10)
    calls = record(sandbox)
    first = make_client(sandbox, clock, page_size=20).fetch_week(WEEK, TZ)["shopify_orders"]  # 100 -> 84 left
    assert clock.sleeps == []
    second = make_client(sandbox, clock, page_size=20).fetch_week(WEEK, TZ)["shopify_orders"]  # 84 < 92: THROTTLED
    assert clock.sleeps == [pytest.approx(0.8 + 0.25)]  # (92 - 84) points / 10 points per second, plus slack
    assert len(calls.requests) == 3
    assert list(first["order_gid"]) == list(second["order_gid"]) == WEEK_ORDERS


@pytest.mark.trust("security", "connectors: Shopify")
def test_a_bad_access_token_fails_and_is_never_reported(sandbox, clock):
    client = ShopifyClient(
        ShopifyConfig(base_url=sandbox.shopify_url, access_token=Secret("shpat_wrong_42")), sleep=clock.sleep
    )
    with pytest.raises(SourceError) as raised:
        client.fetch_week(WEEK, TZ)
    assert raised.value.code == "HTTP 401" and "Invalid API key" in raised.value.message
    assert "shpat_wrong_42" not in str(raised.value) + repr(client.config)
    assert clock.sleeps == []


@pytest.mark.trust("bad input", "connectors: Shopify")
def test_an_order_with_more_lines_than_requested_is_an_error_not_a_silent_cut(sandbox, clock):
    with pytest.raises(SourceError, match="more than 1 line items"):
        make_client(sandbox, clock, line_items_per_order=1).fetch_week(WEEK, TZ)


@pytest.mark.trust("fault", "connectors: Shopify")
def test_graphql_errors_on_http_200_fail_the_run(sandbox, clock):
    calls = record(sandbox)
    calls.script = [
        SandboxResponse(
            200, {"errors": [{"message": "Field 'x' doesn't exist", "extensions": {"code": "undefinedField"}}]}
        )
    ]
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock).fetch_week(WEEK, TZ)
    assert raised.value.code == "undefinedField" and len(calls.requests) == 1


@pytest.mark.trust("bad input", "connectors: Shopify")
def test_page_size_is_capped_at_shopifys_250():
    with pytest.raises(ValueError, match="page_size"):
        ShopifyConfig(base_url="http://x", access_token=Secret("t"), page_size=251)


@pytest.mark.trust("bad input", "connectors: Shopify")
def test_bad_amounts_and_quantities_are_quarantined(sandbox, clock):
    frames = make_client(sandbox, clock).fetch_week(WEEK, TZ)
    orders, lines = frames["shopify_orders"].copy(), frames["shopify_order_lines"].copy()
    orders.loc[0, "total_amount"] = "12,50"
    lines.loc[0, "quantity"] = -1
    bad_orders = validate_rows(orders, RAW_SCHEMAS["shopify_orders"])
    bad_lines = validate_rows(lines, RAW_SCHEMAS["shopify_order_lines"])
    assert bad_orders.counts["rows_quarantined"] == 1 and "total_amount" in bad_orders.quarantine["reason"].iloc[0]
    assert bad_lines.counts["rows_quarantined"] == 1 and "quantity" in bad_lines.quarantine["reason"].iloc[0]
