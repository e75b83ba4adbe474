from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from exports.pay_periods import pay_period_of, roll_up, weeks_of_period
from tests.exports.period_fixtures import line


@pytest.mark.parametrize(
    ("monday", "month"),
    [
        (date(2026, 6, 29), "2026-07"),  # Mon 06-29 .. Sun 07-05: Thursday 07-02 is in July
        (date(2026, 7, 27), "2026-07"),  # ends on 08-02, but Thursday 07-30 is in July
        (date(2026, 8, 31), "2026-09"),  # Thursday 09-03
        (date(2025, 12, 29), "2026-01"),  # across the year: Thursday 2026-01-01
        (date(2026, 12, 28), "2026-12"),  # Thursday 12-31 keeps it in December
    ],
)
def test_a_week_is_paid_in_the_month_of_its_thursday(monday: date, month: str):
    assert pay_period_of(monday, "monthly") == month
    assert monday in weeks_of_period(month, "monthly")


def test_weekly_periods_are_the_weeks_monday():
    assert pay_period_of(date(2026, 11, 2), "weekly") == "2026-11-02"
    assert weeks_of_period("2026-11-02", "weekly") == [date(2026, 11, 2)]


def test_every_week_of_a_year_belongs_to_exactly_one_month():
    mondays = [date(2025, 12, 29) + timedelta(weeks=n) for n in range(53)]
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    listed = [week for month in months for week in weeks_of_period(month, "monthly")]

    assert sorted(listed) == mondays  # no week twice, none missing
    assert {len(weeks_of_period(month, "monthly")) for month in months} == {4, 5}
    assert weeks_of_period("2026-07", "monthly") == [date(2026, 6, 29) + timedelta(weeks=n) for n in range(5)]


def test_periods_must_be_mondays_and_well_formed():
    with pytest.raises(ValueError, match="Tuesday, not the Monday"):
        pay_period_of(date(2026, 6, 30), "monthly")
    with pytest.raises(ValueError, match="not 'YYYY-MM'"):
        weeks_of_period("2026-13", "monthly")
    with pytest.raises(ValueError, match="not a week's Monday"):
        weeks_of_period("20261102", "weekly")
    with pytest.raises(ValueError, match="pay frequency"):
        pay_period_of(date(2026, 11, 2), "yearly")  # type: ignore[arg-type]


def _weekly_lines() -> list[dict[str, object]]:
    ref = "score_goal_attainment_weekly:{week}:E000001"
    return [
        line("E000001", "WEEKLY_GOAL_BONUS", "100.10", period="2026-06-29", source_ref=ref.format(week="2026-06-29")),
        line("E000001", "WEEKLY_GOAL_BONUS", "200.20", period="2026-07-06", source_ref=ref.format(week="2026-07-06")),
        line("E000001", "WEEKLY_GOAL_BONUS", "-0.30", period="2026-07-27", source_ref=ref.format(week="2026-07-27")),
        line("E000001", "OVERTIME_HOURS", "0.00", "2.50", period="2026-07-06"),
        line("E000001", "OVERTIME_HOURS", "0.00", "1.25", period="2026-07-13"),
        line("E000001", "WEEKLY_GOAL_BONUS", "50.00", period="2026-08-03"),  # Thursday 08-06: August
        line("E000002", "JOINT_INCENTIVE", "333.33", period="2026-07-13", plan_version="2026.1"),
        line("E000002", "JOINT_INCENTIVE", "444.44", period="2026-07-20", plan_version="2026.2"),
    ]


def test_roll_up_sums_exactly_into_the_month_and_lists_the_weekly_refs():
    rolled = {
        (r.pay_period, r.employee_id, r.component_code, r.plan_version): r for r in roll_up(_weekly_lines(), "monthly")
    }

    bonus = rolled[("2026-07", "E000001", "WEEKLY_GOAL_BONUS", "2026.1")]
    assert bonus.amount == Decimal("300.00")  # 100.10 + 200.20 - 0.30, exactly
    assert bonus.quantity is None and bonus.unit is None
    assert bonus.source_ref == "score_goal_attainment_weekly:2026-06-29,2026-07-06,2026-07-27:E000001"

    overtime = rolled[("2026-07", "E000001", "OVERTIME_HOURS", "2026.1")]
    assert (overtime.amount, overtime.quantity, overtime.unit) == (Decimal("0.00"), Decimal("3.75"), "hours")

    assert rolled[("2026-08", "E000001", "WEEKLY_GOAL_BONUS", "2026.1")].amount == Decimal("50.00")


def test_a_month_spanning_a_plan_change_keeps_one_line_per_plan_version():
    joint = [r for r in roll_up(_weekly_lines(), "monthly") if r.component_code == "JOINT_INCENTIVE"]
    assert [(r.plan_version, r.amount) for r in joint] == [("2026.1", Decimal("333.33")), ("2026.2", Decimal("444.44"))]


def test_roll_up_order_and_text_do_not_depend_on_input_order():
    lines = _weekly_lines()
    shuffled = lines[:]
    random.Random(3).shuffle(shuffled)
    assert roll_up(shuffled, "monthly") == roll_up(lines, "monthly")
    keys = [(r.pay_period, r.employee_id, r.component_code, r.plan_version) for r in roll_up(lines, "monthly")]
    assert keys == sorted(keys)


def test_weekly_roll_up_merges_a_weeks_lines_of_one_component():
    pool = [
        line("E000003", "PROJECT_POOL_SHARE", "10.00", period="2026-07-06", source_ref="pool:2026-07-06:P1:E000003"),
        line("E000003", "PROJECT_POOL_SHARE", "20.00", period="2026-07-06", source_ref="pool:2026-07-06:P2:E000003"),
    ]
    [merged] = roll_up(pool, "weekly")
    assert (merged.pay_period, merged.amount) == ("2026-07-06", Decimal("30.00"))
    assert merged.source_ref == "pool:2026-07-06:P1:E000003;pool:2026-07-06:P2:E000003"


def test_roll_up_takes_weekly_lines_only():
    with pytest.raises(ValueError, match="not a week's Monday"):
        roll_up([line("E000001", "WEEKLY_GOAL_BONUS", "1.00", period="2026-07")], "monthly")
