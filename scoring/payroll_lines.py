"""A week's scores as canonical ``payroll_line`` rows: the one table every payroll layout is rendered from.

Each line names the score row it came from (``source_ref``) and the plan version, so a payslip item can be
followed back to its inputs. Hours lines (overtime, extra leave) carry a quantity and a zero amount: payroll
prices hours, we only count them. Lines that carry nothing (zero amount, no quantity) are not emitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scoring.attainment import GoalResult
from scoring.joint_incentive import JointResult, PoolAllocation
from scoring.money import ZERO, round_money, to_decimal
from scoring.plan import Plan

MONEY_ZERO = round_money(ZERO)


@dataclass(frozen=True)
class PayrollLine:
    employee_id: str
    pay_period: str
    component_code: str
    amount: Decimal
    currency: str
    quantity: Decimal | None
    unit: str | None
    plan_version: str
    source_ref: str

    def as_record(self) -> dict[str, object]:
        """A row for ``scoring.payroll_line``."""
        return {
            "employee_id": self.employee_id,
            "pay_period": self.pay_period,
            "component_code": self.component_code,
            "amount": self.amount,
            "currency": self.currency,
            "quantity": self.quantity,
            "unit": self.unit,
            "plan_version": self.plan_version,
            "source_ref": self.source_ref,
        }


def _ensure_week(what: str, week: date, expected: date) -> None:
    if week != expected:
        raise ValueError(f"{what} belongs to week {week}, not to the pay period {expected}")


def build_payroll_lines(
    week_start: date,
    plan: Plan,
    goal_results: Iterable[GoalResult] = (),
    joint_results: Iterable[JointResult] = (),
    pool_allocations: Iterable[PoolAllocation] = (),
    overtime_hours: Mapping[str, Decimal] | None = None,
) -> list[PayrollLine]:
    """Payroll lines of one week (pay period = the week key), sorted by employee, component and source.

    ``overtime_hours`` maps employee_id to the week's overtime hours from ``marts.fct_attendance_weekly``.
    Raises ``ValueError`` if a result belongs to another week or overtime is negative.
    """
    period = week_start.isoformat()
    codes = plan.payroll.components
    hours = plan.payroll.hours_unit
    lines: list[PayrollLine] = []

    def add(employee_id: str, code: str, amount: Decimal, source_ref: str, quantity: Decimal | None = None) -> None:
        if amount == 0 and not quantity:
            return
        unit = hours if quantity is not None else None
        lines.append(
            PayrollLine(
                employee_id, period, code, round_money(amount), plan.currency, quantity, unit, plan.version, source_ref
            )
        )

    for goal in goal_results:
        _ensure_week(f"goal result of {goal.employee_id}", goal.week_start, week_start)
        ref = f"score_goal_attainment_weekly:{period}:{goal.employee_id}"
        add(goal.employee_id, codes.weekly_goal_bonus, goal.bonus, ref)
        add(goal.employee_id, codes.extra_leave_hours, MONEY_ZERO, ref, quantity=round_money(goal.extra_leave_hours))

    for joint in joint_results:
        _ensure_week(f"joint incentive of {joint.employee_id}", joint.week_start, week_start)
        ref = f"score_joint_incentive_weekly:{period}:{joint.employee_id}:{joint.role}"
        add(joint.employee_id, codes.joint_incentive, joint.pay, ref)

    for allocation in pool_allocations:
        _ensure_week(f"pool of project {allocation.project_id}", allocation.week_start, week_start)
        for share in allocation.shares:
            ref = f"score_project_pool_weekly:{period}:{share.project_id}:{share.employee_id}"
            add(share.employee_id, codes.project_pool_share, share.amount, ref)

    for employee_id, overtime in (overtime_hours or {}).items():
        quantity = round_money(to_decimal(overtime, f"overtime hours of {employee_id}"))
        if quantity < 0:
            raise ValueError(f"overtime hours of {employee_id} must not be negative, got {quantity}")
        ref = f"fct_attendance_weekly:{period}:{employee_id}"
        add(employee_id, codes.overtime_hours, MONEY_ZERO, ref, quantity=quantity)

    return sorted(lines, key=lambda line: (line.employee_id, line.component_code, line.source_ref))


def build_redeemed_leave_lines(
    week_start: date, plan: Plan, redemptions: Iterable[Mapping[str, object]]
) -> list[PayrollLine]:
    """Leave hours granted by the week's points redemptions as payroll lines (quantity in hours, amount zero).

    ``redemptions`` are rows of ``scoring.points_redemptions`` of ``week_start`` (refused and non-leave rows are
    kept out); ``plan`` is the plan the ledger week was posted with. The source ref names the request, so a request
    is one line whichever run drafts it, and a re-posted week replaces rather than adds to it. Raises
    ``ValueError`` for a row of another week, an unknown status, or leave hours that are not a whole number >= 0.
    """
    period = week_start.isoformat()
    code = plan.payroll.components.redeemed_leave_hours
    lines: list[PayrollLine] = []
    for row in redemptions:
        request_id, employee_id = str(row["request_id"]), str(row["employee_id"])
        what = f"redemption {request_id} of {employee_id}"
        week = row.get("week_start", week_start)
        _ensure_week(what, week, week_start)  # type: ignore[arg-type]
        status = row["status"]
        if status not in ("granted", "refused"):
            raise ValueError(f"{what} has status {status!r}, expected 'granted' or 'refused'")
        if status == "refused":
            continue
        hours = to_decimal(row["leave_hours"], f"leave hours of {what}")
        if hours < 0 or hours != hours.to_integral_value():
            raise ValueError(f"leave hours of {what} must be a whole number >= 0, got {hours}")
        if hours == 0:  # goods, courses: nothing for payroll
            continue
        ref = f"points_redemptions:{period}:{employee_id}:{request_id}"
        lines.append(
            PayrollLine(
                employee_id,
                period,
                code,
                MONEY_ZERO,
                plan.currency,
                round_money(hours),
                plan.payroll.hours_unit,
                plan.version,
                ref,
            )
        )
    return sorted(lines, key=lambda line: (line.employee_id, line.component_code, line.source_ref))
