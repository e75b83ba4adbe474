"""The inbox renderer writes one week's files the way the real producers write them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from sandbox.inbox import render_inbox_week, write_inbox_week

WEEK = date(2026, 3, 2)
TZ = "Asia/Shanghai"


def _dates(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[s]")


def small_company_tables() -> dict[str, pd.DataFrame]:
    """A hand-made company around the week of 2026-03-02, with rows on both sides of every week edge."""
    employees = pd.DataFrame(
        {
            "employee_id": ["E000001", "E000002", "E000003", "E000004"],
            "name": ["张伟", "李娜", "王强", "赵敏"],
            "department": ["R&D", "Design", "Customer Service", "Operations"],
            "team": ["R&D-1", "Design-1", "CS-1", "Ops-1"],
            "project_group": ["PG-A", "PG-A", "PG-B", "PG-B"],
            "city": ["Shanghai", "Chengdu", "Wuhan", "Xi'an"],
            "role": ["engineer", "designer", "customer_service", "operator"],
            "manager_id": [None, "E000001", "E000001", "E000001"],
            "hire_date": _dates(["2025-01-06", "2024-05-01", "2026-03-03", "2026-03-10"]),
            "termination_date": _dates([None, "2026-03-04", None, None]),
            "timezone": [TZ] * 4,
            "shift_code": ["DAY", "EVENING", "NIGHT", "DAY"],
            "attendance_source": ["zk", "zk", "wecom", "zk"],
            "zk_pin": ["00012", "00345", None, "00400"],
            "wecom_userid": [None, "lina", "wangqiang", None],
            "jira_account_id": ["5b10ac8d82e05b22cc7d4ef5", None, None, None],
            "payroll_id": ["P-0001", "P-0002", "P-0003", "P-0004"],
            "variable_base": ["3000.00", "2500.00", "2000.00", "2800.00"],
        }
    )
    shifts = pd.DataFrame(
        {
            "shift_code": ["DAY", "EVENING", "NIGHT"],
            "start_time": ["09:00", "16:00", "22:00"],
            "end_time": ["18:00", "00:00", "06:00"],
            "break_minutes": [60, 60, 60],
        }
    )
    roster = pd.DataFrame(
        {
            "employee_id": ["E000001", "E000001", "E000002", "E000003", "E000001"],
            "work_date": _dates(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-08", "2026-03-09"]),
            "shift_code": ["DAY", "DAY", "EVENING", "NIGHT", "DAY"],
        }
    )
    leave = pd.DataFrame(
        {
            "employee_id": ["E000001", "E000002"],
            "leave_date": _dates(["2026-03-05", "2026-02-27"]),
            "hours": [8.0, 4.5],
            "leave_type": ["annual", "sick"],
            "status": ["approved", "approved"],
        }
    )
    punches = pd.DataFrame(
        {
            "employee_id": ["E000001", "E000001", "E000001", "E000002", "E000002", "E000003", "E000001"],
            "source": ["zk", "zk", "zk", "zk", "zk", "wecom", "zk"],
            "device_sn": ["ZK01", "ZK01", "ZK01", "ZK02", "ZK02", None, "ZK01"],
            "punch_time_local": pd.to_datetime(
                [
                    "2026-03-01 23:59:59",  # the Sunday before: another week
                    "2026-03-02 09:07:00",
                    "2026-03-02 18:02:00",
                    "2026-03-03 15:55:10",
                    "2026-03-08 23:59:59",  # last second of the week
                    "2026-03-03 21:55:00",
                    "2026-03-09 09:00:00",  # next Monday
                ]
            ),
            "punch_state": [1, 0, 1, 0, 1, 0, 0],
        }
    )
    project_pnl = pd.DataFrame(
        {
            "project_id": ["P01", "P01", "P02"],
            "week_start": _dates(["2026-03-02", "2026-03-09", "2026-03-02"]),
            "revenue": ["150000.00", "1.00", "-20.50"],
            "cost": ["90000.00", "1.00", "10.00"],
            "ad_spend": ["10000.00", "0.00", "0.00"],
            "currency": ["CNY", "CNY", "CNY"],
        }
    )
    products = pd.DataFrame(
        {
            "product_id": ["PR01", "PR02"],
            "shopify_product_id": ["7700001", "7700002"],
            "title": ["Aurora Tee", "Boreal Mug"],
            "page_path": ["/products/aurora-tee", "/products/boreal-mug"],
            "project_id": ["P01", "P02"],
        }
    )
    product_operators = pd.DataFrame({"product_id": ["PR01", "PR01"], "employee_id": ["E000004", "E000001"]})
    creatives = pd.DataFrame(
        {
            "creative_id": ["C01", "C02", "C03"],
            "product_id": ["PR01", "PR01", "PR02"],
            "designer_id": ["E000002", "E000002", "E000002"],
            "live_from": _dates(["2026-02-01", "2026-01-01", "2026-03-08"]),
            "live_to": _dates([None, "2026-02-28", None]),
            "operator_rating": [4, 3, 5],
        }
    )
    activities = pd.DataFrame(
        {
            "activity_id": ["A01", "A02"],
            "activity_type": ["story", "challenge"],
            "title": ["Share a win", "Bug bash"],
            "week_start": _dates(["2026-03-02", "2026-03-02"]),
        }
    )
    activity_events = pd.DataFrame(
        {
            "event_id": ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"],
            "event_type": ["story_published", "story_liked", "challenge_joined", "story_liked", "story_liked"],
            "activity_id": ["A01", "A01", "A02", "A01", "A01"],
            "employee_id": ["E000001", "E000002", "E000003", "E000003", "E000002"],
            "counterpart_id": [None, "E000001", None, "E000001", "E000001"],
            "story_id": ["S1", "S1", None, "S1", "S1"],
            "team_id": ["R&D-1", "Design-1", "CS-1", "CS-1", "Design-1"],
            "occurred_at_utc": pd.to_datetime(
                [
                    "2026-03-01T16:00:00Z",  # Monday 00:00 in Shanghai: inside the week
                    "2026-03-02T03:00:00Z",
                    "2026-03-04T08:30:00Z",
                    "2026-03-01T15:59:59Z",  # Sunday 23:59:59 in Shanghai: the week before
                    "2026-03-08T15:59:59Z",  # Sunday 23:59:59 in Shanghai: last second of the week
                ],
                utc=True,
            ),
        }
    )
    return {
        "employees": employees,
        "shifts": shifts,
        "roster": roster,
        "leave": leave,
        "punches": punches,
        "project_pnl": project_pnl,
        "products": products,
        "product_operators": product_operators,
        "creatives": creatives,
        "activities": activities,
        "activity_events": activity_events,
    }


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return small_company_tables()


def _csv(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_writes_the_week_folder_with_every_expected_file(tables, tmp_path):
    paths = write_inbox_week(tables, WEEK, tmp_path, TZ)

    assert {p.parent for p in paths} == {tmp_path / "2026-03-02"}
    assert sorted(p.name for p in paths) == [
        "ZK01_attlog.dat",
        "ZK02_attlog.dat",
        "activity_calendar.csv",
        "activity_events.jsonl",
        "creative_registry.csv",
        "employee_identity.csv",
        "hr_roster.csv",
        "leave_requests.csv",
        "product_registry.csv",
        "project_pnl.csv",
        "shift_roster.csv",
    ]


def test_attlog_is_the_device_format_with_only_the_weeks_punches(tables):
    files = render_inbox_week(tables, WEEK, TZ)

    assert files["ZK01_attlog.dat"] == (
        b"00012\t2026-03-02 09:07:00\t1\t0\t0\t0\r\n00012\t2026-03-02 18:02:00\t1\t1\t0\t0\r\n"
    )
    assert files["ZK02_attlog.dat"].split(b"\r\n")[:-1] == [
        b"00345\t2026-03-03 15:55:10\t1\t0\t0\t0",
        b"00345\t2026-03-08 23:59:59\t1\t1\t0\t0",
    ]


def test_hr_roster_is_a_snapshot_as_of_the_week(tables):
    rows = _csv(render_inbox_week(tables, WEEK, TZ)["hr_roster.csv"], "utf-8-sig")
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    assert sorted(by_id) == ["E000001", "E000002", "E000003"]  # E000004 is hired after the week
    assert by_id["E000002"]["termination_date"] == "2026-03-04"
    assert by_id["E000001"]["manager_id"] == ""
    assert by_id["E000001"]["variable_base"] == "3000.00"


def test_identity_crosswalk_has_one_row_per_known_external_id(tables):
    rows = _csv(render_inbox_week(tables, WEEK, TZ)["employee_identity.csv"], "utf-8-sig")

    assert rows[0] == ["employee_id", "system", "external_id", "valid_from", "valid_to"]
    assert sorted(rows[1:]) == [
        ["E000001", "jira", "5b10ac8d82e05b22cc7d4ef5", "2025-01-06", ""],
        ["E000001", "zk", "00012", "2025-01-06", ""],
        ["E000002", "wecom", "lina", "2024-05-01", "2026-03-04"],
        ["E000002", "zk", "00345", "2024-05-01", "2026-03-04"],
        ["E000003", "wecom", "wangqiang", "2026-03-03", ""],
    ]


def test_hr_attendance_exports_are_gbk_with_chinese_headers(tables):
    files = render_inbox_week(tables, WEEK, TZ)

    with pytest.raises(UnicodeDecodeError):
        files["shift_roster.csv"].decode("utf-8")
    shifts = _csv(files["shift_roster.csv"], "gbk")
    assert shifts[0] == ["工号", "日期", "班次", "上班时间", "下班时间", "休息分钟"]
    assert shifts[1:] == [
        ["E000001", "2026-03-02", "DAY", "09:00", "18:00", "60"],
        ["E000002", "2026-03-03", "EVENING", "16:00", "00:00", "60"],
        ["E000003", "2026-03-08", "NIGHT", "22:00", "06:00", "60"],
    ]
    leave = _csv(files["leave_requests.csv"], "gbk")
    assert leave == [
        ["工号", "请假日期", "时长(小时)", "假期类型", "审批状态"],
        ["E000001", "2026-03-05", "8", "annual", "approved"],
    ]


def test_registries_and_pnl(tables):
    files = render_inbox_week(tables, WEEK, TZ)

    creatives = _csv(files["creative_registry.csv"], "utf-8")
    assert [row[0] for row in creatives[1:]] == ["C01", "C03"]  # C02 went offline before the week
    products = _csv(files["product_registry.csv"], "utf-8")
    assert products[1:] == [
        ["PR01", "7700001", "/products/aurora-tee", "P01", "E000001"],
        ["PR01", "7700001", "/products/aurora-tee", "P01", "E000004"],
        ["PR02", "7700002", "/products/boreal-mug", "P02", ""],
    ]
    pnl = _csv(files["project_pnl.csv"], "utf-8")
    assert pnl == [
        ["project_id", "week", "revenue", "cost", "ad_spend", "currency"],
        ["P01", "2026-03-02", "150000.00", "90000.00", "10000.00", "CNY"],
        ["P02", "2026-03-02", "-20.50", "10.00", "0.00", "CNY"],
    ]


def test_activity_feed_keeps_the_local_week_and_redelivers_some_events(tables):
    lines = render_inbox_week(tables, WEEK, TZ)["activity_events.jsonl"].decode("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    ids = [event["event_id"] for event in events]

    assert sorted(set(ids)) == ["ev-1", "ev-2", "ev-3", "ev-5"]  # ev-4 is Sunday night local time
    assert len(ids) == 5  # one of the four delivered twice
    first = next(e for e in events if e["event_id"] == "ev-1")
    assert first == {
        "event_id": "ev-1",
        "event_type": "story_published",
        "activity_id": "A01",
        "activity_type": "story",
        "employee_id": "E000001",
        "counterpart_id": None,
        "story_id": "S1",
        "team_id": "R&D-1",
        "occurred_at": "2026-03-01T16:00:00Z",
    }


def test_about_one_percent_of_a_large_feed_is_delivered_twice(tables):
    count = 1000
    tables["activity_events"] = pd.DataFrame(
        {
            "event_id": [f"ev-{i}" for i in range(count)],
            "event_type": ["quiz_answered"] * count,
            "activity_id": ["A01"] * count,
            "employee_id": ["E000001"] * count,
            "counterpart_id": [None] * count,
            "story_id": [None] * count,
            "team_id": ["R&D-1"] * count,
            "occurred_at_utc": pd.Timestamp("2026-03-03T02:00:00Z"),
        }
    )
    lines = render_inbox_week(tables, WEEK, TZ)["activity_events.jsonl"].splitlines()

    assert len(lines) == count + 10


def test_rendering_is_deterministic_and_ignores_input_row_order(tables):
    shuffled = {name: frame.sample(frac=1, random_state=7) for name, frame in tables.items()}

    assert render_inbox_week(tables, WEEK, TZ) == render_inbox_week(shuffled, WEEK, TZ)


def test_decimal_money_and_numbers_render_as_plain_text(tables):
    tables["project_pnl"] = tables["project_pnl"].assign(revenue=[Decimal("150000.00"), Decimal("1.00"), Decimal("2")])
    pnl = _csv(render_inbox_week(tables, WEEK, TZ)["project_pnl.csv"], "utf-8")

    assert [row[2] for row in pnl[1:]] == ["150000.00", "2"]


def test_refuses_a_week_that_is_not_a_monday(tables, tmp_path):
    with pytest.raises(ValueError, match="Monday"):
        write_inbox_week(tables, date(2026, 3, 3), tmp_path, TZ)


def test_names_the_missing_sample_tables(tables, tmp_path):
    del tables["creatives"]
    with pytest.raises(KeyError, match="creatives"):
        write_inbox_week(tables, WEEK, tmp_path, TZ)
