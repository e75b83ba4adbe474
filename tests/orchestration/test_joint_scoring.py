"""Joint pay and project pools as a week is scored from the marts: people who joined or left inside the week,
people in several pods, and a pod without a designer."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from exports.statements.explain import explain_joint_week
from exports.statements.model import PlanRef
from orchestration.defs.scoring.marts import write_scores
from orchestration.lib.warehouse_rows import rows as rows_of
from orchestration.lib.week_scoring import WeekScores, days_in_role_by_employee, score_week_from_marts
from scoring.plan import DEFAULT_PLAN_PATH, Plan, load_plan
from tests.orchestration.plan_warehouse import build_marts

WEEK = date(2026, 3, 2)
D = Decimal


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_PATH)


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """The plan warehouse's week (designer E5, operator E6 on PRJ1), plus: E8 a designer hired on the Thursday,
    E9 an operator who left on the Tuesday, and PRJ2 where E6 also runs a product but no designer is credited."""
    path = build_marts(tmp_path / "w.duckdb", weeks=(WEEK,))
    with duckdb.connect(str(path)) as con:
        con.executemany(
            "insert into marts.dim_employee values (?, ?, ?, ?, ?, ?, ?, 'T1', 'D1', null)",
            [
                ("E8", "周婷", "P008", "designer", D(3000), date(2026, 3, 5), None),
                ("E9", "吴强", "P009", "operator", D(4000), date(2025, 1, 6), date(2026, 3, 3)),
            ],
        )
        con.execute(
            "insert into marts.fct_creative_performance_weekly values (?, 'E8', 'C8', 10000, 330, 42, 180, 2000,"
            " 45, 0.2, 4)",
            [WEEK],
        )
        con.execute("insert into marts.fct_operator_performance_weekly values (?, 'E9', 0.033, 44)", [WEEK])
        con.execute("insert into marts.fct_project_profit_weekly values (?, 'PRJ2', 5000)", [WEEK])
        con.executemany(
            "insert into marts.fct_project_contribution_weekly values (?, ?, ?, ?, ?)",
            [
                (WEEK, "PRJ1", "E8", "designer", D(15)),
                # E6 runs two product lines of PRJ2: two rows, summed into one credit
                (WEEK, "PRJ2", "E6", "operator", D(3)),
                (WEEK, "PRJ2", "E6", "operator", D(2)),
                (WEEK, "PRJ2", "E9", "operator", D(5)),
            ],
        )
    return path


def _scores(path: Path, plan: Plan) -> WeekScores:
    with duckdb.connect(str(path)) as con:
        return score_week_from_marts(con, WEEK, plan, "Asia/Shanghai", activity_points=False)


def test_days_in_role_come_from_hire_and_termination_dates(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        days = days_in_role_by_employee(con, WEEK)
    assert (days["E5"], days["E8"], days["E9"]) == (7, 4, 2)


def test_joint_pay_is_prorated_by_days_in_role(warehouse, plan):
    joint = {(r.employee_id, str(r.role)): r for r in _scores(warehouse, plan).joint}
    full_designer, hired_thursday = joint[("E5", "designer")], joint[("E8", "designer")]
    assert hired_thursday.score == full_designer.score  # the same creatives' numbers: the same score
    assert hired_thursday.days_in_role == 4 and full_designer.days_in_role == 7
    assert hired_thursday.pay == (D(3000) * hired_thursday.score / 100 * 4 / 7).quantize(
        D("0.01"), rounding=ROUND_HALF_UP
    )
    assert full_designer.pay == full_designer.full_week_pay
    left_tuesday = joint[("E9", "operator")]
    assert left_tuesday.days_in_role == 2
    assert left_tuesday.pay == (D(4000) * left_tuesday.score / 100 * 2 / 7).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert left_tuesday.pay < left_tuesday.full_week_pay


def test_one_joint_score_per_person_and_pool_credit_in_each_project(warehouse, plan):
    scores = _scores(warehouse, plan)
    assert [(r.employee_id, str(r.role)) for r in scores.joint].count(("E6", "operator")) == 1
    shares = {(s.project_id, s.employee_id, str(s.role)): s for a in scores.pools for s in a.shares}
    assert shares[("PRJ1", "E6", "operator")].amount == D("1200.00")  # PRJ1 pool 2000: operators' 60%
    assert shares[("PRJ2", "E6", "operator")].credited_orders == 5  # its two PRJ2 rows summed, not rejected
    # PRJ2 has no credited designer: its whole pool (1000) goes to the operators, split 5 : 5
    assert shares[("PRJ2", "E6", "operator")].amount == shares[("PRJ2", "E9", "operator")].amount == D("500.00")
    assert scores.pool_rejected == []
    prj2 = next(a for a in scores.pools if a.project_id == "PRJ2")
    assert sum(s.amount for s in prj2.shares) == prj2.pool and prj2.notes == (
        "no credited designers: their part goes to the other role",
    )
    pool_lines = [line for line in scores.lines if line.component_code == plan.payroll.components.project_pool_share]
    assert sorted((line.source_ref.split(":")[2], line.amount) for line in pool_lines if line.employee_id == "E6") == [
        ("PRJ1", D("1200.00")),
        ("PRJ2", D("500.00")),
    ]  # one payroll line per project, so each pool is traced to its project


def test_the_written_score_rows_explain_the_pay(warehouse, plan):
    scores = _scores(warehouse, plan)
    with duckdb.connect(str(warehouse)) as con:
        write_scores(con, "score_joint_incentive_weekly", WEEK, scores.records()["score_joint_incentive_weekly"], plan)
        rows = con.execute(
            """select employee_id, variable_base, days_in_role, score, pay, components_json
               from scoring.score_joint_incentive_weekly where employee_id = 'E8'"""
        ).fetchall()
        stored = rows_of(con, "select * from scoring.score_joint_incentive_weekly where employee_id = 'E8'")
    [(_, base, days, score, pay, explained)] = rows
    assert (base, days) == (D("3000.00"), 4)
    assert pay == (base * score / 100 * days / 7).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    explained = json.loads(explained)
    assert set(explained) == {"components", "metric_scores", "actuals", "targets"}
    assert D(explained["actuals"]["ctr"]) == D("0.033")  # 330 clicks / 10000 impressions
    assert D(explained["targets"]["ctr"]) == plan.joint_incentive.default_targets.ctr

    # the pay statement redoes the prorated pay from the stored row and shows the days
    statement = explain_joint_week(stored[0], plan, PlanRef(plan.version, plan.content_hash))
    pay_step = next(step for step in statement.steps if step.name == "joint_pay")
    assert pay_step.result == pay and pay_step.working.endswith("× 4 / 7")
