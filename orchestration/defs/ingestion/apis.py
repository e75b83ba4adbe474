"""Sources pulled over HTTP, one week per run: WeCom, DingTalk and Feishu attendance, Shopify orders, GA4 metrics and
Jira goals.

Attendance apps are asked about the people the identity crosswalk maps to them, for the week plus the site's
lookback (corrections and late uploads); their rows report the weeks they touch (see the late-punch sensor).
Shopify orders are fetched by when they changed, so a refund or cancellation of an older order arrives with a later
week: the load reports the earlier weeks whose orders changed (``late_weeks``) so the late-data sensor rescores them.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Protocol

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from connectors.dingtalk.schemas import RAW_SCHEMAS as DINGTALK_SCHEMAS
from connectors.feishu.schemas import RAW_SCHEMAS as FEISHU_SCHEMAS
from connectors.ga4.schemas import RAW_SCHEMAS as GA4_SCHEMAS
from connectors.jira.schemas import GOAL_SCHEMAS as JIRA_SCHEMAS
from connectors.shopify.schemas import RAW_SCHEMAS as SHOPIFY_SCHEMAS
from connectors.warehouse import connect
from connectors.wecom.schemas import RAW_SCHEMAS as WECOM_SCHEMAS
from orchestration.defs.ingestion.jira_work import late_weeks, mondays
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import (
    DingTalkResource,
    FeishuResource,
    Ga4Resource,
    JiraResource,
    ShopifyResource,
    WarehouseResource,
    WeComResource,
)
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.ingest import (
    LATE_WEEKS,
    disabled_source_week,
    load_week,
    partition_week,
    punch_window,
    quarantine_checks,
    raw_specs,
    validate_frames,
)
from orchestration.settings import load_settings

SHOPIFY_ORDERS = "shopify_orders"
# What makes an order row news for its week: a new order, or a change to whether or how much it counts.
SHOPIFY_ORDER_VERSION = ["order_gid", "financial_status", "cancelled_at", "total_amount"]


class AttendanceAppClient(Protocol):
    def fetch_week(
        self, week_start: date, tz: str, user_ids: Sequence[str], lookback_days: int = 0
    ) -> dict[str, pd.DataFrame]: ...


class AttendanceAppResource(Protocol):
    def client(self) -> AttendanceAppClient: ...


def _api_asset(name: str, tables: list[str], description: str, kinds: set[str], deps: list[dg.AssetKey] = ()):
    (source,) = kinds  # an API asset's one kind names its source (its freshness windows)
    return dg.multi_asset(
        name=name,
        specs=[spec.replace_attributes(deps=deps) for spec in raw_specs(tables, description, kinds, source=source)],
        check_specs=quarantine_checks(tables),
        partitions_def=weekly_partitions,
        backfill_policy=week_by_week,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    )


def crosswalk_ids(warehouse_path: str, week: object, system: str) -> list[str]:
    """Whom to ask an attendance app about: its ids in the identity crosswalk delivered with the week's HR export."""
    with connect(warehouse_path, read_only=True) as con:
        rows = con.execute(
            "select distinct external_id from raw.hris_identities where system = ? and week_start = ? order by 1",
            [system, week],
        ).fetchall()
    return [row[0] for row in rows]


def _attendance_app_week(
    context: dg.AssetExecutionContext,
    app: AttendanceAppResource,
    warehouse: WarehouseResource,
    source: str,
    schemas: Mapping[str, type[pa.DataFrameModel]],
) -> Iterator[dg.MaterializeResult]:
    """The week (plus the site's lookback) of the people the crosswalk maps to ``source``, loaded with its checks."""
    week = partition_week(context)
    settings = load_settings()
    if source in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, source, week, schemas)
        return
    site = load_attendance_config(settings.attendance_config_path)
    people = crosswalk_ids(warehouse.path, week, source)
    frames = app.client().fetch_week(week, settings.timezone, people, lookback_days=site.lookback_days)
    window = punch_window(week, settings.timezone, site.max_punch_age_days)
    yield from load_week(warehouse.path, source, week, validate_frames(frames, schemas), punch_window=window)


