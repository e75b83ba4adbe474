"""Planning exports (inquiries, promotion calendar, shift requests): Chinese or English headers map onto the raw
columns, bad rows are quarantined with their reason, an unknown header stops the file."""

from __future__ import annotations

import json
from datetime import date

import pytest

from connectors.files import read_inbox_week
from connectors.files.column_maps import HeaderError
from connectors.files.planning_exports import (
    percent_to_decimal_text,
    read_promotion_calendar,
    read_service_inquiries,
    read_shift_requests,
)


def _write(tmp_path, name, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _quarantined(result) -> dict[str, str]:
    return dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))


def test_inquiries_with_chinese_headers_and_short_clock_times(tmp_path):
    text = "时段,咨询量\r\n2026-03-02 20:00,301\r\n2026/3/2 21:00:00,299\r\n"

    result = read_service_inquiries(_write(tmp_path, "cs_inquiries.csv", text, "gbk"))

    assert result.quarantine.empty
    assert result.rows.values.tolist() == [
        ["2026-03-02 20:00:00", "301", "cs_inquiries.csv:2"],
        ["2026-03-02 21:00:00", "299", "cs_inquiries.csv:3"],
    ]


@pytest.mark.trust("bad input", "files: planning exports")
def test_inquiry_rows_that_are_not_hour_starts_or_counts_are_quarantined(tmp_path):
    text = "hour_start,inquiries\n2026-03-02 20:30,10\n2026-03-02 21:00,-4\n2026-03-02 22:00,12.5\n2026-03-02 23:00,7\n"

    result = read_service_inquiries(_write(tmp_path, "cs_inquiries.csv", text))

    assert result.rows["hour_start_local"].tolist() == ["2026-03-02 23:00:00"]
    reasons = _quarantined(result)
    assert set(reasons) == {"cs_inquiries.csv:2", "cs_inquiries.csv:3", "cs_inquiries.csv:4"}
    assert (
        "hour_start_local failed is_hour_start YYYY-MM-DD HH:00:00 (got 2026-03-02 20:30:00)"
        in reasons["cs_inquiries.csv:2"]
    )
    assert "inquiries failed str_matches" in reasons["cs_inquiries.csv:3"] and "-4" in reasons["cs_inquiries.csv:3"]
    assert len(result.rows) + len(result.quarantine) == 4  # nothing dropped silently


def test_promotion_calendar_from_excel_percentages_become_exact_decimals(tmp_path):
    text = (
        "活动编号,活动名称,开始日期,结束日期,预计增幅,负责人\r\n"
        "PROMO-02,618年中大促预售,2026/3/30,2026/4/5,40%,王芳\r\n"
        "PROMO-03,会员日,2026年4月10日,2026年4月10日,0.125,李娜\r\n"
    )

    result = read_promotion_calendar(_write(tmp_path, "promotion_calendar.csv", text, "utf-8-sig"))

    assert result.quarantine.empty
    assert result.rows.drop(columns="_source_ref").values.tolist() == [
        ["PROMO-02", "618年中大促预售", "2026-03-30", "2026-04-05", "0.40"],
        ["PROMO-03", "会员日", "2026-04-10", "2026-04-10", "0.125"],
    ]


@pytest.mark.trust("bad input", "files: planning exports")
def test_promotions_with_impossible_dates_or_uplifts_are_quarantined(tmp_path):
    text = (
        "promotion_id,name,start,end,expected_uplift\n"
        "P1,ends before it starts,2026-04-05,2026-03-30,0.40\n"
        "P2,forty times,2026-04-01,2026-04-02,40\n"
        "P3,no date,2026-04-01,soon,0.1\n"
        "P4,fine,2026-04-01,2026-04-02,12.5%\n"
    )

    result = read_promotion_calendar(_write(tmp_path, "promotion_calendar.csv", text))

    assert result.rows[["promotion_id", "uplift"]].values.tolist() == [["P4", "0.125"]]
    reasons = _quarantined(result)
    assert reasons["promotion_calendar.csv:2"] == "end_date 2026-03-30 is before start_date 2026-04-05"
    assert (
        "uplift failed is_uplift above -1 and at most 10 (40% is 0.40) (got 40)" in reasons["promotion_calendar.csv:3"]
    )
    assert "end_date failed is_date YYYY-MM-DD (got soon)" in reasons["promotion_calendar.csv:4"]
    payload = json.loads(result.quarantine.set_index("source_ref").loc["promotion_calendar.csv:3", "payload"])
    assert payload["name"] == "forty times"


