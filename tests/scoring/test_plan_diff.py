"""Comparing two scorings of the same weeks: per employee and component, per week and in total, exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scoring.payroll_lines import PayrollLine
from scoring.plan_diff import diff_payroll_lines

W1, W2, W3 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)


def _line(week: date, employee: str, code: str, amount: str, quantity: str | None = None, currency: str = "CNY"):
    return PayrollLine(
        employee,
        week.isoformat(),
        code,
        Decimal(amount),
        currency,
        None if quantity is None else Decimal(quantity),
        None if quantity is None else "hours",
        "v",
        f"ref:{employee}:{code}",
    )


def test_rows_weeks_and_totals_add_up_exactly():
    old = [
        _line(W1, "E1", "WEEKLY_GOAL_BONUS", "500.00"),
        _line(W1, "E2", "PROJECT_POOL_SHARE", "0.10"),
        _line(W1, "E2", "PROJECT_POOL_SHARE", "0.20"),  # two projects: one row, summed
        _line(W2, "E1", "WEEKLY_GOAL_BONUS", "575.00"),
        _line(W2, "E1", "EXTRA_LEAVE_HOURS", "0.00", quantity="2.00"),
    ]
    new = [
        _line(W1, "E1", "WEEKLY_GOAL_BONUS", "600.00"),
        _line(W1, "E2", "PROJECT_POOL_SHARE", "0.30"),
        _line(W2, "E1", "WEEKLY_GOAL_BONUS", "690.00"),
        _line(W2, "E3", "WEEKLY_GOAL_BONUS", "250.00"),  # paid only under the new plan
    ]
    diff = diff_payroll_lines(old, new, [W1, W2, W3])
    rows = {(r.week_start, r.employee_id, r.component_code): (r.old, r.new, r.delta) for r in diff.rows}
    assert rows[(W1, "E2", "PROJECT_POOL_SHARE")] == (Decimal("0.30"), Decimal("0.30"), Decimal("0.00"))
    assert rows[(W2, "E3", "WEEKLY_GOAL_BONUS")] == (Decimal("0.00"), Decimal("250.00"), Decimal("250.00"))
    leave = next(r for r in diff.rows if r.component_code == "EXTRA_LEAVE_HOURS")
    assert (leave.measure, leave.unit, leave.old, leave.new) == ("quantity", "hours", Decimal("2.00"), Decimal("0"))
    assert [(w.week_start, w.old, w.new, w.delta) for w in diff.weeks] == [
        (W1, Decimal("500.30"), Decimal("600.30"), Decimal("100.00")),
        (W2, Decimal("575.00"), Decimal("940.00"), Decimal("365.00")),
        (W3, Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),  # asked for, nothing paid
    ]
    assert (diff.old_total, diff.new_total, diff.delta_total) == (
        Decimal("1075.30"),
        Decimal("1540.30"),
        Decimal("465.00"),
    )
    per_person = {(r.employee_id, r.component_code): r.delta for r in diff.by_employee_component()}
    assert per_person[("E1", "WEEKLY_GOAL_BONUS")] == Decimal("215.00")
    assert per_person[("E1", "EXTRA_LEAVE_HOURS")] == Decimal("-2.00")  # hours never reach the money totals
    assert [r.employee_id for r in diff.changed()] == ["E1", "E1", "E1", "E3"]


def test_the_same_lines_on_both_sides_change_nothing():
    lines = [_line(W1, "E1", "WEEKLY_GOAL_BONUS", "602.50"), _line(W1, "E1", "OVERTIME_HOURS", "0.00", "3.25")]
    diff = diff_payroll_lines(lines, lines)
    assert diff.changed() == [] and diff.delta_total == 0 and diff.old_total == Decimal("602.50")


def test_plans_in_different_currencies_cannot_be_totalled():
    with pytest.raises(ValueError, match="different currencies \\(CNY, USD\\)"):
        diff_payroll_lines([_line(W1, "E1", "BONUS", "1.00")], [_line(W1, "E1", "BONUS", "1.00", currency="USD")])
