"""Great Expectations checks hold back a week with bad numbers: no payroll file, statement or notification for it.

One small company (``plan_warehouse``) is scored and checked once; then bad rows are planted in the scores and the
checks run again (Great Expectations is imported once for the module: it is slow to import).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.exports.payroll import payroll_files
from orchestration.defs.quality.checks import gx_checks
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.defs.scoring.assets import weekly_scoring
from orchestration.lib.asset_keys import mart_key, scoring_key

from .plan_warehouse import build_marts, plan_text, write_plan

pytestmark = pytest.mark.trust("quality gate", "GX checks")

WEEK = date(2026, 3, 2)
EXPORTS_YAML = "payroll_targets:\n  weekly_csv:\n    layout: long_csv\n    pay_frequency: weekly\n"
SCORE_CHECKS = [c for c in gx_checks if next(iter(c.check_keys)).asset_key.path[0] == "scoring"]
MART_CHECKS = [c for c in gx_checks if next(iter(c.check_keys)).asset_key.path[0] == "marts"]


def _add_marts_the_checks_read(warehouse: Path) -> None:
    """``plan_warehouse`` has what scoring reads; the mart suites also read daily attendance and creative rates."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """create table marts.fct_attendance_daily (employee_id varchar, week_start date, work_date date,
               status varchar, late_minutes integer, early_leave_minutes integer, worked_minutes integer,
               overtime_minutes integer)"""
        )
        con.execute(
            "insert into marts.fct_attendance_daily values ('E1', ?, ?, 'present', 0, 0, 480, 30),"
            " ('E1', ?, ?, 'late', 12, 0, 470, 0)",
            [WEEK, WEEK, WEEK, date(2026, 3, 3)],
        )
        for column, value in (("ctr", "0.033"), ("favorites_rate", "0.018"), ("order_rate", "0.0225")):
            con.execute(f"alter table marts.fct_creative_performance_weekly add column {column} decimal(18, 6)")
            con.execute(f"update marts.fct_creative_performance_weekly set {column} = {value}")


class Company:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.warehouse = build_marts(home / "warehouse.duckdb", (WEEK,))
        _add_marts_the_checks_read(self.warehouse)
        write_plan(home / "plans", "default.yaml", plan_text())
        (home / "exports.yaml").write_text(EXPORTS_YAML, encoding="utf-8")
        self.resources = {
            "warehouse": WarehouseResource(path=str(self.warehouse)),
            "plan": PlanResource(path=str(home / "plans")),
            "exports": ExportsResource(
                config_path=str(home / "exports.yaml"),
                payroll_drafts_dir=str(home / "exports" / "payroll"),
                payroll_release_dir=str(home / "exports" / "released"),
                payroll_ledger_path=str(home / "exports" / "payroll_ledger.jsonl"),
                statements_dir=str(home / "exports" / "statements"),
                outbox_path=str(home / "outbox" / "outbox.jsonl"),
                outbox_store_path=str(home / "outbox" / "outbox.sqlite"),
            ),
        }

    def run(self, assets: list[object]) -> dg.ExecuteInProcessResult:
        """Materialize ``assets`` and run every check among them (checks on the marts, given as specs, too)."""
        return dg.materialize(
            assets,
            selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
            partition_key=WEEK.isoformat(),
            resources=self.resources,
            raise_on_error=False,
        )

    def sql(self, statement: str) -> None:
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute(statement)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """The Great Expectations checks' evaluations (the SQL checks of ``scoring/checks.py`` run too)."""
    return {e.check_name: e for e in result.get_asset_check_evaluations() if e.check_name.startswith("gx_")}


def _failing(evaluation: dg.AssetCheckEvaluation) -> list[str]:
    return evaluation.metadata["failing_expectations"].value


def _step_failure(result: dg.ExecuteInProcessResult) -> tuple[str, dict[str, object]]:
    [failure] = [event for event in result.all_events if event.is_step_failure]
    data = failure.event_specific_data
    return data.user_failure_data.description, {k: v.value for k, v in data.user_failure_data.metadata.items()}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    home = tmp_path_factory.mktemp("gx")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HRHUB_HOME", str(home))
        env.delenv("HRHUB_GX_DIR", raising=False)
        yield Company(home)


