"""Employee statements: worked examples B and C explained line by line, checked totals, exact JSON, safe HTML."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from exports.statements import (
    Statement,
    StatementError,
    build_period_statements,
    build_statement,
    statement_dict,
    statement_files,
    statement_html,
    statement_json,
)
from exports.statements.labels import _STEPS, labels, step_text
from exports.statements.render import decimal_text
from scoring.attainment import GoalItem, score_week
from scoring.joint_incentive import Contribution, DesignerWeek, allocate_project_pool, score_joint_week
from scoring.payroll_lines import build_payroll_lines
from scoring.plan import Plan, load_plan, parse_plan

WEEK = date(2026, 3, 2)
NEXT_WEEK = date(2026, 3, 9)
D = Decimal
ME = "E000001"
EMPLOYEE = {
    "employee_id": ME,
    "name": "张伟",
    "payroll_id": "P0001",
    "department": "Customer Service",
    "role": "customer_service",
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def stored(record: dict[str, object], plan: Plan, week: date = WEEK) -> dict[str, object]:
    """A row as the warehouse holds it: the record plus its week and the plan identity."""
    return {**record, "week_start": week, "plan_version": plan.version, "plan_hash": plan.content_hash}


def example_b_items(week: date = WEEK) -> list[GoalItem]:
    return [
        GoalItem(ME, week, "tickets_resolved", D("200"), D("230"), D("0.5"), "higher_is_better", "tickets"),
        GoalItem(ME, week, "first_response_minutes", D("10"), D("8"), D("0.3"), "lower_is_better", "minutes"),
        GoalItem(ME, week, "csat", D("4.5"), D("4.2"), D("0.2"), "higher_is_better", "points"),
    ]


def attendance_row(plan: Plan, week: date = WEEK, worked_minutes: int = 2475) -> dict[str, object]:
    overtime = max(D(worked_minutes - 2400), D(0)) / 60
    return stored(
        {
            "employee_id": ME,
            "days_scheduled": 5,
            "scheduled_hours": D("40.00"),
            "worked_hours": (D(worked_minutes) / 60).quantize(D("0.01")),
            "overtime_hours": overtime.quantize(D("0.01")),
            "worked_minutes": worked_minutes,
            "late_minutes": 21,
            "early_leave_minutes": 0,
            "days_present": 0,
            "days_absent": 2,
            "days_late": 3,
            "days_early_leave": 0,
            "days_on_leave": 0,
            "days_missing_checkout": 0,
            "reason_codes": "ABSENT_2D,LATE_3X",
        },
        plan,
        week,
    )


def example_b_rows(plan: Plan, week: date = WEEK) -> dict[str, list[dict[str, object]]]:
    """Worked example B (domain.md section 2) scored by scoring/, as the rows the warehouse would hold."""
    [goal], rejected = score_week(example_b_items(week), {ME: "customer_service"}, {}, plan)
    assert rejected == []
    lines = build_payroll_lines(week, plan, [goal])
    return {
        "goal_rows": [stored(goal.as_record(), plan, week)],
        "payroll_lines": [stored(line.as_record(), plan, week) for line in lines],
        "goal_progress_rows": [
            {"employee_id": ME, "week_start": week, "metric": "csat", "issue_key": "GOAL-7", "source_ref": "jql#7"}
        ],
    }


def full_rows(plan: Plan) -> dict[str, list[dict[str, object]]]:
    """Example B's goals plus example C's designer incentive, a project pool and overtime, for one designer."""
    [goal], _ = score_week(example_b_items(), {ME: "designer"}, {}, plan)
    designer = DesignerWeek(ME, WEEK, D("5000"), D("4"), D("0.015"), D("0.036"), D("0.020"), D("0.22"))
    joint, rejected = score_joint_week([designer], [], plan)
    assert rejected == []
    contributions = [
        Contribution(ME, "designer", D("30")),
        Contribution("E000002", "designer", D("10")),
        Contribution("E000003", "operator", D("5")),
    ]
    pool = allocate_project_pool("PJ-1", WEEK, D("150000.00"), contributions, plan)
    lines = build_payroll_lines(WEEK, plan, [goal], joint, [pool], {ME: D("1.25")})
    return {
        "goal_rows": [stored(goal.as_record(), plan)],
        "joint_rows": [stored(result.as_record(), plan) for result in joint],
        "pool_rows": [stored(share.as_record(), plan) for share in pool.shares],
        "project_profits": [
            {
                "project_id": "PJ-1",
                "week_start": WEEK,
                "revenue": D("200000.00"),
                "cost": D("40000.00"),
                "ad_spend": D("10000.00"),
                "profit": D("150000.00"),
                "currency": "CNY",
            }
        ],
        "attendance_rows": [attendance_row(plan)],
        "payroll_lines": [stored(line.as_record(), plan) for line in lines],
    }


def steps_by_name(block) -> dict[str, object]:
    return {step.name: step for step in block.steps}


def test_worked_example_b_shows_every_goal_step_and_the_bonus(plan):
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **example_b_rows(plan))

    [week] = statement.weeks
    goal = week.goal
    items = {item.metric: item for item in goal.items}
    assert {m: (i.ratio_working, i.ratio) for m, i in items.items()} == {
        "tickets_resolved": ("230 / 200", D("1.150000")),
        "first_response_minutes": ("10 / 8", D("1.250000")),
        "csat": ("4.2 / 4.5", D("0.933333")),
    }
    assert items["csat"].issue_keys == ("GOAL-7",)
    assert goal.ratio_cap == D("1.5")
    steps = steps_by_name(goal)
    assert steps["attainment"].working == "(0.2 × 0.933333 + 0.3 × 1.25 + 0.5 × 1.15) / 1"
    assert steps["attainment"].result == D("1.136667")
    assert steps["attainment_reported"].result == D("1.1367")
    assert (goal.band.band, goal.band.working) == ("exceeded", "1.1367 ≥ 1")
    assert steps["payout_multiplier"].working == "1 + (1.136667 - 1) / (1.2 - 1) × (1.3 - 1)"
    assert steps["payout_multiplier"].result == D("1.205000")
    assert steps["payout_multiplier"].approximate  # 1.136667 is rounded: by hand it gives 1.2050005
    assert (steps["bonus"].working, steps["bonus"].result) == ("500.00 × 1.205", D("602.50"))
    assert not steps["bonus"].approximate
    assert steps["extra_leave_hours"].result == D("2")
    assert goal.reason_codes == ()

    lines = {line.component_code: line for line in statement.lines}
    assert lines["WEEKLY_GOAL_BONUS"].amount == D("602.50")
    assert lines["WEEKLY_GOAL_BONUS"].source_ref == goal.ref
    assert lines["EXTRA_LEAVE_HOURS"].quantity == D("2.00")
    assert statement.grand_total == D("602.50")
    assert statement.plans[0].sha256 == plan.content_hash


def test_every_payroll_line_is_explained_and_the_total_is_their_sum(plan):
    statement = build_statement(EMPLOYEE | {"role": "designer"}, "2026-03-02", [plan], **full_rows(plan))

    [week] = statement.weeks
    refs = {week.goal.ref, week.attendance.ref, *(j.ref for j in week.joint), *(p.ref for p in week.pool_shares)}
    assert {line.source_ref for line in statement.lines} == refs
    amounts = {line.component_code: line.amount for line in statement.lines}
    assert amounts == {
        "WEEKLY_GOAL_BONUS": D("602.50"),
        "EXTRA_LEAVE_HOURS": D("0.00"),
        "JOINT_INCENTIVE": D("4660.00"),
        "PROJECT_POOL_SHARE": D("9000.00"),
        "OVERTIME_HOURS": D("0.00"),
    }
    assert statement.grand_total == sum(amounts.values()) == D("14262.50")
    assert [(q.component_code, q.quantity) for q in statement.quantity_totals] == [
        ("EXTRA_LEAVE_HOURS", D("2.00")),
        ("OVERTIME_HOURS", D("1.25")),
    ]

    [joint] = week.joint
    joint_steps = steps_by_name(joint)
    assert (joint_steps["design_quality"].working, joint_steps["design_quality"].result) == (
        "0.4 × 80 + 0.3 × 75 + 0.3 × 120",
        D("90.50"),
    )
    assert joint_steps["conversion_contribution"].result == D("95.00")
    assert (joint_steps["joint_score"].working, joint_steps["joint_score"].result) == (
        "0.4 × 90.5 + 0.6 × 95",
        D("93.2"),
    )
    assert (joint_steps["joint_pay"].working, joint_steps["joint_pay"].result) == ("5000.00 × 93.2 / 100", D("4660.00"))

    [share] = week.pool_shares
    pool_steps = steps_by_name(share)
    assert pool_steps["profit"].working == "200000.00 - 40000.00 - 10000.00"
    assert (pool_steps["pool"].working, pool_steps["pool"].result) == ("0.2 × 150000.00", D("30000.00"))
    assert (pool_steps["role_pool"].working, pool_steps["role_pool"].result) == ("30000.00 × 0.4", D("12000.00"))
    assert (pool_steps["pool_share"].working, pool_steps["pool_share"].result) == (
        "12000.00 × 30 / 40",
        D("9000.00"),
    )
    assert steps_by_name(week.attendance)["overtime_hours"].working == "max(2475 - 40 × 60, 0) / 60"


def test_a_person_with_only_some_components_gets_a_statement(plan):
    rows = full_rows(plan)
    overtime_only = {
        "attendance_rows": rows["attendance_rows"],
        "payroll_lines": [line for line in rows["payroll_lines"] if line["component_code"] == "OVERTIME_HOURS"],
    }
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **overtime_only)

    assert statement.grand_total == D("0")
    assert statement.weeks[0].goal is None and statement.weeks[0].joint == ()
    assert statement.quantity_totals[0].quantity == D("1.25")
    assert "1.25 hours" in statement_html(statement, "en").decode()


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("1E+3"), "1000"), (D("-0.00"), "0.00"), (D("0.0000001"), "0.0000001"), (D("602.50"), "602.50")],
)
def test_decimals_are_written_as_exact_fixed_point_text(value, text):
    assert decimal_text(value) == text
    assert D(text) == value


def test_json_round_trips_every_decimal_exactly(plan):
    statement = build_statement(EMPLOYEE | {"role": "designer"}, "2026-03-02", [plan], **full_rows(plan))
    data = json.loads(statement_json(statement))

    assert data["format"] == "hrhub.statement"
    assert data["grand_total"] == "14262.50"
    checked = _compare(dataclasses.asdict(statement), data)
    assert checked > 50  # every amount, ratio, weight and score of the statement was compared


def _compare(expected: object, written: object) -> int:
    """Walk the statement and its JSON together; every Decimal must come back equal, with the same places."""
    if isinstance(expected, dict):
        return sum(_compare(value, written[key]) for key, value in expected.items())
    if isinstance(expected, (list, tuple)):
        assert len(expected) == len(written)
        return sum(_compare(a, b) for a, b in zip(expected, written, strict=True))
    if isinstance(expected, Decimal):
        assert isinstance(written, str)
        parsed = Decimal(written)
        assert parsed == expected and parsed.as_tuple().exponent == expected.as_tuple().exponent
        return 1
    if isinstance(expected, date):
        assert written == expected.isoformat()
        return 0
    assert written == expected
    return 0


def test_html_escapes_a_malicious_name_and_loads_nothing_from_outside(plan):
    hostile = EMPLOYEE | {"name": '<script>alert("pay")</script>', "department": "R&D <b>"}
    statement = build_statement(hostile, "2026-03-02", [plan], **example_b_rows(plan))

    for locale in ("zh-CN", "en"):
        html = statement_html(statement, locale).decode()
        assert "<script" not in html
        assert "&lt;script&gt;alert(&#34;pay&#34;)&lt;/script&gt;" in html
        assert "R&amp;D &lt;b&gt;" in html
        assert not re.search(r"https?://|<link|<img|<iframe|\bsrc=|@import|url\(", html)
        assert "<style>" in html and "@media print" in html


def test_chinese_and_english_statements_use_their_own_labels(plan):
    rows = example_b_rows(plan)
    rows["attendance_rows"] = [attendance_row(plan, worked_minutes=2400)]
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)

    zh = statement_html(statement, "zh-CN").decode()
    en = statement_html(statement, "en").decode()
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    for text in (
        "个人薪酬明细说明",
        "周目标奖金",
        "超额完成",
        "602.50 CNY",
        "缺勤 2 天",
        "迟到 3 次",
        "客服",
        "奖金系数",
    ):
        assert text in zh
    for text in (
        "Pay statement",
        "Weekly goal bonus",
        "Exceeded",
        "602.50 CNY",
        "absent 2 day(s)",
        "Payout multiplier",
    ):
        assert text in en
    assert "Weekly goal bonus" not in zh and "周目标奖金" not in en
    assert "500.00 × 1.205" in zh and "500.00 × 1.205" in en  # the working itself is language neutral
    assert "≈ 1.205000" in en and "redoing the arithmetic by hand" in en  # rounded inputs are marked, not hidden
    assert "≈ 1.205000" in zh and "手工复算" in zh


def test_every_step_and_label_has_words_in_both_locales(plan):
    statement = build_statement(EMPLOYEE | {"role": "designer"}, "2026-03-02", [plan], **full_rows(plan))
    week = statement.weeks[0]
    blocks = [week.goal, week.attendance, *week.joint, *week.pool_shares]
    names = {step.name for block in blocks for step in block.steps}

    assert set(labels("zh-CN")) == set(labels("en"))
    assert set(_STEPS["zh-CN"]) == set(_STEPS["en"])
    for locale in ("zh-CN", "en"):
        for name in names:
            label, rule = step_text(name, locale)
            assert label != name and rule


def test_same_input_gives_the_same_bytes_and_file_names(plan):
    rows = full_rows(plan)
    reordered = {name: list(reversed(found)) for name, found in rows.items()}
    first = build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)
    second = build_statement(EMPLOYEE, "2026-03-02", [plan], **reordered)

    assert statement_json(first) == statement_json(second)
    for locale in ("zh-CN", "en"):
        files = statement_files(first, locale)
        assert files == statement_files(second, locale)
        assert all(re.fullmatch(r"statement_E000001_2026-03-02_[0-9a-f]{8}\.(json|html)", name) for name in files)
    zh_names, en_names = set(statement_files(first, "zh-CN")), set(statement_files(first, "en"))
    assert len(zh_names & en_names) == 1 and next(iter(zh_names & en_names)).endswith(".json")
    changed = dataclasses.replace(first, employee=dataclasses.replace(first.employee, name="王芳"))
    assert statement_files(changed, "en").keys().isdisjoint(statement_files(first, "en").keys())


def _replace_line(rows, code, **changes):
    return [line | changes if line["component_code"] == code else line for line in rows["payroll_lines"]]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda rows: _replace_line(rows, "WEEKLY_GOAL_BONUS", amount=D("602.51")), "differs from the 602.50"),
        (lambda rows: _replace_line(rows, "OVERTIME_HOURS", quantity=D("2.00")), "quantity 2.00 differs"),
        (
            lambda rows: [line for line in rows["payroll_lines"] if line["component_code"] != "PROJECT_POOL_SHARE"],
            "has no line for it",
        ),
        (
            lambda rows: [*rows["payroll_lines"], rows["payroll_lines"][0] | {"source_ref": "adjustment:2026-02-23"}],
            "is not explained",
        ),
        (lambda rows: [*rows["payroll_lines"], rows["payroll_lines"][0]], "appears twice"),
        (lambda rows: _replace_line(rows, "JOINT_INCENTIVE", pay_period="2026-03-09"), "belongs to pay period"),
    ],
)
def test_lines_that_do_not_add_up_to_the_working_are_an_error(plan, tamper, message):
    rows = full_rows(plan)
    rows["payroll_lines"] = tamper(rows)

    with pytest.raises(StatementError, match=re.escape(message)):
        build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)


def test_a_grand_total_other_than_the_sum_of_the_lines_cannot_exist(plan):
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **example_b_rows(plan))

    with pytest.raises(StatementError, match="is not the sum of its payroll lines"):
        dataclasses.replace(statement, grand_total=statement.grand_total + D("0.01"))
    with pytest.raises(StatementError, match="lines are in USD"):
        dataclasses.replace(statement, lines=tuple(dataclasses.replace(x, currency="USD") for x in statement.lines))


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("goal_rows", "bonus", D("700.00"), "stored bonus 700.00 does not follow"),
        ("goal_rows", "band", "high_performer", "stored band"),
        ("joint_rows", "pay", D("4700.00"), "stored pay 4700.00"),
        ("pool_rows", "credited_orders", D("31"), "stored amount"),
        ("attendance_rows", "overtime_hours", D("2.00"), "stored overtime_hours"),
    ],
)
def test_a_score_row_its_inputs_do_not_explain_is_an_error(plan, table, column, value, message):
    rows = full_rows(plan)
    rows[table] = [row | {column: value} if row["employee_id"] == ME else row for row in rows[table]]

    with pytest.raises(StatementError, match=re.escape(message)):
        build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)


def test_rows_scored_with_a_plan_that_was_not_supplied_are_an_error(plan):
    other = parse_plan(plan.model_dump_json().replace('"2026.1"', '"2026.2"'), "other")  # JSON is valid YAML

    with pytest.raises(StatementError, match=re.escape("scored with plan 2026.1 (")):
        build_statement(EMPLOYEE, "2026-03-02", [other], **example_b_rows(plan))


def test_period_statements_list_whoever_cannot_be_explained_and_keep_the_others(plan):
    rows = full_rows(plan)
    statements, rejected = build_period_statements(
        "2026-03-02",
        [EMPLOYEE | {"role": "designer"}, {"employee_id": "E000002", "name": "李娜", "role": "designer"}],
        [plan],
        **rows,
    )

    assert [s.employee.employee_id for s in statements] == [ME, "E000002"]
    assert statements[1].grand_total == D("3000.00")
    assert [(r.employee_id, r.reason) for r in rejected] == [
        ("E000003", "employee E000003 is not in the employee directory")
    ]


def test_a_monthly_statement_explains_each_week_from_the_weekly_lines(plan):
    weekly = [example_b_rows(plan, week) for week in (WEEK, NEXT_WEEK)]
    rows = {name: [row for week in weekly for row in week[name]] for name in weekly[0]}
    statement = build_statement(EMPLOYEE, "2026-03", [plan], weeks=[WEEK, NEXT_WEEK, date(2026, 3, 16)], **rows)

    assert statement.period_weeks == (WEEK, NEXT_WEEK, date(2026, 3, 16))
    assert [week.week_start for week in statement.weeks] == [WEEK, NEXT_WEEK]
    assert statement.grand_total == D("1205.00")
    assert statement_dict(statement)["pay_period"] == "2026-03"
    assert "2026-W11" in statement_html(statement, "en").decode()

    with pytest.raises(StatementError, match="is not in a week of pay period 2026-03"):
        build_statement(EMPLOYEE, "2026-03", [plan], weeks=[WEEK], **rows)


def test_file_names_refuse_text_that_could_leave_the_folder(plan):
    statement: Statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **example_b_rows(plan))

    with pytest.raises(ValueError, match="cannot be part of a file name"):
        statement_files(dataclasses.replace(statement, pay_period="../2026-03"), "en")


# ---------- leave redeemed with activity points


def redemption_row(plan: Plan, request_id: str, status: str = "granted", item: str = "LEAVE_8H", hours: int = 8):
    """A ``scoring.points_redemptions`` row as the ledger stores it."""
    record = {"request_id": request_id, "employee_id": ME, "item_code": item, "status": status}
    return stored({**record, "points": 500, "leave_hours": hours}, plan)


def with_redeemed_leave(plan: Plan) -> dict[str, list[dict[str, object]]]:
    """Example B plus two granted leave redemptions, one refused and one for goods (no payroll line)."""
    from scoring.payroll_lines import build_redeemed_leave_lines

    redemptions = [
        redemption_row(plan, "RR-7"),
        redemption_row(plan, "RR-3"),
        redemption_row(plan, "RR-5", status="refused", hours=0),
        redemption_row(plan, "RR-9", item="GOODS_GIFT_CARD", hours=0),
    ]
    rows = example_b_rows(plan)
    leave_lines = build_redeemed_leave_lines(WEEK, plan, redemptions)
    rows["payroll_lines"] += [stored(line.as_record(), plan) for line in leave_lines]
    return {**rows, "redemption_rows": redemptions}


def test_leave_redeemed_with_points_shows_as_its_own_line_in_json_and_html(plan):
    rows = with_redeemed_leave(plan)
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)

    leave = statement.leave_from_points
    assert leave is not None
    assert (leave.component_code, leave.hours, leave.unit, leave.request_ids) == (
        "REDEEMED_LEAVE_HOURS",
        D("16.00"),
        "hours",
        ("RR-3", "RR-7"),
    )
    # Hours, never money: the grand total is the goal bonus alone.
    bonus = [line.amount for line in statement.lines if line.component == "weekly_goal_bonus"]
    assert statement.grand_total == sum(bonus) > 0
    [week] = statement.weeks
    assert [(b.request_id, b.item_code, b.leave_hours, b.points) for b in week.redeemed_leave] == [
        ("RR-3", "LEAVE_8H", D("8"), 500),
        ("RR-7", "LEAVE_8H", D("8"), 500),
    ]

    data = json.loads(statement_json(statement))
    assert data["leave_from_points"] == {
        "component_code": "REDEEMED_LEAVE_HOURS",
        "hours": "16.00",
        "unit": "hours",
        "request_ids": ["RR-3", "RR-7"],
    }
    english = statement_html(statement, "en").decode()
    chinese = statement_html(statement, "zh-CN").decode()
    assert re.search(r"Leave from points.*?16\.00 hours.*?Redemption requests \(2\).*?RR-3, RR-7", english, re.S)
    assert re.search(r"积分兑换假期.*?16\.00 hours.*?兑换申请 \(2\).*?RR-3, RR-7", chinese, re.S)
    assert 'id="points_redemptions:2026-03-02:E000001:RR-7"' in english  # each line links to its request's block


def test_a_statement_without_redemptions_has_no_leave_from_points_line(plan):
    statement = build_statement(EMPLOYEE, "2026-03-02", [plan], **example_b_rows(plan))
    assert statement.leave_from_points is None
    assert json.loads(statement_json(statement))["leave_from_points"] is None
    assert "Leave from points" not in statement_html(statement, "en").decode()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda rows: rows.update(redemption_rows=[]), "not explained by any score"),
        (lambda rows: rows["redemption_rows"][0].update(leave_hours=16), "leave_hours 16 differs from the 8 h"),
        (lambda rows: rows["redemption_rows"][0].update(item_code="LEAVE_99H"), "LEAVE_99H is not in plan"),
        (lambda rows: rows["redemption_rows"][0].update(status="pending"), "status 'pending'"),
        (
            lambda rows: rows["payroll_lines"][-1].update(quantity=D("4.00")),
            "quantity 4.00 differs from the 8 its working gives",
        ),
    ],
)
def test_redeemed_leave_that_its_redemption_does_not_explain_is_an_error(plan, tamper, message):
    rows = with_redeemed_leave(plan)
    tamper(rows)
    with pytest.raises(StatementError, match=re.escape(message)):
        build_statement(EMPLOYEE, "2026-03-02", [plan], **rows)


def test_period_statements_explain_redeemed_leave_and_ignore_lone_redemptions(plan):
    rows = with_redeemed_leave(plan)
    stranger = {**redemption_row(plan, "RR-1"), "employee_id": "E000099"}  # no payroll line: no statement
    rows["redemption_rows"] = [*rows["redemption_rows"], stranger]
    statements, rejected = build_period_statements("2026-03-02", [EMPLOYEE], [plan], **rows)
    assert rejected == []
    [statement] = statements
    assert statement.leave_from_points is not None and statement.leave_from_points.hours == D("16.00")
