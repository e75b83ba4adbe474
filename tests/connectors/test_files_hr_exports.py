"""HR exports: Chinese GBK files map onto the raw columns; bad headers stop the load, bad rows are quarantined."""

from __future__ import annotations

import pytest

from connectors.files.column_maps import HeaderError
from connectors.files.hr_exports import (
    read_employee_identity,
    read_hr_roster,
    read_leave_requests,
    read_shift_roster,
)
from connectors.files.inbox import InboxEncodingError

ROSTER_HEADER = (
    "employee_id,name,department,team,project_group,city,role,manager_id,hire_date,termination_date,"
    "timezone,payroll_id,variable_base"
)


def _write(tmp_path, name, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_gbk_shift_roster_with_chinese_headers_is_mapped(tmp_path):
    text = "工号,日期,班次,上班时间,下班时间,休息分钟\r\n007,2026-03-02,DAY,09:00,18:00,60\r\n"

    result = read_shift_roster(_write(tmp_path, "shift_roster.csv", text, "gbk"))

    assert result.quarantine.empty
    assert result.rows.drop(columns="_source_ref").iloc[0].to_dict() == {
        "employee_id": "007",
        "work_date": "2026-03-02",
        "shift_code": "DAY",
        "start_time": "09:00",
        "end_time": "18:00",
        "break_minutes": "60",
    }


def test_leave_headers_in_full_width_and_synonyms_are_mapped(tmp_path):
    text = "员工编号,请假日期,请假时长（小时）,请假类型,审批状态,姓名\nE000001,2026/3/5,4.5,sick,approved,张伟\n"

    rows = read_leave_requests(_write(tmp_path, "leave_requests.csv", text, "gbk")).rows

    assert rows[["employee_id", "leave_date", "hours", "leave_type"]].values.tolist() == [
        ["E000001", "2026-03-05", "4.5", "sick"]
    ]


@pytest.mark.trust("bad input", "files: HR exports")
def test_an_unknown_header_is_a_clear_error_naming_it(tmp_path):
    text = "工号,日期,班次,上班时间,下班时间,休息分钟,加班工资\n007,2026-03-02,DAY,09:00,18:00,60,100\n"

    with pytest.raises(HeaderError, match=r"shift_roster\.csv: unknown header\(s\) \['加班工资'\]"):
        read_shift_roster(_write(tmp_path, "shift_roster.csv", text, "gbk"))


@pytest.mark.trust("bad input", "files: HR exports")
def test_a_missing_required_column_is_a_clear_error(tmp_path):
    text = "工号,日期,班次,上班时间,下班时间\n007,2026-03-02,DAY,09:00,18:00\n"

    with pytest.raises(HeaderError, match=r"missing required column\(s\) \['break_minutes'\]"):
        read_shift_roster(_write(tmp_path, "shift_roster.csv", text, "gbk"))


@pytest.mark.trust("bad input", "files: HR exports")
def test_merged_or_blank_header_cells_are_refused(tmp_path):
    text = "工号,,班次,上班时间,下班时间,休息分钟\n007,2026-03-02,DAY,09:00,18:00,60\n"

    with pytest.raises(HeaderError, match="header cell 2 is empty"):
        read_shift_roster(_write(tmp_path, "shift_roster.csv", text, "gbk"))


def test_excel_serial_dates_are_read_as_dates(tmp_path):
    text = f"{ROSTER_HEADER}\n0042,王芳,R&D,R&D-1,PG-A,Shanghai,engineer,,45658,,Asia/Shanghai,P-42,3000.00\n"

    rows = read_hr_roster(_write(tmp_path, "hr_roster.csv", text)).rows

    assert rows.iloc[0]["hire_date"] == "2025-01-01"
    assert rows.iloc[0]["employee_id"] == "0042"
    assert rows.iloc[0]["payroll_id"] == "P-42"


def test_optional_roster_columns_may_be_absent(tmp_path):
    text = "工号,姓名,部门,岗位,入职日期\nE000009,周杰,Design,designer,2026-01-05\n"

    row = read_hr_roster(_write(tmp_path, "hr_roster.csv", text)).rows.iloc[0]

    assert (row["employee_id"], row["role"], row["hire_date"]) == ("E000009", "designer", "2026-01-05")
    assert row[["manager_id", "termination_date", "variable_base", "team"]].isna().all()


@pytest.mark.trust("bad input", "files: HR exports")
def test_bad_rows_are_quarantined_and_counted(tmp_path):
    text = (
        "工号,请假日期,时长(小时),假期类型,审批状态\n"
        "E000001,2026-03-05,8,annual,approved\n"
        "E000002,2026-03-05,-4,sick,approved\n"  # negative hours
        "E000003,someday,8,annual,approved\n"  # not a date
        "E000004,2026-03-06,8,annual\n"  # a field short
    )
    result = read_leave_requests(_write(tmp_path, "leave_requests.csv", text, "gbk"))

    assert len(result.rows) + len(result.quarantine) == 4
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert "hours failed is_non_negative_number" in reasons["leave_requests.csv:3"]
    assert "leave_date failed is_date" in reasons["leave_requests.csv:4"]
    assert reasons["leave_requests.csv:5"] == "expected 5 fields as in the header, got 4"


@pytest.mark.trust("bad input", "files: HR exports")
def test_identity_rows_need_a_known_system(tmp_path):
    text = "employee_id,system,external_id,valid_from,valid_to\nE1,zk,00012,2025-01-06,\nE1,slack,u1,,\n"

    result = read_employee_identity(_write(tmp_path, "employee_identity.csv", text, "utf-8-sig"))

    assert result.rows["external_id"].tolist() == ["00012"]
    assert result.rows["valid_to"].isna().all()
    assert "system failed isin" in result.quarantine.iloc[0]["reason"]


@pytest.mark.trust("bad input", "files: HR exports")
def test_a_roster_in_an_unknown_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "hr_roster.csv"
    path.write_bytes(ROSTER_HEADER.encode() + b"\n\xff\xfe\x00\x81")

    with pytest.raises(InboxEncodingError, match=r"hr_roster\.csv"):
        read_hr_roster(path)
