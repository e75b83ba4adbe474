"""Small builders shared by the exports tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    """Shaped like ``scoring.payroll_lines.PayrollLine``; the renderer only relies on the attributes."""

    employee_id: str
    component_code: str
    amount: Decimal
    quantity: Decimal | None = None
    unit: str | None = None
    pay_period: str = "2026-03"
    currency: str = "CNY"
    plan_version: str = "2026.1"
    source_ref: str = "score_goal_attainment_weekly:2026-03-02"


EMPLOYEES: dict[str, tuple[str | None, str]] = {
    "E000001": ("P0001", "张伟"),
    "E000002": ("P0002", "李娜, Jr."),
    "E000003": ("P0003", "王芳"),
}


def sample_lines() -> list[Line]:
    return [
        Line("E000001", "WEEKLY_GOAL_BONUS", Decimal("602.50")),
        Line("E000001", "OVERTIME_HOURS", Decimal("0"), Decimal("2.5"), "hours"),
        Line("E000002", "JOINT_INCENTIVE", Decimal("1E+3")),
        Line("E000002", "WEEKLY_GOAL_BONUS", Decimal("500.00")),
        Line("E000003", "PROJECT_POOL_SHARE", Decimal("12000.00")),
        Line("E000003", "OVERTIME_HOURS", Decimal("0.00"), Decimal("4.00"), "hours"),
        Line("E000003", "WEEKLY_GOAL_BONUS", Decimal("-35.25"), source_ref="adjustment:2026-02-23"),
    ]
