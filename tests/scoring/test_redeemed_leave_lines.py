"""Leave granted by points redemptions becomes REDEEMED_LEAVE_HOURS payroll lines: hours, never money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scoring.payroll_lines import build_redeemed_leave_lines
from scoring.plan import DEFAULT_PLAN_PATH, PlanError, parse_plan

WEEK = date(2026, 3, 2)
D = Decimal


def redemption(request_id, employee_id, item_code, status, leave_hours, week=WEEK):
    return {
        "week_start": week,
        "request_id": request_id,
        "employee_id": employee_id,
        "item_code": item_code,
        "status": status,
        "leave_hours": leave_hours,
    }


def test_granted_leave_becomes_an_hours_line_per_request(plan):
    rows = [
        redemption("RR-2", "E1", "LEAVE_8H", "granted", 8),
        redemption("RR-1", "E2", "LEAVE_8H", "refused", 0),  # refused: nothing to pay
        redemption("RR-3", "E1", "GOODS_GIFT_CARD", "granted", 0),  # goods: not payroll's business
        redemption("RR-1", "E1", "LEAVE_8H", "granted", 8),
    ]
    lines = build_redeemed_leave_lines(WEEK, plan, rows)
    assert [line.as_record() for line in lines] == [
        {
            "employee_id": "E1",
            "pay_period": "2026-03-02",
            "component_code": "REDEEMED_LEAVE_HOURS",
            "amount": D("0.00"),
            "currency": "CNY",
            "quantity": D("8.00"),
            "unit": "hours",
            "plan_version": plan.version,
            "source_ref": f"points_redemptions:2026-03-02:E1:{request_id}",
        }
        for request_id in ("RR-1", "RR-2")
    ]
    # Input order does not matter: the same rows give the same lines.
    assert build_redeemed_leave_lines(WEEK, plan, list(reversed(rows))) == lines


@pytest.mark.trust("bad input", "scoring: redeemed leave lines")
@pytest.mark.parametrize(
    ("row", "message"),
    [
        (redemption("RR-1", "E1", "LEAVE_8H", "granted", 8, week=date(2026, 3, 9)), "belongs to week 2026-03-09"),
        (redemption("RR-1", "E1", "LEAVE_8H", "pending", 8), "status 'pending'"),
        (redemption("RR-1", "E1", "LEAVE_8H", "granted", -8), "whole number >= 0"),
        (redemption("RR-1", "E1", "LEAVE_8H", "granted", D("7.5")), "whole number >= 0"),
        (redemption("RR-1", "E1", "LEAVE_8H", "granted", None), "leave hours of redemption RR-1 of E1 is missing"),
    ],
)
def test_a_bad_row_is_an_error_naming_the_request(plan, row, message):
    with pytest.raises(ValueError, match=message):
        build_redeemed_leave_lines(WEEK, plan, [row])


def test_the_component_code_comes_from_the_plan_and_defaults_for_older_plans():
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    line = "    redeemed_leave_hours: REDEEMED_LEAVE_HOURS"
    assert text.count(line) == 1
    renamed = parse_plan(text.replace(line, "    redeemed_leave_hours: PTS_LEAVE").encode(), source="renamed.yaml")
    rows = [redemption("RR-1", "E1", "LEAVE_8H", "granted", 8)]
    assert [x.component_code for x in build_redeemed_leave_lines(WEEK, renamed, rows)] == ["PTS_LEAVE"]
    # A plan version written before the component existed still loads, with the default code.
    older = "\n".join(x for x in text.splitlines() if not x.startswith(line)).encode()
    assert parse_plan(older, source="older.yaml").payroll.components.redeemed_leave_hours == "REDEEMED_LEAVE_HOURS"
    # It must not reuse another component's code: the payroll could not tell the two apart.
    with pytest.raises(PlanError, match="EXTRA_LEAVE_HOURS"):
        parse_plan(text.replace(line, "    redeemed_leave_hours: EXTRA_LEAVE_HOURS").encode(), source="clash.yaml")
