"""Blocking checks on the scores: a week that fails one does not reach payroll files or notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dagster as dg
import duckdb

from orchestration.lib.asset_keys import scoring_key
from scoring.joint_incentive import PoolAllocation

ONE_ROW_PER_EMPLOYEE_WEEK = "one_row_per_employee_week"
POOL_SHARES_ADD_UP = "pool_shares_add_up_to_pool"
NO_PAY_AFTER_TERMINATION = "no_pay_after_termination"


def scoring_check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            ONE_ROW_PER_EMPLOYEE_WEEK,
            asset=scoring_key("score_goal_attainment_weekly"),
            blocking=True,
            description="Each employee has at most one attainment row per week.",
        ),
        dg.AssetCheckSpec(
            POOL_SHARES_ADD_UP,
            asset=scoring_key("score_project_pool_weekly"),
            blocking=True,
            description="Every project's shares add up to its pool exactly (to the cent), or the pool is unallocated.",
        ),
        dg.AssetCheckSpec(
            NO_PAY_AFTER_TERMINATION,
            asset=scoring_key("payroll_line"),
            blocking=True,
            description="No payroll line for an employee terminated before the week started.",
        ),
    ]


def scoring_check_results(
    con: duckdb.DuckDBPyConnection, week: date, pools: Sequence[PoolAllocation]
) -> list[dg.AssetCheckResult]:
    duplicates = con.execute(
        """select count(*) from (select employee_id from scoring.score_goal_attainment_weekly
           where week_start = ? group by employee_id having count(*) > 1)""",
        [week],
    ).fetchone()[0]
    unbalanced = [a.project_id for a in pools if sum((s.amount for s in a.shares), a.unallocated) != a.pool]
    after_termination = con.execute(
        """select count(*) from scoring.payroll_line p join marts.dim_employee e using (employee_id)
           where p.week_start = ? and e.termination_date < ?""",
        [week, week],
    ).fetchone()[0]
    return [
        dg.AssetCheckResult(
            asset_key=scoring_key("score_goal_attainment_weekly"),
            check_name=ONE_ROW_PER_EMPLOYEE_WEEK,
            passed=duplicates == 0,
            metadata={"duplicated_employees": duplicates},
        ),
        dg.AssetCheckResult(
            asset_key=scoring_key("score_project_pool_weekly"),
            check_name=POOL_SHARES_ADD_UP,
            passed=not unbalanced,
            metadata={"unbalanced_projects": dg.MetadataValue.json(unbalanced)},
        ),
        dg.AssetCheckResult(
            asset_key=scoring_key("payroll_line"),
            check_name=NO_PAY_AFTER_TERMINATION,
            passed=after_termination == 0,
            metadata={"lines_after_termination": after_termination},
        ),
    ]
