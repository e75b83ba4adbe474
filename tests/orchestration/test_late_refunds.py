"""A refund or cancellation of an earlier week's order: the Shopify load flags that week, the late-data sensor
rescores it, and a week whose payroll was already released is paid back through negative adjustment lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import yaml

from connectors.warehouse import connect, replace_week
from exports.payroll_ledger import PayrollLedger
from exports.targets import load_targets
from orchestration.defs.ingestion.apis import late_order_weeks, shopify_orders
from orchestration.defs.ingestion.sensors import late_data_sensor
from orchestration.defs.resources import ShopifyResource, WarehouseResource
from orchestration.defs.scoring.marts import write_scores
from orchestration.lib.ingest import LATE_WEEKS
from orchestration.lib.payroll_approval import approve_and_release
from orchestration.lib.payroll_drafts import draft_week
from orchestration.lib.week_scoring import score_week_from_marts
from orchestration.settings import load_settings
from sandbox.sample import SampleConfig, generate_sample
from sandbox.server import SandboxServer
from scoring.plan import DEFAULT_PLAN_PATH, load_plan
from tests.connectors.tiny_company import tiny_company
from tests.orchestration.plan_warehouse import build_marts

WEEK, NEXT = date(2026, 3, 2), date(2026, 3, 9)
MONDAY_UTC = datetime(2026, 3, 1, 16, 0)  # WEEK 00:00 in Shanghai


def _order(n: int, created: datetime, updated: datetime, status: str = "PAID", cancelled: bool = False) -> dict:
    return {
        "order_id": str(9000 + n),
        "name": f"#{2000 + n}",
        "created_at_utc": created,
        "updated_at_utc": updated,
        "customer_id": str(700 + n),
        "financial_status": status,
        "cancelled_at_utc": updated if cancelled else None,
        "total_amount": "199.00",
        "currency": "CNY",
    }


def _shop() -> dict[str, pd.DataFrame]:
    """Week 1: two orders placed. Week 2: one of them refunded (late), one order placed and cancelled the same week."""
    day = timedelta(days=1)
    orders = pd.DataFrame(
        [
            _order(1, MONDAY_UTC + 2 * day, MONDAY_UTC + 8 * day, status="REFUNDED"),  # Wed, refunded next Tue
            _order(2, MONDAY_UTC + 3 * day, MONDAY_UTC + 3 * day + timedelta(hours=2)),
            _order(3, MONDAY_UTC + 9 * day, MONDAY_UTC + 9 * day + timedelta(hours=3), cancelled=True),
        ]
    )
    for column in ("created_at_utc", "updated_at_utc", "cancelled_at_utc"):
        orders[column] = pd.to_datetime(orders[column]).astype("datetime64[s]")
    lines = pd.DataFrame(
        [
            {"order_id": str(9000 + n), "line_no": 1, "sku": "SKU-1", "product_id": "P001", "quantity": 1}
            for n in (1, 2, 3)
        ]
    )
    return {**tiny_company(), "orders": orders, "order_lines": lines}


def _load(instance: dg.DagsterInstance, resources: dict, week: date) -> dict[str, dict[str, object]]:
    result = dg.materialize([shopify_orders], partition_key=week.isoformat(), resources=resources, instance=instance)
    assert result.success
    return {
        event.asset_key.path[-1]: {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


def _statuses(path: str) -> dict[str, str]:
    with duckdb.connect(path, read_only=True) as con:
        rows = con.execute("select order_gid, financial_status, week_start from raw.shopify_orders").fetchall()
    return {f"{gid.rsplit('/', 1)[1]}@{week}": status for gid, status, week in rows}


def test_a_refund_of_last_weeks_order_flags_that_week_and_the_sensor_rescores_it(tmp_path):
    with SandboxServer(_shop()) as server, dg.instance_for_test() as instance:
        warehouse = str(tmp_path / "warehouse.duckdb")
        resources = {
            "shopify": ShopifyResource(
                base_url=server.shopify_url, access_token=server.credentials.shopify_access_token
            ),
            "warehouse": WarehouseResource(path=warehouse),
        }
        sensor = dg.build_sensor_context(instance=instance)
        assert [i for i in late_data_sensor(sensor) if isinstance(i, dg.RunRequest)] == []  # starts its cursor

        first = _load(instance, resources, WEEK)
        assert first["shopify_orders"][LATE_WEEKS] == []  # the week's own orders are not late
        assert _statuses(warehouse) == {f"9001@{WEEK}": "PAID", f"9002@{WEEK}": "PAID"}  # paid when week 1 closed

        second = _load(instance, resources, NEXT)
        assert second["shopify_orders"][LATE_WEEKS] == [WEEK.isoformat()]  # 9001 refunded: week 1 must be redone
        assert _statuses(warehouse)[f"9001@{NEXT}"] == "REFUNDED"  # (9003 was placed and cancelled in week 2)

        sensor = dg.build_sensor_context(instance=instance, cursor=sensor.cursor)
        requests = [i for i in late_data_sensor(sensor) if isinstance(i, dg.RunRequest)]
        assert [r.partition_key for r in requests] == [WEEK.isoformat()]


def _raw_order(n: int, created: str, status: str = "PAID", total: str = "199.00") -> dict[str, object]:
    return {
        "order_gid": f"gid://shopify/Order/{n}",
        "name": f"#{n}",
        "created_at": created,
        "updated_at": "2026-03-10T02:00:00Z",
        "financial_status": status,
        "cancelled_at": None,
        "customer_gid": None,
        "total_amount": total,
        "currency": "CNY",
        "_source_ref": f"test#{n}",
    }


def test_only_changes_to_earlier_weeks_orders_are_late(tmp_path):
    warehouse = str(tmp_path / "warehouse.duckdb")
    week_1 = pd.DataFrame([_raw_order(1, "2026-03-03T02:00:00Z"), _raw_order(2, "2026-03-04T02:00:00Z")])
    with connect(warehouse) as con:
        replace_week(con, "shopify_orders", WEEK, week_1, "shopify")

    def late(*orders: dict[str, object]) -> list[str]:
        return late_order_weeks(warehouse, NEXT, pd.DataFrame(list(orders)), "Asia/Shanghai")

    assert late(_raw_order(1, "2026-03-03T02:00:00Z")) == []  # re-read unchanged: nothing to redo
    assert late(_raw_order(1, "2026-03-03T02:00:00Z", "REFUNDED")) == [WEEK.isoformat()]
    assert late(_raw_order(2, "2026-03-04T02:00:00Z", "PARTIALLY_REFUNDED", "99.00")) == [WEEK.isoformat()]
    assert late(_raw_order(3, "2026-03-10T02:00:00Z", "REFUNDED")) == []  # refunded in its own week
    # Sunday 23:30 in Shanghai is still the earlier week, though it is Sunday 15:30 UTC
    assert late(_raw_order(4, "2026-03-08T15:30:00Z")) == [WEEK.isoformat()]
    assert late(
        _raw_order(5, "2026-02-24T02:00:00Z", "REFUNDED"), _raw_order(1, "2026-03-03T02:00:00Z", "REFUNDED")
    ) == [
        "2026-02-23",
        WEEK.isoformat(),
    ]


# --- rescoring the week after its payroll was released ------------------------------------------------------------


def _two_designers(path: Path) -> Path:
    """The plan warehouse's week with a second designer (E7) on project PRJ1, so credit can move between them."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "insert into marts.dim_employee values ('E7', '孙悦', 'P007', 'designer', 3000, date '2025-01-06', null,"
            " 'T1', 'D1', null)"
        )
        con.execute(
            "insert into marts.fct_creative_performance_weekly values (?, 'E7', 'C2', 8000, 240, 40, 120, 1500,"
            " 30, 0.2, 4)",
            [WEEK],
        )
        con.execute(
            "insert into marts.fct_project_contribution_weekly values (?, 'PRJ1', 'E7', 'designer', 30)", [WEEK]
        )
    return path


