"""The helpdesk's ticket export: times with their UTC offset, statuses of the ticket lifecycle, and every row either
loaded or quarantined with its reason (counting a ticket once across overlapping exports is dbt's job)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from connectors.files import read_inbox_week
from connectors.files.column_maps import HeaderError
from connectors.files.inbox import file_kind
from connectors.files.service_tickets import normalize_instant, read_service_tickets

WEEK = date(2026, 3, 2)
ZENDESK_HEADER = "Ticket ID,Subject,Status,Priority,Assignee,Assignee external ID,Created at,Solved at"
COLUMNS = ["ticket_id", "assignee_employee_id", "status", "created_at", "solved_at"]


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


def values(frame: pd.DataFrame) -> list[list[object]]:
    return frame[COLUMNS].astype(object).where(frame[COLUMNS].notna(), None).values.tolist()


def reasons(result) -> dict[str, str]:
    return dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))


def test_a_zendesk_style_export_keeps_each_offset_and_ignores_the_other_columns(tmp_path):
    path = write(
        tmp_path / "helpdesk_tickets.csv",
        [
            ZENDESK_HEADER,
            "100001,退款申请,Solved,normal,李婷,E000089,2026-03-01 23:22:18 +0800,2026-03-02 09:00:01 +0800",
            "100002,Order late,closed,high,夏涵,E000051,2026-03-01T17:24:23Z,2026-03-02T02:11:29+08:00",
            "100003,物流查询,Open,low,彭明辉,E000016,2026-03-04T10:00:00+08:00,",
            "100004,发票问题,new,normal,,,2026-03-05 9:05 +08,",
        ],
    )

    result = read_service_tickets(path)

    assert result.quarantine.empty
    assert values(result.rows) == [
        ["100001", "E000089", "solved", "2026-03-01T23:22:18+08:00", "2026-03-02T09:00:01+08:00"],
        ["100002", "E000051", "closed", "2026-03-01T17:24:23+00:00", "2026-03-02T02:11:29+08:00"],
        ["100003", "E000016", "open", "2026-03-04T10:00:00+08:00", None],
        ["100004", None, "new", "2026-03-05T09:05:00+08:00", None],
    ]
    assert result.rows["_source_ref"].tolist()[0] == "helpdesk_tickets.csv:2"


def test_chinese_headers_and_statuses_in_gbk(tmp_path):
    path = write(
        tmp_path / "helpdesk_tickets.csv",
        [
            "工单编号,标题,工单状态,处理人,处理人工号,创建时间,解决时间",
            "200001,修改收货地址,已解决,李婷,E000089,2026-03-02 10:00:00 +0800,2026-03-02 10:30:00 +0800",
            "200002,商品咨询,待回应,李婷,E000089,2026-03-02 11:00:00 +0800,",
        ],
        "gbk",
    )

    result = read_service_tickets(path)

    assert values(result.rows) == [
        ["200001", "E000089", "solved", "2026-03-02T10:00:00+08:00", "2026-03-02T10:30:00+08:00"],
        ["200002", "E000089", "pending", "2026-03-02T11:00:00+08:00", None],
    ]


@pytest.mark.trust("bad input", "files: service tickets")
def test_bad_rows_are_quarantined_each_with_its_reason(tmp_path):
    path = write(
        tmp_path / "helpdesk_tickets.csv",
        [
            ZENDESK_HEADER,
            "1,a,solved,normal,x,E1,2026-03-02 09:00:00 +0800,2026-03-02 10:00:00 +0800",
            "2,a,solved,normal,x,E1,yesterday,2026-03-02 10:00:00 +0800",
            "3,a,solved,normal,x,E1,2026-03-02 09:00:00,2026-03-02 10:00:00 +0800",
            "4,a,solved,normal,x,E1,2026-03-02 09:00:00 +0800,2026-03-02 08:59:59 +0800",
            "5,a,escalated,normal,x,E1,2026-03-02 09:00:00 +0800,",
            "6,a,closed,normal,x,E1,2026-03-02 09:00:00 +0800,",
            "7,a,solved,normal,,,2026-03-02 09:00:00 +0800,2026-03-02 10:00:00 +0800",
            "8,a,open,normal,,,2026-03-02 09:00:00 +0800,",
            ",a,open,normal,x,E1,2026-03-02 09:00:00 +0800,",
        ],
    )

    result = read_service_tickets(path)

    assert result.rows["ticket_id"].tolist() == ["1", "8"]
    found = reasons(result)
    assert found["helpdesk_tickets.csv:3"] == "created_at failed is_iso8601_with_utc_offset (got yesterday)"
    assert found["helpdesk_tickets.csv:4"] == (
        "created_at failed is_iso8601_with_utc_offset (got 2026-03-02 09:00:00)"  # no offset: ambiguous
    )
    assert found["helpdesk_tickets.csv:5"] == (
        "solved_at 2026-03-02T08:59:59+08:00 is before created_at 2026-03-02T09:00:00+08:00"
    )
    assert (
        found["helpdesk_tickets.csv:6"].startswith("status failed isin(")
        and "(got escalated)" in found["helpdesk_tickets.csv:6"]
    )
    assert found["helpdesk_tickets.csv:7"] == "status closed but solved_at is empty"
    assert found["helpdesk_tickets.csv:8"] == "a solved ticket without an assignee: there is nobody to credit it to"
    assert found["helpdesk_tickets.csv:10"] == "ticket_id failed not_blank (got )"
    assert len(result.rows) + len(result.quarantine) == 9


def test_the_same_instant_in_any_offset_form_normalises_alike():
    assert normalize_instant("2026-03-02 09:15:00 +0800") == "2026-03-02T09:15:00+08:00"
    assert normalize_instant("2026/3/2 9:15 +08:00") == "2026-03-02T09:15:00+08:00"
    assert normalize_instant("2026-03-02T01:15:00Z") == "2026-03-02T01:15:00+00:00"
    assert normalize_instant("2026-03-02 09:15:00") == "2026-03-02 09:15:00"  # left for validation to refuse
    assert normalize_instant("2026-02-30T09:00:00+08:00") == "2026-02-30T09:00:00+08:00"


@pytest.mark.trust("bad input", "files: service tickets")
def test_an_unknown_header_stops_the_file(tmp_path):
    path = write(tmp_path / "helpdesk_tickets.csv", [ZENDESK_HEADER + ",Satisfaction", "1"])

    with pytest.raises(HeaderError, match=r"unknown header\(s\) \['Satisfaction'\]"):
        read_service_tickets(path)


@pytest.mark.trust("bad input", "files: service tickets")
def test_a_re_export_in_the_same_week_is_kept_raw_for_dbt_to_count_once(tmp_path):
    folder = tmp_path / WEEK.isoformat()
    folder.mkdir()
    line = "1,a,solved,normal,x,E1,2026-03-02 09:00:00 +0800,2026-03-02 10:00:00 +0800"
    write(folder / "helpdesk_tickets.csv", [ZENDESK_HEADER, line])
    write(folder / "helpdesk_tickets_reexport.csv", [ZENDESK_HEADER, line, line.replace("1,", "2,", 1)])

    frames = read_inbox_week(tmp_path, WEEK)

    assert file_kind("helpdesk_tickets_reexport.csv") == "helpdesk_tickets"
    assert sorted(frames["helpdesk_tickets"]["_source_ref"]) == [
        "helpdesk_tickets.csv:2",
        "helpdesk_tickets_reexport.csv:2",
        "helpdesk_tickets_reexport.csv:3",
    ]
    assert frames["quarantine"].empty
