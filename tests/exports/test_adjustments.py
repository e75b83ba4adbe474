from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exports.adjustments import adjustment_lines
from exports.period_export import PeriodExport, render_adjustment
from tests.exports.period_fixtures import EMPLOYEES, PERIOD, PLAN_HASH, line, period_lines, render, targets


def _adjust(target_name: str, released: PeriodExport | list, current: list, number: int = 1, employees=EMPLOYEES):
    paid = list(released.lines) if isinstance(released, PeriodExport) else released
    return render_adjustment(
        targets()[target_name],
        paid,
        current,
        employees,
        pay_period=PERIOD,
        adjusts_sha256="f" * 64,
        adjustment_number=number,
        plan_version="2026.2",
        plan_hash=PLAN_HASH,
        input_fingerprint="fp-8",
        generator_version="9.9.9",
    )


def _changed_period() -> list[dict[str, object]]:
    """July recomputed: one bonus up, the pool share gone, overtime down, a new joint incentive."""
    current = [item for item in period_lines() if item["component_code"] != "PROJECT_POOL_SHARE"]
    current[0] = line("E000001", "WEEKLY_GOAL_BONUS", "1300.00", plan_version="2026.2")
    current[1] = line("E000001", "OVERTIME_HOURS", "0.00", "5.00")
    return [*current, line("E000003", "JOINT_INCENTIVE", "80.00")]


def test_deltas_only_with_a_negative_line_for_pay_that_disappeared():
    deltas = adjustment_lines(period_lines(), _changed_period())

    assert [(d.employee_id, d.component_code, d.amount, d.quantity) for d in deltas] == [
        ("E000001", "OVERTIME_HOURS", Decimal("0.00"), Decimal("-1.50")),
        ("E000001", "WEEKLY_GOAL_BONUS", Decimal("94.50"), None),
        ("E000003", "JOINT_INCENTIVE", Decimal("80.00"), None),
        ("E000003", "PROJECT_POOL_SHARE", Decimal("-12000.00"), None),
    ]  # E000002 and E000004 unchanged: no line
    by_component = {d.component_code: d for d in deltas}
    assert by_component["WEEKLY_GOAL_BONUS"].plan_version == "2026.2"  # the plan it was recomputed with
    assert by_component["PROJECT_POOL_SHARE"].source_ref == "score:2026-07:E000003:PROJECT_POOL_SHARE"
    assert {d.pay_period for d in deltas} == {PERIOD}


def test_an_unchanged_period_produces_no_adjustment():
    assert adjustment_lines(period_lines(), list(reversed(period_lines()))) == []
    assert _adjust("finance_cn", period_lines(), period_lines()) is None


def test_pay_that_still_cannot_be_paid_stays_owed_without_an_empty_adjustment_file():
    released = render("finance_cn")  # E000004 (no payroll id) was rejected: not among the paid lines
    assert [(d.employee_id, d.amount) for d in adjustment_lines(released.lines, period_lines())] == [
        ("E000004", Decimal("500.00"))
    ]
    assert _adjust("finance_cn", released, period_lines()) is None  # still no payroll id: nothing to approve


def test_adjustment_file_has_its_own_name_and_a_manifest_pointing_at_the_released_file():
    released = render("generic")
    adjustment = _adjust("generic", released, _changed_period(), number=2)
    assert adjustment is not None

    assert adjustment.file_name.startswith(f"payroll_generic_{PERIOD}_adj2_")
    assert adjustment.file_name != released.file_name
    manifest = json.loads(adjustment.manifest.to_bytes())
    assert (manifest["kind"], manifest["adjusts_sha256"], manifest["adjustment_number"]) == ("adjustment", "f" * 64, 2)
    assert manifest["control_totals"]["PROJECT_POOL_SHARE"]["amount"] == "-12000.00"
    assert manifest["grand_total"] == "-11825.50"  # 94.50 + 80.00 - 12000.00: the deltas, not a second payment
    rows = list(csv.DictReader(io.StringIO(adjustment.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert json.loads(released.manifest.to_bytes())["kind"] == "full"


def test_adjustment_keeps_the_targets_layout():
    adjustment = _adjust("finance_cn", render("finance_cn"), _changed_period())
    assert adjustment is not None and adjustment.file_name.endswith(".xlsx") and "_adj1_" in adjustment.file_name

    rows = list(load_workbook(io.BytesIO(adjustment.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("工号", "姓名")
    assert rows[1] == ("000123", "张伟", 94.5, None, None, -1.5)
    assert rows[2] == ("007890", "王芳", None, 80, -12000, None)
    assert len(rows) == 3


def test_a_second_adjustment_is_measured_against_everything_paid_so_far():
    released = render("generic")
    first = _adjust("generic", released, _changed_period())
    assert first is not None
    paid_so_far = [*released.lines, *first.lines]

    assert _adjust("generic", paid_so_far, _changed_period(), number=2) is None
    later = [*_changed_period(), line("E000002", "WEEKLY_GOAL_BONUS", "10.00", source_ref="late-goal")]
    second = _adjust("generic", paid_so_far, later, number=2)
    assert second is not None
    assert [(d.employee_id, d.component_code, d.amount) for d in second.lines] == [
        ("E000002", "WEEKLY_GOAL_BONUS", Decimal("10.00"))
    ]


def test_an_employee_rejected_at_release_is_paid_in_full_once_they_have_a_payroll_id():
    released = render("adp_us")  # E000004 had no payroll id: not paid
    employees = {**EMPLOYEES, "E000004": ("000999", "赵磊")}
    adjustment = _adjust("adp_us", released, period_lines(), employees=employees)

    assert adjustment is not None
    assert [(d.employee_id, d.amount) for d in adjustment.lines] == [("E000004", Decimal("500.00"))]
    assert adjustment.file_name.startswith(f"PR7XYEPI_{PERIOD}_adj1_")


def test_adjustment_inputs_are_checked():
    with pytest.raises(ValueError, match="one pay period"):
        adjustment_lines(period_lines(), [line("E000001", "WEEKLY_GOAL_BONUS", "1.00", period="2026-08")])
    with pytest.raises(ValueError, match="counts from 1"):
        _adjust("generic", render("generic"), _changed_period(), number=0)
