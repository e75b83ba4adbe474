"""Every resource the assets use, declared once. Secrets come through ``dg.EnvVar`` only (resolved at run launch)."""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster_dbt import DbtCliResource

from connectors.dingtalk import DingTalkClient, DingTalkConfig
from connectors.feishu import FeishuAttendanceClient, FeishuAttendanceConfig, FeishuOkrClient, FeishuOkrConfig
from connectors.ga4.client import Ga4Client, Ga4Config
from connectors.http import Secret
from connectors.jira.client import JiraClient, JiraConfig
from connectors.jira.work import JiraWorkClient
from connectors.shopify.client import ShopifyClient, ShopifyConfig
from connectors.wecom.client import WeComClient, WeComConfig
from connectors.zkbiotime import ZkBioTimeClient, ZkBioTimeConfig
from exports.channels.config import parse_channel_config
from exports.delivery import build_senders
from exports.delivery.senders import Senders
from orchestration.settings import load_settings
from scoring.plan import Plan, PlanHistory, load_plan_history

from .dbt.project import dbt_project

_settings = load_settings()
# dbt's profile reads the warehouse path from the environment: publish the resolved default so both agree.
os.environ.setdefault("HRHUB_DUCKDB_PATH", str(_settings.duckdb_path))


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse file (raw, staging, marts and scoring schemas)."""

    path: str


class PlanResource(dg.ConfigurableResource):
    """The HR-editable incentive plan: a folder of versions (or one file); version and hash go on every output row.

    Weekly assets score a week with the version in force for it (``history().in_force(week)``), or with the version
    the week was exported with (``orchestration/lib/plan_pins.py``).
    """

    path: str

    def history(self) -> PlanHistory:
        return load_plan_history(self.path)

    def load(self) -> Plan:
        """The newest version. Not week-aware: anything that scores a week uses ``history()`` instead."""
        return self.history().latest


class InboxResource(dg.ConfigurableResource):
    """The folder where file exports (devices, HR system, registries, activity feed) are dropped, one folder a week."""

    path: str


class WeComResource(dg.ConfigurableResource):
    """WeCom attendance (``checkin/getcheckindata``) through a self-built app allowed to call 打卡."""

    base_url: str
    corpid: str
    corpsecret: str

    def client(self) -> WeComClient:
        return WeComClient(WeComConfig(base_url=self.base_url, corpid=self.corpid, corpsecret=Secret(self.corpsecret)))


class DingTalkResource(dg.ConfigurableResource):
    """DingTalk attendance (``/attendance/listRecord``) through an internal app with attendance read permission."""

    base_url: str
    appkey: str
    appsecret: str

    def client(self) -> DingTalkClient:
        return DingTalkClient(
            DingTalkConfig(base_url=self.base_url, appkey=self.appkey, appsecret=Secret(self.appsecret))
        )


class FeishuResource(dg.ConfigurableResource):
    """Feishu/Lark attendance (punch flows, 排班, approved leave) through a custom app with attendance read scopes."""

    base_url: str
    app_id: str
    app_secret: str

    def client(self) -> FeishuAttendanceClient:
        return FeishuAttendanceClient(
            FeishuAttendanceConfig(base_url=self.base_url, app_id=self.app_id, app_secret=Secret(self.app_secret))
        )

    def okr_client(self) -> FeishuOkrClient:
        """Feishu OKR with the same app (it needs ``okr:okr:readonly``); users are named by their open_id, which
        every employee has (the user_id of the attendance app exists only where Feishu is the punch source)."""
        return FeishuOkrClient(
            FeishuOkrConfig(
                base_url=self.base_url, app_id=self.app_id, app_secret=Secret(self.app_secret), user_id_type="open_id"
            )
        )


class ZkBioTimeResource(dg.ConfigurableResource):
    """A ZKBioTime attendance server's database (``iclock_transaction``), read-only through SQLAlchemy.

    ``url`` is a SQLAlchemy URL with the reader's password (e.g. ``postgresql+psycopg://reader:...@host/biotime``).
    """

    url: str
    server_timezone: str = "Asia/Shanghai"

    def client(self) -> ZkBioTimeClient:
        return ZkBioTimeClient(ZkBioTimeConfig(url=Secret(self.url), server_timezone=self.server_timezone))


class ShopifyResource(dg.ConfigurableResource):
    """Shopify Admin GraphQL (orders), with an access token of a custom app that may read orders."""

    base_url: str
    access_token: str

    def client(self) -> ShopifyClient:
        return ShopifyClient(ShopifyConfig(base_url=self.base_url, access_token=Secret(self.access_token)))


class Ga4Resource(dg.ConfigurableResource):
    """GA4 Data API ``runReport`` for page, wishlist and promotion-creative metrics."""

    base_url: str
    property_id: str
    access_token: str

    def client(self) -> Ga4Client:
        return Ga4Client(
            Ga4Config(property_id=self.property_id, access_token=Secret(self.access_token), base_url=self.base_url)
        )


class JiraResource(dg.ConfigurableResource):
    """Jira Cloud REST v3 ``search/jql``: weekly goals are issues of type Goal with custom fields."""

    base_url: str
    email: str
    api_token: str

    def client(self) -> JiraClient:
        return JiraClient(JiraConfig(base_url=self.base_url, email=self.email, api_token=Secret(self.api_token)))

    def work_client(self) -> JiraWorkClient:
        """Resolved issues and worklogs (the work that measures goals), with the same site and credentials."""
        return JiraWorkClient(JiraConfig(base_url=self.base_url, email=self.email, api_token=Secret(self.api_token)))


def source_resources() -> dict[str, dg.ConfigurableResource]:
    """Connector resources: endpoints from plain settings, credentials only through ``dg.EnvVar``.

    A disabled source (HRHUB_DISABLED_SOURCES) needs no credentials: its asset writes an empty week instead.
    """
    env = os.environ.get
    disabled = _settings.disabled_sources

    def credential(source: str, variable: str) -> Any:
        return "" if source in disabled else dg.EnvVar(variable)

    return {
        "wecom": WeComResource(
            base_url=env("HRHUB_WECOM_BASE_URL", "https://qyapi.weixin.qq.com"),
            corpid=credential("wecom", "HRHUB_WECOM_CORPID"),
            corpsecret=credential("wecom", "HRHUB_WECOM_CORPSECRET"),
        ),
        "dingtalk": DingTalkResource(
            base_url=env("HRHUB_DINGTALK_BASE_URL", "https://oapi.dingtalk.com"),
            appkey=credential("dingtalk", "HRHUB_DINGTALK_APPKEY"),
            appsecret=credential("dingtalk", "HRHUB_DINGTALK_APPSECRET"),
        ),
        "feishu": FeishuResource(
            base_url=env("HRHUB_FEISHU_BASE_URL", "https://open.feishu.cn"),
            app_id=credential("feishu", "HRHUB_FEISHU_APP_ID"),
            app_secret=credential("feishu", "HRHUB_FEISHU_APP_SECRET"),
        ),
        "zkbiotime": ZkBioTimeResource(
            url=credential("zkbiotime", "HRHUB_ZKBIOTIME_URL"),
            server_timezone=env("HRHUB_ZKBIOTIME_TIMEZONE", _settings.timezone),
        ),
        "shopify": ShopifyResource(
            base_url=env("HRHUB_SHOPIFY_BASE_URL", "https://example.myshopify.com"),
            access_token=credential("shopify", "HRHUB_SHOPIFY_ACCESS_TOKEN"),
        ),
        "ga4": Ga4Resource(
            base_url=env("HRHUB_GA4_BASE_URL", "https://analyticsdata.googleapis.com"),
            property_id=credential("ga4", "HRHUB_GA4_PROPERTY_ID"),
            access_token=credential("ga4", "HRHUB_GA4_ACCESS_TOKEN"),
        ),
        "jira": JiraResource(
            base_url=env("HRHUB_JIRA_BASE_URL", "https://example.atlassian.net"),
            email=credential("jira", "HRHUB_JIRA_EMAIL"),
            api_token=credential("jira", "HRHUB_JIRA_API_TOKEN"),
        ),
    }


class ExportsResource(dg.ConfigurableResource):
    """Where exports go (drafts, releases, statements, outbox) and the exports config (targets, channels)."""

    config_path: str
    payroll_drafts_dir: str
    payroll_release_dir: str
    payroll_ledger_path: str
    statements_dir: str
    outbox_path: str
    outbox_store_path: str

    def config(self) -> dict[str, Any]:
        with Path(self.config_path).open(encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}

    def notification_senders(self) -> tuple[Senders, bool]:
        """The configured channels' senders, and whether this is a dry run (everything to the JSONL outbox)."""
        config = self.config().get("notifications") or {}
        dry_run = bool(config.get("dry_run", True))
        channels = parse_channel_config({key: value for key, value in config.items() if key != "dry_run"})
        return build_senders(channels, dry_run_outbox=Path(self.outbox_path) if dry_run else None), dry_run


def _dbt_executable() -> str:
    """dbt from PATH, else the one installed in this environment's scripts folder (a venv used without activation)."""
    return shutil.which("dbt") or str(Path(sysconfig.get_path("scripts")) / "dbt")


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(path=str(settings.duckdb_path)),
            "plan": PlanResource(path=str(settings.plan_path)),
            "inbox": InboxResource(path=str(settings.inbox_dir)),
            "exports": ExportsResource(
                config_path=str(settings.exports_config_path),
                payroll_drafts_dir=str(settings.payroll_drafts_dir),
                payroll_release_dir=str(settings.payroll_release_dir),
                payroll_ledger_path=str(settings.payroll_ledger_path),
                statements_dir=str(settings.statements_dir),
                outbox_path=str(settings.outbox_path),
                outbox_store_path=str(settings.outbox_store_path),
            ),
            "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=_dbt_executable()),
            **source_resources(),
        }
    )