def _source_week(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    source: str,
    schemas: Mapping[str, type[pa.DataFrameModel]],
    fetch: Callable[[date, str], dict[str, pd.DataFrame]],
) -> Iterator[dg.MaterializeResult]:
    """The partition's week of a non-attendance source (``fetch(week, company time zone)``), loaded with its checks."""
    week = partition_week(context)
    settings = load_settings()
    if source in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, source, week, schemas)
        return
    yield from load_week(warehouse.path, source, week, validate_frames(fetch(week, settings.timezone), schemas))


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
    yield from _attendance_app_week(context, wecom, warehouse, "wecom", WECOM_SCHEMAS)


@_api_asset(
    "dingtalk_punches",
    ["dingtalk_punches"],
    "DingTalk 打卡 punches (listRecord) of the people the identity crosswalk maps to DingTalk.",
    {"dingtalk"},
    deps=[raw_key("hris_identities")],
)
def dingtalk_punches(
    context: dg.AssetExecutionContext, dingtalk: DingTalkResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    yield from _attendance_app_week(context, dingtalk, warehouse, "dingtalk", DINGTALK_SCHEMAS)


@_api_asset(
    "feishu_attendance",
    ["feishu_punches", "feishu_shift_roster", "feishu_leave"],
    "Feishu attendance of the people the identity crosswalk maps to Feishu: punch flows, 排班 and approved leave.",
    {"feishu"},
    deps=[raw_key("hris_identities")],
)
def feishu_attendance(
    context: dg.AssetExecutionContext, feishu: FeishuResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    yield from _attendance_app_week(context, feishu, warehouse, "feishu", FEISHU_SCHEMAS)


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
    settings = load_settings()
    if "shopify" in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, "shopify", week, SHOPIFY_SCHEMAS)
        return
    validated = validate_frames(shopify.client().fetch_week(week, settings.timezone), SHOPIFY_SCHEMAS)
    late = late_order_weeks(warehouse.path, week, validated[SHOPIFY_ORDERS].rows, settings.timezone)
    yield from load_week(
        warehouse.path, "shopify", week, validated, extra_metadata={LATE_WEEKS: dg.MetadataValue.json(late)}
    )


def late_order_weeks(warehouse_path: str, week: date, orders: pd.DataFrame, timezone: str) -> list[str]:
    """Earlier weeks (by the order's local creation date, as the marts count it) whose orders this load changes.

    An order of week W refunded, cancelled or partially refunded in week W+k is fetched again by W+k's load; no
    earlier load holds that version, so W is reported and rescored (a re-run of the same load reports nothing new).
    """
    created = mondays(orders["created_at"], timezone)
    with connect(warehouse_path) as con:
        return late_weeks(con, SHOPIFY_ORDERS, week, orders, SHOPIFY_ORDER_VERSION, created)


@_api_asset(
    "ga4_reports",
    ["ga4_page_daily", "ga4_page_events", "ga4_creative_daily"],
    "GA4 runReport: sessions and engagement per page, wishlist adds per page, promotion views and clicks per creative.",
    {"ga4"},
)
def ga4_reports(
    context: dg.AssetExecutionContext, ga4: Ga4Resource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    yield from _source_week(context, warehouse, "ga4", GA4_SCHEMAS, lambda week, tz: ga4.client().fetch_week(week, tz))


@_api_asset(
    "jira_goals",
    ["jira_goal_issues"],
    "Weekly goals kept as Jira issues of type Goal (metric, target, actual, weight, direction).",
    {"jira"},
)
def jira_goals(
    context: dg.AssetExecutionContext, jira: JiraResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    yield from _source_week(
        context, warehouse, "jira", JIRA_SCHEMAS, lambda week, tz: jira.client().fetch_week(week, tz)
    )