def test_shift_requests_from_the_gbk_export_keep_local_or_offset_times(tmp_path):
    text = (
        "申请单号,工号,姓名,申请周,申请班次,提交时间\r\n"
        "FS000001,E000040,张伟,2026-03-09,LATE,2026-03-02 09:14:06\r\n"
        "FS000002,E000041,李娜,2026/3/9,EARLY,2026-03-03T10:00:00+08:00\r\n"
    )

    result = read_shift_requests(_write(tmp_path, "shift_requests.csv", text, "gbk"))

    assert result.quarantine.empty
    assert result.rows.drop(columns="_source_ref").values.tolist() == [
        ["FS000001", "E000040", "2026-03-09", "LATE", "2026-03-02 09:14:06"],
        ["FS000002", "E000041", "2026-03-09", "EARLY", "2026-03-03T10:00:00+08:00"],
    ]


@pytest.mark.trust("bad input", "files: planning exports")
def test_shift_requests_for_a_day_that_is_not_a_monday_or_without_a_time_are_quarantined(tmp_path):
    text = (
        "request,工号,week,shift,submitted\n"
        "FS1,E1,2026-03-10,LATE,2026-03-02 09:00:00\n"
        "FS2,E2,2026-03-09,,2026-03-02 09:00:00\n"
        "FS3,E3,2026-03-09,LATE,yesterday\n"
        "FS4,E4,2026-03-09,NIGHT,2026-03-02T01:00:00Z\n"
    )

    result = read_shift_requests(_write(tmp_path, "shift_requests.csv", text))

    assert result.rows["request_id"].tolist() == ["FS4"]
    reasons = _quarantined(result)
    assert "requested_week_start failed is_monday YYYY-MM-DD (got 2026-03-10)" in reasons["shift_requests.csv:2"]
    assert "requested_shift_code failed not_blank" in reasons["shift_requests.csv:3"]
    assert "submitted_at failed is_local YYYY-MM-DD HH:MM:SS or ISO-8601 with offset" in reasons["shift_requests.csv:4"]


@pytest.mark.trust("bad input", "files: planning exports")
@pytest.mark.parametrize(
    ("reader", "name", "text", "unknown"),
    [
        (read_service_inquiries, "cs_inquiries.csv", "时段,咨询量,满意度\n2026-03-02 20:00,3,5\n", "满意度"),
        (read_promotion_calendar, "promotion_calendar.csv", "活动编号,活动名称,开始日期,结束日期,折扣\n", "折扣"),
        (read_shift_requests, "shift_requests.csv", "申请单号,工号,申请周,申请班次,提交时间,审批人\n", "审批人"),
    ],
)
def test_an_unknown_header_stops_the_file_naming_it(tmp_path, reader, name, text, unknown):
    with pytest.raises(HeaderError, match=rf"{name}: unknown header\(s\) \['{unknown}'\]"):
        reader(_write(tmp_path, name, text))


@pytest.mark.trust("bad input", "files: planning exports")
def test_a_missing_required_column_is_named(tmp_path):
    with pytest.raises(HeaderError, match=r"missing required column\(s\) \['uplift'\]"):
        read_promotion_calendar(_write(tmp_path, "promotion_calendar.csv", "活动编号,活动名称,开始日期,结束日期\n"))


def test_percent_text_becomes_decimal_text():
    assert [percent_to_decimal_text(t) for t in ("40%", " 12.5 % ", "-10%", "0.40", "forty")] == [
        "0.40",
        "0.125",
        "-0.10",
        "0.40",
        "forty",
    ]


def test_the_inbox_reads_the_planning_files_into_their_raw_tables(tmp_path):
    week = date(2026, 3, 2)
    folder = tmp_path / week.isoformat()
    folder.mkdir()
    _write(folder, "cs_inquiries.csv", "hour_start,inquiries\n2026-03-02 20:00,301\n")
    _write(
        folder,
        "promotion_calendar.csv",
        "活动编号,活动名称,开始日期,结束日期,预计增幅\nP1,大促,2026/3/9,2026/3/15,40%\n",
    )
    _write(folder, "shift_requests.csv", "申请单号,工号,申请周,申请班次,提交时间\nFS1,E1,2026-03-09,LATE,bad\n", "gbk")

    frames = read_inbox_week(tmp_path, week)

    assert frames["service_inquiries_hourly"]["inquiries"].tolist() == ["301"]
    assert frames["promotion_calendar"]["uplift"].tolist() == ["0.40"]
    assert frames["shift_requests"].empty
    quarantine = frames["quarantine"]
    assert quarantine[["table_name", "source_ref"]].values.tolist() == [["shift_requests", "shift_requests.csv:2"]]
