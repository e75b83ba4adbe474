"""Targets, employees and period lines shared by the payroll layout tests."""

from __future__ import annotations

from decimal import Decimal

from exports.period_export import PeriodExport, render_period
from exports.targets import PayrollTarget, parse_targets_yaml

TARGETS_YAML = """
finance_cn:
  layout: wide_xlsx
  pay_frequency: monthly
  header_language: zh
  columns:
    WEEKLY_GOAL_BONUS: 周目标奖金
    JOINT_INCENTIVE: {zh: 联合激励, en: Joint incentive}
    PROJECT_POOL_SHARE: 项目奖金池
    OVERTIME_HOURS: {zh: 加班小时, en: Overtime hours}
finance_en:
  layout: wide_xlsx
  pay_frequency: monthly
  header_language: en
  columns:
    WEEKLY_GOAL_BONUS: Weekly goal bonus
    JOINT_INCENTIVE: {zh: 联合激励, en: Joint incentive}
    PROJECT_POOL_SHARE: Project pool share
    OVERTIME_HOURS: {zh: 加班小时, en: Overtime hours}
adp_us:
  layout: adp_paydata_csv
  pay_frequency: monthly
  company_code: "7XY"
  batch_id: HRHUB
  columns:
    OVERTIME_HOURS: O/T Hours
    WEEKLY_GOAL_BONUS: BON
    JOINT_INCENTIVE: {earnings_code: JNT}
    PROJECT_POOL_SHARE: POL
generic:
  layout: long_csv
  pay_frequency: monthly
"""
PERIOD = "2026-07"
PLAN_HASH = "a" * 64

EMPLOYEES: dict[str, tuple[str | None, str]] = {
    "E000001": ("000123", "张伟"),
    "E000002": ("000456", "李娜, Jr."),
    "E000003": ("007890", "王芳"),
    "E000004": (None, "赵磊"),  # no payroll id yet
}


def targets() -> dict[str, PayrollTarget]:
    return parse_targets_yaml(TARGETS_YAML)


def line(
    employee_id: str,
    component_code: str,
    amount: str,
    quantity: str | None = None,
    *,
    period: str = PERIOD,
    plan_version: str = "2026.1",
    source_ref: str | None = None,
) -> dict[str, object]:
    return {
        "employee_id": employee_id,
        "pay_period": period,
        "component_code": component_code,
        "amount": Decimal(amount),
        "currency": "CNY",
        "quantity": None if quantity is None else Decimal(quantity),
        "unit": None if quantity is None else "hours",
        "plan_version": plan_version,
        "source_ref": source_ref or f"score:{period}:{employee_id}:{component_code}",
    }


def period_lines() -> list[dict[str, object]]:
    """July 2026 rolled up: money and hours components, a negative correction, one employee without a payroll id."""
    return [
        line("E000001", "WEEKLY_GOAL_BONUS", "1205.50"),
        line("E000001", "OVERTIME_HOURS", "0.00", "6.50"),
        line("E000002", "JOINT_INCENTIVE", "1000.00"),
        line("E000002", "WEEKLY_GOAL_BONUS", "-35.25"),
        line("E000003", "PROJECT_POOL_SHARE", "12000.00"),
        line("E000003", "OVERTIME_HOURS", "0.00", "4.00"),
        line("E000004", "WEEKLY_GOAL_BONUS", "500.00"),
    ]


def render(
    target_name: str,
    lines: list[dict[str, object]] | None = None,
    employees: dict[str, tuple[str | None, str]] | None = None,
) -> PeriodExport:
    return render_period(
        targets()[target_name],
        period_lines() if lines is None else lines,
        EMPLOYEES if employees is None else employees,
        pay_period=PERIOD,
        plan_version="2026.1",
        plan_hash=PLAN_HASH,
        input_fingerprint="fp-7",
        generator_version="9.9.9",
    )
