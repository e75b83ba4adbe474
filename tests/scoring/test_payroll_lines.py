"""The week's scores become canonical payroll lines, deterministically, with nothing empty emitted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from scoring.attainment import GoalItem, score_week
from scoring.joint_incentive import Contribution, DesignerWeek, allocate_project_pool, score_joint_week
from scoring.payroll_lines import build_payroll_lines

WEEK = date(2026, 3, 2)
D = Decimal


def goal(employee, actual, weight="1"):
    return GoalItem(employee, WEEK, "tickets", D(100), D(actual), D(weight), "higher_is_better")


def week_inputs(plan):
    goals, _ = score_week([goal("E1", "115"), goal("E2", "50")], {}, {}, plan)
    designer = DesignerWeek("E3", WEEK, D("3000"), D(4), D("0.015"), D("0.036"), D("0.020"), D("0.22"))
    joint, _ = score_joint_week([designer], [], plan)
    pool = allocate_project_pool(
        "P1", WEEK, D(150000), [Contribution("E3", "designer", D(1)), Contribution("E4", "operator", D(1))], plan
    )
    return goals, joint, [pool]


def test_lines_of_a_week(plan):
    goals, joint, pools = week_inputs(plan)
    lines = build_payroll_lines(WEEK, plan, goals, joint, pools, overtime_hours={"E1": D("2.5"), "E2": D(0)})
    assert [(line.employee_id, line.component_code, line.amount, line.quantity, line.unit) for line in lines] == [
        ("E1", "EXTRA_LEAVE_HOURS", D("0.00"), D("2.00"), "hours"),
        ("E1", "OVERTIME_HOURS", D("0.00"), D("2.50"), "hours"),
        ("E1", "WEEKLY_GOAL_BONUS", D("612.50"), None, None),  # 1.15 -> multiplier 1.225
        ("E3", "JOINT_INCENTIVE", D("2796.00"), None, None),
        ("E3", "PROJECT_POOL_SHARE", D("12000.00"), None, None),
        ("E4", "PROJECT_POOL_SHARE", D("18000.00"), None, None),
    ]  # E2 is below the curve and has no overtime: nothing to pay, nothing emitted
    assert {(line.pay_period, line.currency, line.plan_version) for line in lines} == {("2026-03-02", "CNY", "2026.1")}
    assert lines[2].source_ref == "score_goal_attainment_weekly:2026-03-02:E1"
    assert lines[4].source_ref == "score_project_pool_weekly:2026-03-02:P1:E3"


def test_order_does_not_depend_on_input_order(plan):
    goals, joint, pools = week_inputs(plan)
    overtime = {"E2": D(1), "E1": D(3)}
    forward = build_payroll_lines(WEEK, plan, goals, joint, pools, overtime)
    backward = build_payroll_lines(
        WEEK, plan, reversed(goals), reversed(joint), pools, dict(reversed(list(overtime.items())))
    )
    assert forward == backward


@pytest.mark.trust("bad input", "scoring: payroll lines")
def test_results_of_another_week_are_refused(plan):
    goals, _, _ = week_inputs(plan)
    with pytest.raises(ValueError, match="belongs to week 2026-03-02, not to the pay period 2026-03-09"):
        build_payroll_lines(WEEK + timedelta(days=7), plan, goals)


@pytest.mark.trust("bad input", "scoring: payroll lines")
def test_negative_overtime_is_refused(plan):
    with pytest.raises(ValueError, match="overtime hours of E1 must not be negative"):
        build_payroll_lines(WEEK, plan, overtime_hours={"E1": D(-1)})