@pytest.fixture(scope="module")
def clean_run(company: Company) -> dg.ExecuteInProcessResult:
    marts = [
        dg.AssetSpec(mart_key(m))
        for m in ("fct_attendance_daily", "fct_goal_progress_weekly", "fct_creative_performance_weekly")
    ]
    return company.run([weekly_scoring, *gx_checks, *marts, payroll_files])


@pytest.fixture(scope="module")
def planted_run(company: Company, clean_run: dg.ExecuteInProcessResult) -> dg.ExecuteInProcessResult:
    """The clean week's scores with four bad rows planted, checked again with the exports in the same run."""
    goals = "scoring.score_goal_attainment_weekly"
    company.sql(f"update {goals} set attainment = 1.8 where employee_id = 'E1'")  # the cap is 1.5
    company.sql(f"insert into {goals} select * from {goals} where employee_id = 'E2'")  # E2 twice in the week
    company.sql("update scoring.score_project_pool_weekly set amount = amount + 0.01 where employee_id = 'E5'")
    company.sql("update marts.dim_employee set termination_date = date '2026-02-27' where employee_id = 'E3'")
    scored = [
        dg.AssetSpec(scoring_key(t))
        for t in ("score_goal_attainment_weekly", "score_project_pool_weekly", "payroll_line")
    ]
    return company.run([*scored, *SCORE_CHECKS, payroll_files])


def test_a_clean_week_passes_every_suite_exports_and_gets_data_docs(company, clean_run):
    assert clean_run.success
    checks = _checks(clean_run)
    assert set(checks) == {
        f"gx_{name}"
        for name in (
            "scores_goal_attainment",
            "scores_project_pool",
            "scores_payroll_lines",
            "marts_attendance_daily",
            "marts_goal_progress",
            "marts_creative_performance",
        )
    }
    assert all(e.passed for e in checks.values()), {n: _failing(e) for n, e in checks.items() if not e.passed}
    assert checks["gx_scores_payroll_lines"].metadata["rows_validated"].value > 0
    assert clean_run.asset_materializations_for_node("payroll_files")
    assert (company.home / "gx" / "data_docs" / "index.html").is_file()


def test_planted_bad_rows_fail_the_suite_that_guards_them_and_block_the_export(planted_run):
    assert not planted_run.success
    checks = _checks(planted_run)
    goals = _failing(checks["gx_scores_goal_attainment"])
    assert "expect_column_values_to_be_between(attainment) 1 row" in goals
    assert "expect_compound_columns_to_be_unique(employee_id,week_start) 2 rows" in goals
    assert _failing(checks["gx_scores_project_pool"]) == ["expect_column_pair_values_to_be_equal(allocated,pool) 1 row"]
    payroll = _failing(checks["gx_scores_payroll_lines"])
    # E3 (terminated the Friday before) still has the week's goal bonus and extra leave lines
    assert payroll == ["expect_column_pair_values_a_to_be_greater_than_b(termination_date,week_start) 2 rows"]
    examples = checks["gx_scores_payroll_lines"].metadata["failing_examples"].value
    assert {row["employee_id"] for rows in examples.values() for row in rows} == {"E3"}
    assert not planted_run.asset_materializations_for_node("payroll_files")  # blocked in the same run


def test_a_later_run_of_the_exports_alone_is_held_with_the_reason(company, planted_run):
    drafted_before = sorted((company.home / "exports" / "payroll").rglob("*.csv"))
    result = company.run([payroll_files])
    assert not result.success
    description, metadata = _step_failure(result)
    assert description.startswith(f"exports for {WEEK} held: suite scores_goal_attainment failed: ")
    assert "expect_column_values_to_be_between(attainment) 1 row" in description
    assert "suite scores_project_pool failed" in description and "suite scores_payroll_lines failed" in description
    assert metadata["failed_suites"] == ["scores_goal_attainment", "scores_payroll_lines", "scores_project_pool"]
    assert metadata["data_docs"].endswith("data_docs/index.html")
    assert sorted((company.home / "exports" / "payroll").rglob("*.csv")) == drafted_before
