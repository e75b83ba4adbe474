"""Bad e-commerce input reaches the contribution marts as a flag or a listed row with a reason, never a wrong sum.

The fixture of test_contribution_dashboard.py (see ``raw_fixture.write_contribution_tables``) with more bad rows
planted here, all in W1 or on ids the W2 assertions do not read, so their numbers stay the dashboard test's:
orders 5510 (PAID, 80.00 CNY) and 5511 (REFUNDED) came back from Shopify without line items; project PRJ2 reports
in USD and has product P3 (Shopify 79, operator E001); designer E002 has C6 on P2 (PRJ1, CNY, 5 W1 clicks, taken
down before W2) and C7 on P3 (4 W1 clicks), credited W1 orders 5513 (30.00 CNY on P2) and 5512 (40.00 USD on P3);
GA4 reports unregistered creative C9 and a 生意参谋 page reports unregistered creative T9.
Already covered elsewhere: zero-click CTR is null and refunded/cancelled orders earn no creative credit
(test_dbt_build.py); bad contributions and targets are rejected by scoring (tests/scoring/test_joint_incentive.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from connectors.files.schemas import raw_frame
from connectors.warehouse import connect, replace_week
from tests.dbt import raw_fixture
from tests.dbt.runner import failures, run_dbt
from tests.dbt.test_contribution_dashboard import DBT_VARS, NEW_MODELS

pytestmark = pytest.mark.trust("bad input", "dbt: commerce marts")

W1, W2 = date(2026, 2, 23), date(2026, 3, 2)


def _order(number: int, day: str, status: str = "PAID", amount: str = "100.00", currency: str = "CNY") -> dict:
    return raw_fixture.order_row(number, f"{day}T04:00:00Z", number, status, amount=amount, currency=currency)


def _with_rows(frame: pd.DataFrame, rows: list[dict[str, object]]) -> pd.DataFrame:
    """The fixture table plus ``rows``, renumbered as one file (its source refs stay unique)."""
    source_file = str(frame["_source_ref"].iloc[0]).rsplit(":", 1)[0]
    records = frame.drop(columns="_source_ref").to_dict("records")
    return raw_fixture._frame(source_file, [*records, *rows])


PLANTED: dict[str, list[dict[str, object]]] = {
    "shopify_orders": [
        _order(10, "2026-02-26", amount="80.00"),  # no line items
        _order(11, "2026-02-26", status="REFUNDED"),  # no line items
        _order(12, "2026-02-25", amount="40.00", currency="USD"),
        _order(13, "2026-02-25", amount="30.00"),
    ],
    "shopify_order_lines": [
        {
            "order_gid": f"gid://shopify/Order/{5500 + order}",
            "line_no": line,
            "sku": f"SKU-{product}",
            "quantity": 1,
            "product_gid": f"gid://shopify/Product/{product}",
        }
        for line, order, product in [(11, 12, 79), (12, 13, 78)]
    ],
    "product_registry": [
        {
            "product_id": "P3",
            "shopify_product_id": "79",
            "page_path": "/products/three",
            "project_id": "PRJ2",
            "operator_id": "E001",
        }
    ],
    "creative_registry": [
        {
            "creative_id": creative,
            "product_id": product,
            "designer_id": "E002",
            "live_from": "2026-02-01",
            "live_to": live_to,
            "operator_rating": "3",
        }
        for creative, product, live_to in [("C6", "P2", "2026-03-01"), ("C7", "P3", None)]
    ],
    "ga4_creative_daily": [
        {
            "report_date": "20260224",
            "creative_name": creative,
            "items_viewed_in_promotion": "100",
            "items_clicked_in_promotion": clicks,
        }
        for creative, clicks in [("C6", "5"), ("C7", "4"), ("C9", "1")]
    ],
    "project_pnl": [
        {
            "project_id": "PRJ2",
            "week_start_reported": "2026-03-02",
            "revenue": "40.00",
            "cost": "10.00",
            "ad_spend": "0.00",
            "currency": "USD",
        }
    ],
}
TAOBAO_PAGES = [
    {"stat_date": "2026-03-03", "period_start": "2026-03-03", "period_end": "2026-03-03", "page_id": "880000009",
     "page_name": "T9 海报", "page_type": "自定义页", "page_views": "300", "visitors": "200", "clicks": "12",
     "_source_ref": "taobao_page_metrics.xlsx:2"}
]  # fmt: skip


def planted_warehouse(work_dir: Path) -> Path:
    """The contribution fixture plus the planted rows, with the marts, the unmapped-id finding and their tests."""
    database = work_dir / "warehouse.duckdb"
    raw_fixture.write_contribution_tables(database)
    with connect(database) as con:
        for table, source, frame in raw_fixture._contribution_tables():
            if table in PLANTED:
                replace_week(con, table, raw_fixture.FIXTURE_WEEK, _with_rows(frame, PLANTED[table]), source)
        pages = raw_frame("taobao_page_metrics", TAOBAO_PAGES)
        replace_week(con, "taobao_page_metrics", raw_fixture.FIXTURE_WEEK, pages, "inbox")
    models = [*NEW_MODELS, "int_unmapped_source_ids"]
    selection = [*(f"+{model}" for model in models), "+dim_employee"]
    assert failures(run_dbt(["run", "--select", *selection], database, work_dir, DBT_VARS)) == []
    tested = [*models, "int_orders_credited_to_creatives"]
    assert failures(run_dbt(["test", "--select", *tested], database, work_dir, DBT_VARS)) == []
    return database


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planted_warehouse(tmp_path_factory.mktemp("commerce_bad_input"))


def query(database: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_order_line_is_credited_unattributed_or_excluded_with_a_reason(database: Path) -> None:
    rows_in = query(database, "select count(*) from intermediate.int_order_lines_joined_to_products")
    by_status = query(
        database,
        "select attribution_status, reason, count(*) from marts.rpt_order_attribution group by 1, 2 order by 1, 2",
    )
    assert rows_in == [(12,)]  # 5510 and 5511 have no line
    assert by_status == [
        ("credited", None, 9),
        ("excluded", "cancelled", 1),
        ("excluded", "refunded", 2),
        ("unattributed", "no_line_items", 1),
        ("unattributed", "unknown_product", 1),
    ]
    unmapped = query(
        database,
        "select order_id, shopify_product_id, product_id, credited_share from marts.rpt_order_attribution "
        "where attribution_status = 'unattributed' order by order_id",
    )
    assert unmapped == [("5507", "99", None, Decimal("0.000000")), ("5510", None, None, Decimal("0.000000"))]


def test_an_order_without_line_items_is_listed_not_lost(database: Path) -> None:
    listed = query(
        database,
        "select order_id, week_start, attribution_status, reason, shopify_product_id, product_id, project_id, "
        "order_product_share, allocated_amount, amount_in_project_currency, currency_flag "
        "from marts.rpt_order_attribution where order_id in ('5510', '5511') order by order_id",
    )
    assert listed == [
        ("5510", W1, "unattributed", "no_line_items", None, None, None, Decimal("1.000000"), Decimal("80.00"), None,
         "unknown_currency"),
        ("5511", W1, "excluded", "refunded", None, None, None, Decimal("1.000000"), Decimal("100.00"), None,
         "unknown_currency"),
    ]  # fmt: skip
    # Orders in = orders listed: each order's rows are credited, unattributed or excluded, and its shares add up to 1.
    orders_in = query(database, "select order_id from intermediate.int_orders_deduplicated order by order_id")
    per_order = query(
        database,
        "select order_id, sum(order_product_share), "
        "sum(case when attribution_status in ('credited', 'unattributed', 'excluded') then 1 else 0 end), count(*) "
        "from marts.rpt_order_attribution group by order_id order by order_id",
    )
    assert [order for order, *_ in per_order] == [order for (order,) in orders_in]
    assert len(orders_in) == 13
    assert all(share == Decimal("1.000000") and classified == rows for _, share, classified, rows in per_order)
    rows = query(database, "select count(*) from marts.rpt_order_attribution")
    assert rows == [(12 + 2,)]  # the order lines + one row per order without line items
    # No creative takes either of them.
    credited = query(
        database,
        "select count(*) from intermediate.int_orders_credited_to_creatives where order_id in ('5510', '5511')",
    )
    assert credited == [(0,)]


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
        order: Decimal("1.000000") for order in ("5501", "5502", "5503", "5504", "5507", "5508", "5509", "5512", "5513")
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
        "from marts.rpt_order_attribution where currency_flag is not null and shopify_product_id is not null "
        "order by order_id",
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


def test_an_unregistered_creative_is_reported_under_the_source_that_sent_it(database: Path) -> None:
    unmapped = query(
        database,
        "select source_system, external_id, week_start, record_count from intermediate.int_unmapped_source_ids "
        "where external_id in ('C9', 'T9') order by external_id",
    )
    assert unmapped == [("ga4", "C9", W1, 1), ("taobao", "T9", W2, 1)]


def test_revenue_in_two_currencies_is_not_summed(database: Path) -> None:
    rows = query(
        database,
        "select role, employee_id, week_start, orders, revenue, revenue_currency, has_mixed_currencies "
        "from marts.rpt_contribution_dashboard_weekly "
        "where (employee_id, week_start) in (('E002', ?), ('E003', ?), ('E004', ?), ('E001', ?)) order by 1, 2",
        [W1, W2, W2, W1],
    )
    assert rows == [
        # E002 earned 5513 (30.00 CNY, PRJ1) through C6 and 5512 (40.00 USD, PRJ2) through C7: no single sum.
        ("designer", "E002", W1, Decimal("2.000000"), None, None, True),
        # 5503 75 + 5504 75 + 100 + 5509 100, all CNY (5508's USD on a CNY project is left out, as before).
        ("designer", "E003", W2, Decimal("3.375000"), Decimal("350.00"), "CNY", False),
        ("operator", "E001", W1, Decimal("1.000000"), Decimal("40.00"), "USD", False),
        ("operator", "E004", W2, Decimal("2.500000"), Decimal("200.00"), "CNY", False),
    ]
