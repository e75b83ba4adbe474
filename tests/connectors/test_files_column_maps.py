"""Header synonyms and the date/time normalisers that exported spreadsheets need."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.files.column_maps import (
    IGNORED,
    PROJECT_PNL,
    PUNCH_EXPORT,
    SHIFT_ROSTER,
    HeaderError,
    excel_serial_to_datetime,
    map_header,
    normalize_clock,
    normalize_date,
    normalize_timestamp,
)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45658, datetime(2025, 1, 1)),
        (61, datetime(1900, 3, 1)),
        (46083.5, datetime(2026, 3, 2, 12, 0)),
        (46083.3798611111, datetime(2026, 3, 2, 9, 7, 0)),
    ],
)
def test_excel_serial_dates(serial, expected):
    assert excel_serial_to_datetime(serial) == expected


@pytest.mark.trust("bad input", "files: column maps")
def test_excel_serials_before_the_1900_leap_bug_are_refused():
    with pytest.raises(ValueError, match="outside"):
        excel_serial_to_datetime(59)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", "2026-03-02"),
        ("2026/3/2", "2026-03-02"),
        ("2026年3月2日", "2026-03-02"),
        ("20260302", "2026-03-02"),
        ("46083", "2026-03-02"),
        ("46083.0", "2026-03-02"),
        ("2026", "2026"),  # a bare year is not a serial
        ("2026-02-30", "2026-02-30"),  # not a date: left for validation to quarantine
        ("soon", "soon"),
    ],
)
def test_normalize_date(text, expected):
    assert normalize_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:00", "09:00"), ("09:00:00", "09:00"), ("0.375", "09:00"), ("0", "00:00"), ("25:00", "25:00")],
)
def test_normalize_clock(text, expected):
    assert normalize_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/3/2 9:07", "2026-03-02 09:07:00"),
        ("2026-03-02T09:07:05", "2026-03-02 09:07:05"),
        ("46083.75", "2026-03-02 18:00:00"),
        ("2026-03-02", "2026-03-02"),
    ],
)
def test_normalize_timestamp(text, expected):
    assert normalize_timestamp(text) == expected


def test_the_same_chinese_header_means_different_columns_per_file():
    punch_header = ["工号", "日期", "时间", "机器号", "出入状态"]
    roster_header = ["工号", "日期", "班次", "上班时间", "下班时间", "休息分钟"]

    assert map_header(punch_header, PUNCH_EXPORT, "x.csv")[:3] == ["pin", "punch_date", "punch_clock"]
    assert map_header(roster_header, SHIFT_ROSTER, "x.csv")[:2] == ["employee_id", "work_date"]


def test_known_but_unkept_headers_are_marked_ignored():
    header = ["考勤号码", "姓名", "打卡时间", "机器号", "出入状态"]

    assert map_header(header, PUNCH_EXPORT, "x.csv") == ["pin", IGNORED, "punch_time_local", "device_sn", "punch_state"]


def test_the_pnl_week_column_becomes_week_start_reported():
    header = ["Project_ID", "Week", "Revenue", "Cost", "Ad Spend", "Currency"]

    assert map_header(header, PROJECT_PNL, "x.csv")[1] == "week_start_reported"


@pytest.mark.trust("bad input", "files: column maps")
def test_two_headers_for_the_same_column_are_refused():
    with pytest.raises(HeaderError, match="same column"):
        map_header(["工号", "员工编号", "日期", "班次", "上班时间", "下班时间", "休息分钟"], SHIFT_ROSTER, "x.csv")