def _refund_one_order_of_e5(path: Path) -> None:
    """What the rebuilt marts of the week show once E5's creative loses one credited order to a refund."""
    with duckdb.connect(str(path)) as con:
        con.execute("update marts.fct_creative_performance_weekly set credited_orders = 44 where creative_id = 'C1'")
        con.execute(
            "update marts.fct_project_contribution_weekly set credited_orders = 44 where employee_id in ('E5', 'E6')"
        )
        con.execute("update marts.fct_department_conversion_weekly set conversion_rate = 0.0245")


def _score(path: Path, plan) -> dict[tuple[str, str], Decimal]:
    with duckdb.connect(str(path)) as con:
        scores = score_week_from_marts(con, WEEK, plan, "Asia/Shanghai", activity_points=False)
        for table, records in scores.records().items():
            write_scores(con, table, WEEK, records, plan)
    return {(line.employee_id, line.component_code): line.amount for line in scores.lines}


def _draft(path: Path, plan, targets, ledger: PayrollLedger):
    with duckdb.connect(str(path), read_only=True) as con:
        (draft,) = draft_week(con, WEEK, plan, targets, ledger, load_settings().payroll_drafts_dir)
    return draft


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HRHUB_HOME", str(tmp_path))
    return tmp_path


def test_a_refund_after_release_is_paid_back_by_negative_adjustment_lines(home):
    plan = load_plan(DEFAULT_PLAN_PATH)
    settings = load_settings()
    config = yaml.safe_load(settings.exports_config_path.read_text(encoding="utf-8"))
    targets = {"weekly_csv": load_targets(config["payroll_targets"])["weekly_csv"]}
    ledger = PayrollLedger(settings.payroll_ledger_path)
    warehouse = _two_designers(build_marts(home / "w.duckdb", weeks=(WEEK,)))
    codes = plan.payroll.components
    joint, pool = codes.joint_incentive, codes.project_pool_share

    before = _score(warehouse, plan)
    full = _draft(warehouse, plan, targets, ledger)
    assert full.export is not None and (full.export.manifest.kind or "full") == "full"
    approve_and_release("weekly_csv", full.pay_period, "alice")

    _refund_one_order_of_e5(warehouse)
    after = _score(warehouse, plan)
    adjustment = _draft(warehouse, plan, targets, ledger)

    assert adjustment.export is not None and adjustment.export.manifest.kind == "adjustment"
    deltas = {(line.employee_id, line.component_code): line.amount for line in adjustment.export.lines}
    assert after[("E5", joint)] < before[("E5", joint)] and after[("E5", pool)] < before[("E5", pool)]
    assert deltas[("E5", joint)] == after[("E5", joint)] - before[("E5", joint)] < 0
    assert deltas[("E5", pool)] == after[("E5", pool)] - before[("E5", pool)] < 0
    assert deltas[("E6", joint)] < 0  # the operator's department conversion fell too
    assert deltas[("E7", pool)] == -deltas[("E5", pool)]  # the pool (finance's profit) is unchanged: credit moved
    # what was paid plus the adjustment is exactly what is owed now: nothing paid twice, nothing silently kept
    for key, owed in after.items():
        assert before.get(key, Decimal(0)) + deltas.get(key, Decimal(0)) == owed, key
    assert set(deltas) <= set(after) | set(before)

    approve_and_release("weekly_csv", adjustment.pay_period, "alice")
    assert _draft(warehouse, plan, targets, ledger).export is None  # the difference is paid once


def test_the_sandbox_sample_has_late_refunds_of_earlier_weeks_orders(tmp_path):
    tables = generate_sample(SampleConfig(seed=2, employees=40, weeks=2, start_week=WEEK))
    with SandboxServer(tables) as server:
        client = ShopifyResource(base_url=server.shopify_url, access_token=server.credentials.shopify_access_token)
        week_1, week_2 = (client.client().fetch_week(week, "Asia/Shanghai")["shopify_orders"] for week in (WEEK, NEXT))
    paid_then = set(week_1.loc[week_1["financial_status"] == "PAID", "order_gid"])
    refunded_later = set(week_2.loc[week_2["financial_status"] == "REFUNDED", "order_gid"]) & paid_then
    assert refunded_later  # paid when week 1 was loaded, refunded in week 2's load
    warehouse = str(tmp_path / "warehouse.duckdb")
    with connect(warehouse) as con:
        replace_week(con, "shopify_orders", WEEK, week_1, "shopify")
    assert late_order_weeks(warehouse, NEXT, week_2, "Asia/Shanghai") == [WEEK.isoformat()]
