"""The OKR goal tree and weekly key-result progress: raw snapshot versions (tests/dbt/okr_fixture.py) -> staging ->
``int_okr_key_results_weekly`` -> ``dim_goal_objectives`` and ``fct_okr_key_results_weekly``, with the tree test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.feishu.okr import OBJECTIVE_DTYPES
from connectors.http import records_frame
from connectors.warehouse import connect, replace_week
from tests.dbt import okr_fixture, raw_fixture
from tests.dbt.runner import failures, run_dbt

DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-09", "timezone": "Asia/Shanghai"}
SELECT = [
    "--select", "+dim_goal_objectives", "+fct_okr_key_results_weekly", "assert_okr_tree_has_one_root_per_period",
    "--indirect-selection", "cautious",
]  # fmt: skip
TREE_TEST = "assert_okr_tree_has_one_root_per_period"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("okr_models")
    database = work_dir / "warehouse.duckdb"
    raw_fixture.write_raw_tables(database)
    result = run_dbt(["build", *SELECT], database, work_dir, DBT_VARS)
    assert result.success, failures(result)
    assert TREE_TEST in {r.node.name for r in result.result.results}
    return database


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database)) as con:
        return con.execute(sql).fetchall()


def test_the_tree_has_levels_by_alignment_depth_and_owners_from_the_crosswalk(built):
    rows = query(
        built,
        "select objective_id, parent_objective_id, level, owner_employee_id, department, team, period_start,"
        " period_end, weight, progress_percent from marts.dim_goal_objectives order by objective_id",
    )
    period = (date(2026, 1, 1), date(2026, 3, 31))
    assert rows == [
        (okr_fixture.O1, None, "company", None, None, None, *period, Decimal("1"), Decimal("20")),
        (okr_fixture.O2, okr_fixture.O1, "department", None, None, None, *period, Decimal("1"), Decimal("25")),
        # E003 (fs-003) is in Design, team DS-1; the latest version (23 %) wins over the earlier one (15 %)
        (okr_fixture.O3, okr_fixture.O2, "team", "E003", "Design", "DS-1", *period, Decimal("1"), Decimal("23")),
    ]


def test_progress_is_as_of_each_week_end_from_the_stored_versions(built):
    weekly = {
        (kr, str(week)): (percent, changed, owner)
        for kr, week, percent, changed, owner in query(
            built,
            "select kr_id, week_start, progress_percent, changed_this_week, owner_employee_id"
            " from intermediate.int_okr_key_results_weekly",
        )
    }
    k1, k2, k3 = okr_fixture.K1, okr_fixture.K2, okr_fixture.K3
    # K1: no version updated before 2026-02-23's week ended -> unknown before; 30 % that week, 45 % the next
    assert (k1, "2026-02-16") not in weekly
    assert weekly[(k1, "2026-02-23")] == (Decimal("30"), True, "E003")
    assert weekly[(k1, "2026-03-02")] == (Decimal("45"), True, "E003")
    # K2 was never updated: 0 % from the period's first week (Monday 2025-12-29) on, never "changed"
    assert weekly[(k2, "2025-12-29")] == (Decimal("0"), False, "E003")
    assert weekly[(k2, "2026-03-02")] == (Decimal("0"), False, "E003")
    # K3 changed in the week of 2026-01-19 and carries that value on; its owner maps to nobody
    assert weekly[(k3, "2026-01-19")] == (Decimal("20"), True, None)
    assert weekly[(k3, "2026-03-02")] == (Decimal("20"), False, None)
    # weeks stop at the run's window end (2026-03-09)
    assert max(week for _, week in weekly) == "2026-03-02"


def test_the_weekly_fact_holds_one_row_per_key_result_and_week(built):
    rows = query(
        built,
        "select kr_id, objective_id, progress_percent, changed_this_week, kr_weight"
        " from marts.fct_okr_key_results_weekly where week_start = date '2026-03-02' order by kr_id",
    )
    assert rows == [
        (okr_fixture.K1, okr_fixture.O3, Decimal("45"), True, Decimal("0.5")),
        (okr_fixture.K2, okr_fixture.O3, Decimal("0"), False, Decimal("0.5")),
        (okr_fixture.K3, okr_fixture.O1, Decimal("20"), False, Decimal("1")),
    ]


def test_the_tree_test_fails_on_a_second_root_and_on_an_objective_off_the_tree(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    raw_fixture.write_raw_tables(database)
    stray = {
        **okr_fixture._objective(okr_fixture.O1, "fs-ceo", None, "x", "0", 0),
        "objective_id": "7100000000000000009",  # a second objective aligned to nothing in the same period
        "_source_ref": "stray root",
    }
    orphan = {
        **stray,
        "objective_id": "7100000000000000008",
        "aligned_objective_ids": "7100000000000000077",  # aligned to an objective never loaded
        "_source_ref": "orphan",
    }
    with connect(database) as con:
        replace_week(
            con, "feishu_okr_objectives", date(2026, 3, 9), records_frame([stray, orphan], OBJECTIVE_DTYPES), "feishu"
        )
    result = run_dbt(
        ["build", "--select", "+dim_goal_objectives", TREE_TEST, "--indirect-selection", "cautious"],
        database,
        tmp_path,
        DBT_VARS,
    )
    (tree,) = [r for r in result.result.results if r.node.name == TREE_TEST]
    assert tree.status == "fail" and tree.failures == 2  # the period's two roots, and the orphan reaching none
