"""The attendance software's XLSX punch export: typed cells become the text a CSV export holds, one header row only."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from connectors.files import read_inbox_week, zk_attlog
from connectors.files.column_maps import HeaderError
from connectors.files.inbox import file_kind
from connectors.files.zk_attlog import FileTooLargeError, read_punch_export, read_punch_export_xlsx

CHINESE_HEADER = ["工号", "姓名", "日期", "时间", "机器号", "出入状态"]
KEPT = ["pin", "punch_time_local", "device_sn", "punch_state", "verify_type"]


def values(frame: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    """Rows as lists, a missing value as ``None``."""
    return frame[columns].astype(object).where(frame[columns].notna(), None).values.tolist()


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "考勤记录", merge: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    if merge:
        worksheet.merge_cells(merge)
    workbook.save(path)
    return path


def test_chinese_headers_with_date_time_serial_and_numeric_id_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export_march.xlsx",
        [
            CHINESE_HEADER,
            ["00012", "张伟", datetime(2026, 3, 2), time(9, 7, 0), 1, "上班签到"],  # PIN kept as a text cell
            [123, "李娜", 46083, 0.7513888889, 1, "下班签退"],  # numeric PIN, Excel serial date and day fraction
            [123.0, "李娜", date(2026, 3, 3), time(8, 59, 59, 999_999), "ZK-2", 0],  # Excel's float 123.0
        ],
    )

    result = read_punch_export_xlsx(path)

    assert result.quarantine.empty
    assert values(result.rows, [*KEPT, "_source_ref"]) == [
        ["00012", "2026-03-02 09:07:00", "1", "0", None, "attendance_export_march.xlsx:考勤记录!R2"],
        ["123", "2026-03-02 18:02:00", "1", "1", None, "attendance_export_march.xlsx:考勤记录!R3"],
        ["123", "2026-03-03 09:00:00", "ZK-2", "0", None, "attendance_export_march.xlsx:考勤记录!R4"],
    ]


def test_english_headers_with_a_single_datetime_column(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [
            ["AC-No.", "Name", "Datetime", "Machine", "State", "Verify", "WorkCode"],
            ["007", "Ann", datetime(2026, 3, 2, 8, 55, 12), 2, "Check-In", "Face", 0],
            ["007", "Ann", 46083.75, 2, "Check-Out", "Finger", None],  # a timestamp left as an Excel serial
        ],
        sheet="Sheet1",
    )

    rows = read_punch_export_xlsx(path).rows

    assert values(rows, [*KEPT, "work_code"]) == [
        ["007", "2026-03-02 08:55:12", "2", "0", "15", "0"],
        ["007", "2026-03-02 18:00:00", "2", "1", "1", None],
    ]


def test_an_xlsx_export_gives_the_same_rows_as_the_csv_export_of_the_same_punches(tmp_path):
    csv_path = tmp_path / "attendance_export.csv"
    csv_path.write_bytes(
        "考勤号码,姓名,日期,时间,机器号,出入状态\r\n00012,张伟,2026/3/2,09:07,1,上班签到\r\n".encode("gbk")
    )
    xlsx_path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [
            ["考勤号码", "姓名", "日期", "时间", "机器号", "出入状态"],
            ["00012", "张伟", date(2026, 3, 2), time(9, 7), 1, "上班签到"],
        ],
    )

    from_csv, from_xlsx = read_punch_export(csv_path).rows, read_punch_export_xlsx(xlsx_path).rows

    assert from_xlsx.drop(columns="_source_ref").equals(from_csv.drop(columns="_source_ref"))


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_bad_rows_are_quarantined_with_their_reason_and_blank_rows_skipped(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [
            CHINESE_HEADER,
            ["00012", "张伟", date(2026, 3, 2), time(9, 7), 1, "上班签到"],
            [None, "无名", date(2026, 3, 2), time(9, 8), 1, "上班签到"],
            [datetime(2026, 3, 1), "张伟", date(2026, 3, 2), time(9, 9), 1, "0"],  # Excel turned the PIN into a date
            ["00013", "王芳", date(2026, 3, 2), time(9, 10), 1, "上班签到", "备注"],  # a cell past the header
            ["00014", "赵磊", date(2026, 3, 2), time(9, 11), 1, "午休"],  # a state the device cannot emit
            [None, None, None, None, None, None],
            ["00015", "孙丽", "2026/13/40", time(9, 12), 1, "0"],
        ],
    )

    result = read_punch_export_xlsx(path)

    assert len(result.rows) + len(result.quarantine) == 6  # the blank row 7 is no row
    assert result.rows["_source_ref"].tolist() == ["attendance_export.xlsx:考勤记录!R2"]
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert "pin failed not_blank" in reasons["attendance_export.xlsx:考勤记录!R3"]
    assert "pin holds a date/time cell" in reasons["attendance_export.xlsx:考勤记录!R4"]
    assert reasons["attendance_export.xlsx:考勤记录!R5"] == "values beyond the header's 6 columns"
    assert "punch_state failed isin" in reasons["attendance_export.xlsx:考勤记录!R6"]
    assert "punch_time_local failed is_timestamp" in reasons["attendance_export.xlsx:考勤记录!R8"]
    assert "备注" in result.quarantine.loc[result.quarantine["source_ref"].str.endswith("R5"), "payload"].item()


def test_trailing_blank_header_cells_from_formatting_are_not_columns(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [[*CHINESE_HEADER, None, "  "], ["00012", "张伟", date(2026, 3, 2), time(9, 7), 1, "0", None, None]],
    )

    assert read_punch_export_xlsx(path).rows["pin"].tolist() == ["00012"]


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_a_merged_header_is_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [["工号", "姓名", "打卡", None, "机器号", "出入状态"], ["00012", "张伟", date(2026, 3, 2), time(9, 7), 1, "0"]],
        merge="C1:D1",
    )

    with pytest.raises(HeaderError, match=r"merged header cell\(s\) C1:D1 on sheet '考勤记录'"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_a_title_row_above_the_header_is_refused_as_a_second_header_row(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [["2026年3月考勤记录"], CHINESE_HEADER, ["00012", "张伟", date(2026, 3, 2), time(9, 7), 1, "0"]],
    )

    with pytest.raises(HeaderError, match="row 2 of sheet '考勤记录' is the header row"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_two_header_rows_are_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "attendance_export.xlsx",
        [
            CHINESE_HEADER,
            ["考勤号码", "name", "date", "time", "machine", "state"],
            ["00012", "张伟", 46083, 0.38, 1, "0"],
        ],
    )

    with pytest.raises(HeaderError, match=r"rows 1 and 2 .* are both header rows"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_an_unknown_header_is_named(tmp_path):
    path = write_xlsx(tmp_path / "attendance_export.xlsx", [[*CHINESE_HEADER, "工资"], ["00012"]])

    with pytest.raises(HeaderError, match=r"unknown header\(s\) \['工资'\]"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_size_limits_refuse_huge_files(tmp_path, monkeypatch):
    rows = [CHINESE_HEADER] + [["00012", "张伟", date(2026, 3, 2), time(9, minute), 1, "0"] for minute in range(5)]
    path = write_xlsx(tmp_path / "attendance_export.xlsx", rows)
    assert len(read_punch_export_xlsx(path).rows) == 5

    monkeypatch.setattr(zk_attlog, "MAX_XLSX_ROWS", 4)
    with pytest.raises(FileTooLargeError, match="5 rows is over the 4-row limit"):
        read_punch_export_xlsx(path)

    monkeypatch.setattr(zk_attlog, "MAX_XLSX_ROWS", 1_000_000)
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_UNPACKED_BYTES", 10_000)
    with pytest.raises(FileTooLargeError, match=r"unpacks to .* over the 10,000-byte limit"):
        read_punch_export_xlsx(path)

    monkeypatch.setattr(zk_attlog, "MAX_XLSX_BYTES", 1_000)
    with pytest.raises(FileTooLargeError, match=r"bytes is over the 1,000-byte limit"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_the_row_limit_holds_when_the_sheet_understates_its_size(tmp_path, monkeypatch):
    rows = [CHINESE_HEADER] + [["00012", "张伟", date(2026, 3, 2), time(9, minute), 1, "0"] for minute in range(5)]
    path = understate_dimension(write_xlsx(tmp_path / "attendance_export.xlsx", rows))

    assert len(read_punch_export_xlsx(path).rows) == 5  # every row is read, not just the declared A1:A1
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_ROWS", 4)
    with pytest.raises(FileTooLargeError, match="over the 4-row limit"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_a_file_that_is_not_an_xlsx_workbook_gets_a_clear_error(tmp_path):
    path = tmp_path / "attendance_export.xlsx"
    path.write_bytes("工号,日期\n00012,2026-03-02\n".encode())

    with pytest.raises(ValueError, match="not an XLSX workbook"):
        read_punch_export_xlsx(path)


@pytest.mark.trust("bad input", "files: punch xlsx")
def test_a_second_worksheet_with_data_is_refused_rather_than_ignored(tmp_path):
    path = write_xlsx(tmp_path / "attendance_export.xlsx", [CHINESE_HEADER])
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("4月").append(CHINESE_HEADER)
    workbook.create_sheet("empty")
    workbook.save(path)

    with pytest.raises(ValueError, match=r"sheets \['考勤记录', '4月'\] hold data"):
        read_punch_export_xlsx(path)


def test_the_inbox_reads_xlsx_exports_into_zk_punches(tmp_path):
    week = date(2026, 3, 2)
    folder = tmp_path / week.isoformat()
    folder.mkdir()
    write_xlsx(folder / "attendance_export_w10.xlsx", [CHINESE_HEADER, ["00012", "张伟", week, time(9, 7), 1, "0"]])

    frames = read_inbox_week(tmp_path, week)

    assert file_kind("attendance_export_w10.xlsx") == "punch_export_xlsx"
    assert file_kind("attendance_export_w10.xls") is None
    assert frames["zk_punches"][["pin", "punch_time_local", "_source_ref"]].values.tolist() == [
        ["00012", "2026-03-02 09:07:00", "attendance_export_w10.xlsx:考勤记录!R2"]
    ]


def understate_dimension(path: Path) -> Path:
    """Rewrite the sheet's ``<dimension>`` to ``A1:A1``, as some exporters do."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(member, data)
    rewritten.replace(path)
    return path
