"""Bad e-commerce input reaches the contribution marts as a flag or a listed row with a reason, never a wrong sum.

Same fixture and warehouse as test_contribution_dashboard.py (see ``raw_fixture.write_contribution_tables``).
Already covered elsewhere: zero-click CTR is null and refunded/cancelled orders earn no creative credit
(test_dbt_build.py); bad contributions and targets are rejected by scoring (tests/scoring/test_joint_incentive.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt.test_contribution_dashboard import contribution_warehouse

pytestmark = pytest.mark.trust("bad input", "dbt: commerce marts")

W2 = date(2026, 3, 2)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return contribution_warehouse(tmp_path_factory.getbasetemp())


def query(database: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_order_line_is_credited_unattributed_or_excluded_with_a_reason(database: Path) -> None:
    rows_in = query(database, "select count(*) from intermediate.int_order_lines_joined_to_products")
    by_status = query(
        database,
        "select attribution_status, reason, count(*) from marts.rpt_order_attribution group by 1, 2 order by 1, 2",
    )
    assert rows_in == [(10,)]
    assert by_status == [
        ("credited", None, 7),
        ("excluded", "cancelled", 1),
        ("excluded", "refunded", 1),
        ("unattributed", "unknown_product", 1),
    ]
    unmapped = query(
        database,
        "select order_id, shopify_product_id, product_id, credited_share from marts.rpt_order_attribution "
        "where attribution_status = 'unattributed'",
    )
    assert unmapped == [("5507", "99", None, Decimal("0.000000"))]


def test_refunded_and_cancelled_orders_are_not_credited(database: Path) -> None:
    credited = query(
        database,
        "select count(*) from intermediate.int_orders_credited_to_creatives where order_id in ('5505', '5506')",
    )
    assert credited == [(0,)]
    # The department counts them out too: W2 has 5 valid orders of the 7 placed.
    assert query(database, "select orders from marts.fct_department_conversion_weekly where week_start = ?", [W2]) == [
        (5,)
    ]


def test_an_order_on_two_pages_is_credited_once(database: Path) -> None:
    shares = query(
        database,
        "select order_id, sum(order_credit_share) from intermediate.int_orders_credited_to_creatives "
        "group by order_id order by order_id",
    )
    assert {order: share for order, share in shares} == {
        order: Decimal("1.000000") for order in ("5501", "5502", "5503", "5504", "5507", "5508", "5509")
    }
    order_5504 = query(
        database,
        "select shopify_product_id, creative_id, order_credit_share from intermediate.int_orders_credited_to_creatives "
        "where order_id = '5504' order by 1, 2",
    )
    assert order_5504 == [
        ("77", "C1", Decimal("0.375000")),
        ("77", "C2", Decimal("0.125000")),
        ("78", "C3", Decimal("0.500000")),
    ]
    # The operators of P1 and P2 share it too: 2.5 + 1.5 = the 4 credited W2 orders on registered products.
    operators = query(
        database,
        "select sum(orders) from marts.rpt_contribution_dashboard_weekly where role = 'operator' and week_start = ?",
        [W2],
    )
    assert operators == [(Decimal("4.000000"),)]


def test_an_order_in_another_currency_is_flagged_and_not_summed(database: Path) -> None:
    flagged = query(
        database,
        "select order_id, currency, project_currency, currency_flag, allocated_amount, amount_in_project_currency "
        "from marts.rpt_order_attribution where currency_flag is not null order by order_id",
    )
    assert flagged == [
        ("5507", "CNY", None, "unknown_currency", Decimal("100.00"), None),  # unregistered product: no project
        ("5508", "USD", "CNY", "currency_mismatch", Decimal("50.00"), None),
    ]
    # P1's W2 money is 5503 (100) + half of 5504 (100) in CNY; the USD 50 of 5508 is counted, not added.
    operator = query(
        database,
        "select orders, revenue, foreign_currency_orders from marts.rpt_contribution_dashboard_weekly "
        "where employee_id = 'E004' and week_start = ?",
        [W2],
    )
    assert operator == [(Decimal("2.500000"), Decimal("200.00"), 1)]


def test_zero_sessions_give_null_rates_and_a_flag(database: Path) -> None:
    operator = query(
        database,
        "select sessions, orders, conversion_rate, conversion_vs_department, has_zero_sessions, zero_session_products "
        "from marts.rpt_contribution_dashboard_weekly where employee_id = 'E005' and week_start = ?",
        [W2],
    )
    assert operator == [(0, Decimal("1.500000"), None, None, True, 1)]
    creative = query(
        database,
        "select sessions, order_rate, favorites_rate, has_zero_sessions from marts.rpt_creative_contribution_weekly "
        "where creative_id = 'C3' and week_start = ?",
        [W2],
    )
    assert creative == [(0, None, None, True)]
    # E003's other product had sessions: the person's rates stay, the product is counted as zero-session.
    designer = query(
        database,
        "select has_zero_sessions, zero_session_products from marts.rpt_contribution_dashboard_weekly "
        "where employee_id = 'E003' and role = 'designer' and week_start = ?",
        [W2],
    )
    assert designer == [(False, 1)]


def test_a_creative_live_on_no_page_shows_with_zero_clicks_and_a_flag(database: Path) -> None:
    creative = query(
        database,
        "select week_start, clicks, ctr, credited_orders, orders_per_click, is_live_on_no_page, has_no_clicks "
        "from marts.rpt_creative_contribution_weekly where creative_id = 'C5' order by week_start",
    )
    assert creative == [
        (date(2026, 2, 23), 0, None, Decimal("0.000000"), None, True, True),
        (W2, 0, None, Decimal("0.000000"), None, True, True),
    ]
    designer = query(
        database,
        "select creative_count, creatives_on_no_page, product_count from marts.rpt_contribution_dashboard_weekly "
        "where employee_id = 'E006' and week_start = ?",
        [W2],
    )
    assert designer == [(2, 1, 1)]
