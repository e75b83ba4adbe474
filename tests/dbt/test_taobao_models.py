"""生意参谋 (Taobao) exports through the file connector and dbt into the weekly creative performance mart.

On top of ``raw_fixture`` (GA4 reports P1 /products/aurora-tee and P2 /products/borealis-mug, creatives C1-C4):

- P3 is a Taobao-only product (registered, its creative C6 live since 03-01); its item 600000000003 had 1,200
  visitors at 30.5 s and 800 at 40 s (68,600 s), 24 + 8 favourites, and its designed page "C6 详情海报" 5,000 views
  and 150 clicks;
- Taobao also reports P2's item (70 visitors, 20 s, 3 favourites) and C3's page (200 views, 10 clicks): for those
  page-weeks and creative-weeks the 生意参谋 numbers replace GA4's, so nothing is counted twice;
- an item without 商家编码 lands on its own Taobao page path; a row with a negative count is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult

from connectors.files import read_inbox_week
from connectors.warehouse import connect, replace_week
from tests.connectors.test_files_taobao import ITEM_HEADER, PAGE_HEADER, sycm_xlsx
from tests.dbt import raw_fixture
from tests.dbt.runner import failures, run_dbt

WEEK = raw_fixture.FIXTURE_WEEK
DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-09", "plan_version": "2026.1-test"}
MARTS = ["fct_creative_performance_weekly", "fct_department_conversion_weekly"]
STAGING = ["stg_taobao__item_metrics", "stg_taobao__page_metrics"]
ITEM_ROWS = [
    ["2026-03-02", "600000000003", "Panda Lamp", "P3", "1,200", "2,400", "30.5", "24"],
    ["2026-03-03", "600000000003", "Panda Lamp", "P3", "800", "1,000", "40", "8"],
    ["2026-03-03", "600000000078", "Borealis Mug", "P2", "70", "90", "20", "3"],
    ["2026-03-04", "600000000999", "Unlisted", "", "5", "6", "10", "0"],
    ["2026-03-04", "600000000003", "Panda Lamp", "P3", "-3", "6", "10", "0"],  # quarantined
]
PAGE_ROWS = [
    ["2026-03-02", "880000006", "C6 详情海报", "自定义页", "5,000", "4,000", "150", "3.00%"],
    ["2026-03-03", "880000003", "C3 海报", "自定义页", "200", "150", "10", "5.00%"],
]


@dataclass(frozen=True)
class Build:
    database: Path
    result: dbtRunnerResult
    loaded: int
    quarantined: int


def _registries() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The fixture's registries plus P3 (sold on Taobao only) and its creative C6."""
    p3 = {"product_id": "P3", "shopify_product_id": "79", "page_path": "/item.htm?id=600000000003"}
    products = [*raw_fixture._products(), {**p3, "project_id": "PRJ1", "operator_id": "E004"}]
    c6 = {"creative_id": "C6", "product_id": "P3", "designer_id": "E003", "live_from": "2026-03-01"}
    creatives = [*raw_fixture._creatives(), {**c6, "live_to": None, "operator_rating": "4"}]
    return products, creatives


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    work_dir = tmp_path_factory.mktemp("taobao")
    database, inbox = work_dir / "warehouse.duckdb", work_dir / "inbox"
    raw_fixture.write_raw_tables(database)
    sycm_xlsx(inbox / WEEK.isoformat() / "taobao_item_metrics.xlsx", ITEM_HEADER, ITEM_ROWS)
    sycm_xlsx(inbox / WEEK.isoformat() / "taobao_page_metrics.xlsx", PAGE_HEADER, PAGE_ROWS)
    frames = read_inbox_week(inbox, WEEK)
    products, creatives = _registries()
    with connect(database) as con:
        replace_week(con, "product_registry", WEEK, raw_fixture._frame("product_registry.csv", products), "inbox")
        replace_week(con, "creative_registry", WEEK, raw_fixture._frame("creative_registry.csv", creatives), "inbox")
        for table in raw_fixture.TAOBAO_TABLES:
            replace_week(con, table, WEEK, frames[table], "inbox")
    selection = " ".join([*(f"+{model}" for model in MARTS), *STAGING])
    result = run_dbt(["build", "--select", selection, "--indirect-selection", "cautious"], database, work_dir, DBT_VARS)
    loaded = len(frames["taobao_item_metrics"]) + len(frames["taobao_page_metrics"])
    yield Build(database, result, loaded, len(frames["quarantine"]))


def query(build: Build, sql: str) -> list[tuple]:
    with duckdb.connect(str(build.database)) as con:
        return con.execute(sql).fetchall()


def test_the_models_build_and_the_taobao_data_tests_pass(build: Build) -> None:
    assert build.result.success, failures(build.result)
    tested = {m for r in build.result.result.results for m in STAGING if r.node.resource_type == "test"
              and m in r.node.unique_id}  # fmt: skip
    assert tested == set(STAGING)


def test_every_export_row_is_loaded_or_quarantined(build: Build) -> None:
    assert (build.loaded, build.quarantined) == (len(ITEM_ROWS) + len(PAGE_ROWS) - 1, 1)
    staged = query(build, "select (select count(*) from staging.stg_taobao__item_metrics)"
                          " + (select count(*) from staging.stg_taobao__page_metrics)")  # fmt: skip
    assert staged == [(build.loaded,)]


def test_a_taobao_only_creative_gets_its_sycm_page_and_item_metrics(build: Build) -> None:
    rows = query(
        build,
        "select product_id, impressions, clicks, ctr, sessions, engagement_seconds, avg_dwell_seconds, favorites,"
        " favorites_rate from marts.fct_creative_performance_weekly"
        " where creative_id = 'C6' and week_start = date '2026-03-02'",
    )

    assert rows == [("P3", 5000, 150, Decimal("0.030000"), 2000, 68600, Decimal("34.3000"), 32, Decimal("0.016000"))]


def test_sycm_numbers_replace_ga4_for_the_same_page_or_creative_and_week(build: Build) -> None:
    rows = query(
        build,
        "select creative_id, impressions, clicks, sessions, engagement_seconds, favorites"
        " from marts.fct_creative_performance_weekly where week_start = date '2026-03-02'"
        " and creative_id in ('C1', 'C3') order by creative_id",
    )

    assert rows == [
        ("C1", 1000, 30, 100, 4000, 2),  # GA4 only
        ("C3", 200, 10, 70, 1400, 3),  # 生意参谋 instead of GA4's 300 / 0 and 50 sessions
    ]
    sources = query(build, "select page_path, source, sessions from intermediate.int_page_metrics_aggregated_to_weeks"
                           " order by page_path")  # fmt: skip
    assert sources == [
        ("/item.htm?id=600000000003", "taobao", 2000),
        ("/item.htm?id=600000000999", "taobao", 5),  # no 商家编码: its own Taobao page
        ("/products/aurora-tee", "ga4", 100),
        ("/products/borealis-mug", "taobao", 70),
    ]
    creative_sources = query(build, "select creative_id, source from intermediate."
                                    "int_creative_metrics_aggregated_to_weeks order by creative_id")  # fmt: skip
    assert creative_sources == [("C1", "ga4"), ("C2", "ga4"), ("C3", "taobao"), ("C6", "taobao"), ("C9", "ga4")]


def test_department_sessions_count_each_visit_once(build: Build) -> None:
    assert query(build, "select sessions from marts.fct_department_conversion_weekly") == [(100 + 2000 + 70 + 5,)]
