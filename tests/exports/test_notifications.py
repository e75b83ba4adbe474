from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from exports.manifest import build_manifest
from exports.notifications import (
    MAX_LISTED_MEMBERS,
    AtRiskMember,
    EmployeeWeeklyResult,
    employee_weekly_message,
    export_ready_message,
    manager_at_risk_message,
)
from exports.payroll import render_long_csv
from tests.exports.helpers import EMPLOYEES, Line, sample_lines

WEEK = date(2026, 3, 2)
RESULT = EmployeeWeeklyResult(
    employee_id="E000001",
    name="张伟",
    week_start=WEEK,
    attainment=Decimal("1.136666"),
    band="exceeded",
    bonus=Decimal("1602.5"),
    currency="CNY",
    points=164,
)


def test_employee_weekly_result_in_chinese_by_default():
    message = employee_weekly_message(RESULT)

    assert message.locale == "zh-CN"
    assert message.recipient == "E000001"
    assert message.channel == "wecom"
    assert "2026-W10" in message.subject
    body = message.body_markdown
    assert "张伟" in body
    assert "**113.67%**" in body
    assert "超额完成" in body
    assert "**1,602.50 CNY**" in body
    assert "活动积分：164" in body


def test_employee_weekly_result_in_english():
    body = employee_weekly_message(RESULT, locale="en").body_markdown

    assert "Goal attainment: **113.67%**" in body
    assert "Band: **Exceeded**" in body
    assert "Weekly bonus: **1,602.50 CNY**" in body
    assert "Activity points: 164" in body


def test_numbers_round_half_up_to_two_places():
    result = dataclasses.replace(RESULT, attainment=Decimal("0.801250"), bonus=Decimal("0.125"))
    for locale in ("zh-CN", "en"):
        body = employee_weekly_message(result, locale=locale).body_markdown
        assert "80.13%" in body
        assert "0.13 CNY" in body  # banker's rounding would show 0.12


def test_idempotency_key_is_stable_across_reruns_and_locales_but_not_across_facts():
    key = employee_weekly_message(RESULT).idempotency_key

    assert employee_weekly_message(dataclasses.replace(RESULT)).idempotency_key == key
    assert employee_weekly_message(RESULT, locale="en").idempotency_key == key
    assert len(key) == 64 and int(key, 16) >= 0
    assert employee_weekly_message(dataclasses.replace(RESULT, employee_id="E000002")).idempotency_key != key
    assert employee_weekly_message(dataclasses.replace(RESULT, week_start=date(2026, 3, 9))).idempotency_key != key
    assert employee_weekly_message(dataclasses.replace(RESULT, bonus=Decimal("1600"))).idempotency_key != key


def test_manager_at_risk_list_lowest_first_with_attendance_reasons():
    members = [
        AtRiskMember("E000002", "李娜", Decimal("0.75"), ("ABSENT_2D", "LATE_3X")),
        AtRiskMember("E000003", "王芳", Decimal("0.4"), ("MISSING_CHECKOUT_1D",)),
        AtRiskMember("E000004", "赵磊", Decimal("0.7"), ()),
    ]
    zh = manager_at_risk_message("E000010", WEEK, members)
    en = manager_at_risk_message("E000010", WEEK, members, locale="en")

    assert zh.recipient == "E000010"
    assert "（3 人）" in zh.subject
    zh_lines = [line for line in zh.body_markdown.splitlines() if line.startswith("- ")]
    assert zh_lines == [
        "- 王芳（E000003）：达成率 **40.00%**；考勤：缺卡（未签退）1 天",
        "- 赵磊（E000004）：达成率 **70.00%**；考勤：无异常",
        "- 李娜（E000002）：达成率 **75.00%**；考勤：缺勤 2 天、迟到 3 次",
    ]
    assert "- 李娜 (E000002): attainment **75.00%**; attendance: absent 2 day(s), late 3 time(s)" in en.body_markdown
    assert zh.idempotency_key == en.idempotency_key
    assert manager_at_risk_message("E000010", WEEK, list(reversed(members))).idempotency_key == zh.idempotency_key


def test_manager_list_is_capped_and_unknown_reason_codes_are_shown_as_is():
    members = [AtRiskMember(f"E{i:06d}", f"员工{i}", Decimal("0.5"), ("NEW_CODE",)) for i in range(40)]
    body = manager_at_risk_message("E000099", WEEK, members, locale="en").body_markdown

    assert body.count("attainment **50.00%**; attendance: NEW_CODE") == MAX_LISTED_MEMBERS
    assert f"…and {40 - MAX_LISTED_MEMBERS} more" in body
    assert len(body.encode("utf-8")) < 4096  # WeCom's markdown limit
    with pytest.raises(ValueError, match="no at-risk members"):
        manager_at_risk_message("E000099", WEEK, [])


def test_names_cannot_inject_markup():
    result = dataclasses.replace(RESULT, name="**Boss** <@all>")
    body = employee_weekly_message(result, locale="en").body_markdown
    assert "**Boss**" not in body and "<@all>" not in body
    assert "＊＊Boss＊＊ ＜@all＞" in body


def test_export_ready_tells_hr_the_file_rows_and_totals():
    employees = {**EMPLOYEES, "E000004": (None, "赵磊")}
    export = render_long_csv([*sample_lines(), Line("E000004", "WEEKLY_GOAL_BONUS", Decimal("1.00"))], employees)
    manifest = build_manifest(export, plan_hash="p", input_fingerprint="f", generator_version="0.1.0")

    zh = export_ready_message(manifest, recipient="hr-payroll")
    en = export_ready_message(manifest, recipient="hr-payroll", locale="en")

    assert zh.recipient == "hr-payroll"
    assert export.file_name in zh.body_markdown and export.file_name in en.body_markdown
    assert "行数：7" in zh.body_markdown
    assert "合计：**14,067.25 CNY**" in zh.body_markdown
    assert "- PROJECT_POOL_SHARE：12,000.00 CNY（1 行）" in zh.body_markdown
    assert "- OVERTIME_HOURS: 0.00 CNY (rows: 2, quantity 6.50 hours)" in en.body_markdown
    assert "lines not exported: 1" in en.body_markdown
    assert export_ready_message(manifest, recipient="hr-payroll").idempotency_key == zh.idempotency_key


def test_unsupported_locale_is_a_clear_error():
    with pytest.raises(ValueError, match="locale 'fr' is not supported"):
        employee_weekly_message(RESULT, locale="fr")
