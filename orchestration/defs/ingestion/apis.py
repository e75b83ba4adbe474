"""Sources pulled over HTTP, one week per run: WeCom check-ins, Shopify orders, GA4 metrics and Jira goals."""

from collections.abc import Iterator

import dagster as dg

from connectors.ga4.schemas import RAW_SCHEMAS as GA4_SCHEMAS
from connectors.jira.schemas import RAW_SCHEMAS as JIRA_SCHEMAS
from connectors.shopify.schemas import RAW_SCHEMAS as SHOPIFY_SCHEMAS
from connectors.warehouse import connect
from connectors.wecom.schemas import RAW_SCHEMAS as WECOM_SCHEMAS
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import Ga4Resource, JiraResource, ShopifyResource, WarehouseResource, WeComResource
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.ingest import load_week, partition_week, quarantine_checks, raw_specs, validate_frames
from orchestration.settings import load_settings


def _api_asset(name: str, tables: list[str], description: str, kinds: set[str], deps: list[dg.AssetKey] = ()):
    return dg.multi_asset(
        name=name,
        specs=[spec.replace_attributes(deps=deps) for spec in raw_specs(tables, description, kinds)],
        check_specs=quarantine_checks(tables),
        partitions_def=weekly_partitions,
        backfill_policy=week_by_week,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    )


def _wecom_userids(warehouse_path: str, week: object) -> list[str]:
    """Whom to ask WeCom about: the identity crosswalk's WeCom ids delivered with the week's HR export."""
    with connect(warehouse_path, read_only=True) as con:
        rows = con.execute(
            "select distinct external_id from raw.hris_identities where system = 'wecom' and week_start = ? order by 1",
            [week],
        ).fetchall()
    return [row[0] for row in rows]


@_api_asset(
    "wecom_checkins",
    ["wecom_checkins"],
    "WeCom 打卡 check-ins of the people the identity crosswalk maps to WeCom.",
    {"wecom"},
    deps=[raw_key("hris_identities")],
)
def wecom_checkins(
    context: dg.AssetExecutionContext, wecom: WeComResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    userids = _wecom_userids(warehouse.path, week)
    frames = wecom.client().fetch_week(week, load_settings().timezone, userids)
    yield from load_week(warehouse.path, "wecom", week, validate_frames(frames, WECOM_SCHEMAS))


@_api_asset(
    "shopify_orders",
    ["shopify_orders", "shopify_order_lines"],
    "Shopify orders updated in the week, with line items.",
    {"shopify"},
)
def shopify_orders(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    frames = shopify.client().fetch_week(week, load_settings().timezone)
    yield from load_week(warehouse.path, "shopify", week, validate_frames(frames, SHOPIFY_SCHEMAS))


@_api_asset(
    "ga4_reports",
    ["ga4_page_daily", "ga4_page_events", "ga4_creative_daily"],
    "GA4 runReport: sessions and engagement per page, wishlist adds per page, promotion views and clicks per creative.",
    {"ga4"},
)
def ga4_reports(
    context: dg.AssetExecutionContext, ga4: Ga4Resource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    frames = ga4.client().fetch_week(week, load_settings().timezone)
    yield from load_week(warehouse.path, "ga4", week, validate_frames(frames, GA4_SCHEMAS))


@_api_asset(
    "jira_goals",
    ["jira_goal_issues"],
    "Weekly goals kept as Jira issues of type Goal (metric, target, actual, weight, direction).",
    {"jira"},
)
def jira_goals(
    context: dg.AssetExecutionContext, jira: JiraResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    frames = jira.client().fetch_week(week, load_settings().timezone)
    yield from load_week(warehouse.path, "jira", week, validate_frames(frames, JIRA_SCHEMAS))
