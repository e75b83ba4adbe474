"""The designer / operator contribution dashboard (seed 004): hand-computed numbers on a two-week fixture.

The fixture is ``raw_fixture.write_contribution_tables`` (its comment lists every row). W1 = 2026-02-23 and
W2 = 2026-03-02. Crediting: W2 clicks on P1 are C1 60 / C2 20, so P1's orders split 3:1; C3 is P2's only live
creative; order 5504 is on P1 and P2, so each product carries half of it.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt import raw_fixture
from tests.dbt.runner import failures, run_dbt

W1, W2 = date(2026, 2, 23), date(2026, 3, 2)
DBT_VARS = {"week_start": "2026-02-23", "week_end": "2026-03-09", "plan_version": "2026.1-test"}
NEW_MODELS = ["rpt_order_attribution", "rpt_creative_contribution_weekly", "rpt_contribution_dashboard_weekly"]


@functools.cache
def contribution_warehouse(base_temp: Path) -> Path:
    """Load the fixture, run only the dashboard models and their parents, then the new models' data tests.

    Cached per pytest run: test_commerce_bad_input.py reads the same (read-only) warehouse.
    """
    work_dir = base_temp / "contribution_dashboard"
    work_dir.mkdir()
    database = work_dir / "warehouse.duckdb"
    raw_fixture.write_contribution_tables(database)
    parents = [f"+{model}" for model in NEW_MODELS]
    assert failures(run_dbt(["run", "--select", *parents, "+dim_employee"], database, work_dir, DBT_VARS)) == []
    tested = [*NEW_MODELS, "int_orders_credited_to_creatives"]
    assert failures(run_dbt(["test", "--select", *tested], database, work_dir, DBT_VARS)) == []
    return database


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return contribution_warehouse(tmp_path_factory.getbasetemp())


def dashboard(database: Path, columns: str) -> dict[tuple[str, str, date], tuple]:
    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            f"select role, employee_id, week_start, {columns} from marts.rpt_contribution_dashboard_weekly"
        ).fetchall()
    return {(role, employee, week): tuple(values) for role, employee, week, *values in rows}


def test_one_row_per_person_week_and_role(database: Path) -> None:
    assert sorted(dashboard(database, "1")) == [
        ("designer", "E003", W1),
        ("designer", "E003", W2),
        ("designer", "E006", W1),
        ("designer", "E006", W2),
        ("operator", "E004", W1),
        ("operator", "E004", W2),
        ("operator", "E005", W1),
        ("operator", "E005", W2),
    ]


def test_designer_sees_clicks_to_credited_orders(database: Path) -> None:
    rows = dashboard(
        database,
        "impressions, clicks, ctr, orders, conversion_rate, favorites, order_rate, repurchase_rate, "
        "product_order_share, revenue, foreign_currency_orders",
    )
    # E003 in W2: C1 (1000 impressions, 60 clicks) + C3 (400, 8). C1 earns 3/4 of P1's orders 5503, 5508 and half
    # of 5504 (0.75 + 0.75 + 0.375); C3 all of P2's 5509 and half of 5504 (1 + 0.5): 3.375 orders from 68 clicks.
    # P1 + P2 pages: 200 + 0 sessions, 4 wishlist adds, 3 + 2 valid orders (one by a returning customer);
    # P1 + P2 carry 2.5 + 1.5 orders, E003 earned 3.375 of them. Money: 5503 75 + 5504 (P1) 75 + 5504 (P2) 100 +
    # 5509 100 CNY; 5508 is in USD, so it is counted, not summed.
    assert rows[("designer", "E003", W2)] == (
        1400,
        68,
        Decimal("0.048571"),
        Decimal("3.375000"),
        Decimal("0.049632"),
        4,
        Decimal("0.025000"),
        Decimal("0.200000"),
        Decimal("0.843750"),
        Decimal("350.00"),
        1,
    )
    # E006 in W2: C2 (1000, 20 clicks) earns a quarter of P1's 2.5 orders; C5 is on no page and adds nothing.
    assert rows[("designer", "E006", W2)][:5] == (
        1000,
        20,
        Decimal("0.020000"),
        Decimal("0.625000"),
        Decimal("0.031250"),
    )
    assert rows[("designer", "E006", W2)][8:] == (Decimal("0.250000"), Decimal("50.00"), 1)


def test_operator_conversion_against_the_department(database: Path) -> None:
    rows = dashboard(
        database, "sessions, orders, conversion_rate, department_conversion_rate, conversion_vs_department, clicks"
    )
    # Department W2: 5 valid orders (5503, 5504, 5507, 5508, 5509) / 200 sessions = 2.5%.
    # E004 runs P1: 200 sessions, 5503 + half of 5504 + 5508 = 2.5 orders -> 1.25%, 1.25 points below.
    assert rows[("operator", "E004", W2)] == (
        200,
        Decimal("2.500000"),
        Decimal("0.012500"),
        Decimal("0.025000"),
        Decimal("-0.012500"),
        80,
    )
    # W1: 2 orders / 100 sessions = 2% against the department's 2 / 150.
    assert rows[("operator", "E004", W1)] == (
        100,
        Decimal("2.000000"),
        Decimal("0.020000"),
        Decimal("0.013333"),
        Decimal("0.006667"),
        40,
    )


def test_week_over_week_change(database: Path) -> None:
    rows = dashboard(
        database, "previous_orders, orders_wow_change, previous_conversion_rate, conversion_rate_wow_change"
    )
    # E003 W1: C1 earned 3/4 of orders 5501 and 5502 (30 of 40 clicks) = 1.5 orders from 30 clicks (5%).
    assert rows[("designer", "E003", W2)] == (
        Decimal("1.500000"),
        Decimal("1.875000"),
        Decimal("0.050000"),
        Decimal("-0.000368"),  # 3.375 / 68 - 0.05
    )
    assert rows[("operator", "E004", W2)] == (
        Decimal("2.000000"),
        Decimal("0.500000"),
        Decimal("0.020000"),
        Decimal("-0.007500"),
    )
    assert rows[("designer", "E003", W1)] == (None, None, None, None)  # no week before


def test_creative_drill_down_shares_add_up_per_product(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            "select creative_id, credited_orders, orders_per_click, product_order_share, credited_revenue "
            "from marts.rpt_creative_contribution_weekly where week_start = ? order by creative_id",
            [W2],
        ).fetchall()
    assert rows == [
        ("C1", Decimal("1.875000"), Decimal("0.031250"), Decimal("0.750000"), Decimal("150.00")),
        ("C2", Decimal("0.625000"), Decimal("0.031250"), Decimal("0.250000"), Decimal("50.00")),
        ("C3", Decimal("1.500000"), Decimal("0.187500"), Decimal("1.000000"), Decimal("200.00")),
        ("C5", Decimal("0.000000"), None, None, None),
    ]
