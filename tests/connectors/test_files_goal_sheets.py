"""Managers' weekly goal sheets (CSV or XLSX): headers in English or Chinese, the spellings people type, and every
row either loaded or quarantined with a reason a manager can act on."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from connectors.files import read_inbox_week, zk_attlog
from connectors.files.column_maps import HeaderError
from connectors.files.goal_sheets import read_goal_sheet, read_goal_sheet_xlsx
from connectors.files.inbox import file_kind
from connectors.files.zk_attlog import FileTooLargeError

WEEK = date(2026, 3, 2)
ZH_HEADER = ["工号", "姓名", "周", "指标", "单位", "目标", "实际", "权重", "方向", "对齐目标"]
EN_HEADER = ["employee_id", "name", "week_start", "metric", "unit", "target", "actual", "weight", "direction"]
COLUMNS = ["employee_id", "goal_week", "metric", "unit", "target", "actual", "weight", "direction", "objective_id"]
SAVED = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # Friday 18:00 in Shanghai


def values(frame: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    return frame[columns].astype(object).where(frame[columns].notna(), None).values.tolist()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("".join(",".join(row) + "\r\n" for row in rows).encode(encoding))
    os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    return path


def write_xlsx(path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "周目标"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def reasons(result) -> dict[str, str]:
    return dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))


def test_chinese_headers_with_bom_and_the_spellings_managers_type(tmp_path):
    path = write_csv(
        tmp_path / "goal_sheet_FUN-HR-01.csv",
        [
            ZH_HEADER,
            ["E000017", "张安慧", "2026/3/2", "requests_processed", "requests", "30", "24", "60%", "越高越好", "OKR-7"],
            ["E000017", "张安慧", "2026年3月2日", "processing_days", "days", "2.5", "２.3", "0.4", "越低越好", ""],
        ],
    )

    result = read_goal_sheet(path)

    assert result.quarantine.empty
    assert values(result.rows, [*COLUMNS, "file_modified_at", "_source_ref"]) == [
        ["E000017", "2026-03-02", "requests_processed", "requests", "30", "24", "0.60", "higher_is_better", "OKR-7",
         "2026-03-06T10:00:00Z", "goal_sheet_FUN-HR-01.csv:2"],
        ["E000017", "2026-03-02", "processing_days", "days", "2.5", "2.3", "0.4", "lower_is_better", None,
         "2026-03-06T10:00:00Z", "goal_sheet_FUN-HR-01.csv:3"],
    ]  # fmt: skip


def test_english_headers_with_or_without_bom_give_the_same_rows(tmp_path):
    rows = [EN_HEADER, ["E000023", "黄慧", "2026-03-02", "requests_processed", "requests", "30", "32", "0.60",
                        "higher_is_better"]]  # fmt: skip
    with_bom = read_goal_sheet(write_csv(tmp_path / "goal_sheet_a.csv", rows, "utf-8-sig")).rows
    without = read_goal_sheet(write_csv(tmp_path / "goal_sheet_b.csv", rows, "utf-8")).rows

    assert with_bom.drop(columns="_source_ref").equals(without.drop(columns="_source_ref"))
    assert with_bom["objective_id"].isna().all()  # the optional column may be left out
    assert values(with_bom, ["employee_id", "goal_week", "weight", "direction"]) == [
        ["E000023", "2026-03-02", "0.60", "higher_is_better"]
    ]


def test_an_xlsx_sheet_gives_the_same_rows_as_the_csv_of_the_same_goals(tmp_path):
    csv_rows = read_goal_sheet(
        write_csv(
            tmp_path / "goal_sheet_x.csv",
            [ZH_HEADER, ["00123", "王文轩", "2026-03-02", "processing_days", "days", "2", "1.6", "0.36", "越低越好",
                         "7"]],
        )
    ).rows  # fmt: skip
    xlsx = write_xlsx(
        tmp_path / "goal_sheet_x.xlsx",
        [ZH_HEADER, ["00123", "王文轩", date(2026, 3, 2), "processing_days", "days", 2, 1.6, 0.36, "越低越好", 7]],
    )
    os.utime(xlsx, (SAVED.timestamp(), SAVED.timestamp()))

    result = read_goal_sheet_xlsx(xlsx)

    assert result.quarantine.empty
    assert result.rows.drop(columns="_source_ref").equals(csv_rows.drop(columns="_source_ref"))
    assert result.rows["_source_ref"].tolist() == ["goal_sheet_x.xlsx:周目标!R2"]


@pytest.mark.trust("bad input", "files: goal sheets")
def test_a_missing_or_zero_target_is_loaded_for_scoring_to_judge(tmp_path):
    path = write_csv(
        tmp_path / "goal_sheet.csv",
        [
            EN_HEADER,
            ["E1", "a", "2026-03-02", "requests_processed", "requests", "", "12", "0.5", "higher_is_better"],
            ["E1", "a", "2026-03-02", "processing_days", "days", "0", "", "", "lower_is_better"],
        ],
    )

    result = read_goal_sheet(path)

    assert result.quarantine.empty
    assert values(result.rows, ["metric", "target", "actual", "weight"]) == [
        ["requests_processed", None, "12", "0.5"],
        ["processing_days", "0", None, None],
    ]


@pytest.mark.trust("bad input", "files: goal sheets")
@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"target": "thirty"}, "target failed is_number like 12 or -2.5 (got thirty)"),
        ({"actual": "1,5"}, "actual failed is_number like 12 or -2.5 (got 1,5)"),
        ({"weight": "六成"}, "weight failed is_number like 12 or -2.5 (got 六成)"),
        ({"week_start": "2026-03-03"}, "goal_week failed is_monday YYYY-MM-DD (got 2026-03-03)"),
        ({"week_start": "第10周"}, "goal_week failed is_monday YYYY-MM-DD (got 第10周)"),
        ({"direction": "越多越好"}, "direction failed isin(['higher_is_better', 'lower_is_better']) (got 越多越好)"),
        ({"employee_id": " "}, "employee_id failed not_blank (got )"),
    ],
)
def test_each_bad_cell_quarantines_its_row_with_the_reason(tmp_path, cells, reason):
    good = dict(zip(EN_HEADER, ["E1", "a", "2026-03-02", "requests_processed", "requests", "30", "28", "1",
                                "higher_is_better"], strict=True))  # fmt: skip
    bad = {**good, "metric": "processing_days", **cells}
    path = write_csv(
        tmp_path / "goal_sheet.csv",
        [EN_HEADER, [good[c] for c in EN_HEADER], ['"' + bad[c] + '"' for c in EN_HEADER]],
    )

    result = read_goal_sheet(path)

    assert result.rows["_source_ref"].tolist() == ["goal_sheet.csv:2"]
    assert reasons(result) == {"goal_sheet.csv:3": reason}
    assert "processing_days" in result.quarantine["payload"].item()  # the row is kept in full for the manager


@pytest.mark.trust("bad input", "files: goal sheets")
def test_an_exact_duplicate_row_is_loaded_once(tmp_path):
    row = ["E1", "a", "2026-03-02", "processing_days", "days", "2.5", "2.0", "0.4", "lower_is_better"]
    same_numbers = [*row[:6], "2", "0.40", row[8]]  # 2.0 == 2 and 0.4 == 0.40: the same row, typed differently
    path = write_csv(tmp_path / "goal_sheet.csv", [EN_HEADER, row, same_numbers, row])

    result = read_goal_sheet(path)

    assert result.rows["_source_ref"].tolist() == ["goal_sheet.csv:2"]
    assert reasons(result) == {
        "goal_sheet.csv:3": "duplicate of goal_sheet.csv:2: the same goal row again (loaded once)",
        "goal_sheet.csv:4": "duplicate of goal_sheet.csv:2: the same goal row again (loaded once)",
    }
    assert len(result.rows) + len(result.quarantine) == 3


@pytest.mark.trust("bad input", "files: goal sheets")
def test_conflicting_rows_for_the_same_goal_are_all_quarantined(tmp_path):
    path = write_csv(
        tmp_path / "goal_sheet.csv",
        [
            EN_HEADER,
            ["E1", "a", "2026-03-02", "requests_processed", "requests", "30", "24", "0.6", "higher_is_better"],
            ["E1", "a", "2026-03-02", "requests_processed", "requests", "30", "27", "0.6", "higher_is_better"],
            ["E1", "a", "2026-03-02", "processing_days", "days", "2.5", "2.0", "0.4", "lower_is_better"],
            ["E2", "b", "2026-03-02", "requests_processed", "requests", "30", "24", "0.6", "higher_is_better"],
        ],
    )

    result = read_goal_sheet(path)

    assert result.rows["_source_ref"].tolist() == ["goal_sheet.csv:4", "goal_sheet.csv:5"]
    found = reasons(result)
    assert set(found) == {"goal_sheet.csv:2", "goal_sheet.csv:3"}
    assert found["goal_sheet.csv:2"] == found["goal_sheet.csv:3"]
    assert found["goal_sheet.csv:2"].startswith(
        "conflicting duplicate goal rows: E1 2026-03-02 requests_processed appears at goal_sheet.csv:2, "
        "goal_sheet.csv:3 with different actual"
    )


@pytest.mark.trust("bad input", "files: goal sheets")
def test_a_row_with_too_many_cells_is_quarantined_not_lost(tmp_path):
    path = write_csv(
        tmp_path / "goal_sheet.csv",
        [EN_HEADER, ["E1", "a", "2026-03-02", "m", "u", "1", "1", "1", "higher_is_better", "extra"]],
    )

    result = read_goal_sheet(path)

    assert result.rows.empty
    assert reasons(result) == {"goal_sheet.csv:2": "expected 9 fields as in the header, got 10"}


@pytest.mark.trust("bad input", "files: goal sheets")
def test_an_unknown_header_stops_the_file(tmp_path):
    path = write_csv(tmp_path / "goal_sheet.csv", [[*EN_HEADER, "bonus"], ["E1"]])

    with pytest.raises(HeaderError, match=r"unknown header\(s\) \['bonus'\] for a goal_sheet file"):
        read_goal_sheet(path)


@pytest.mark.trust("bad input", "files: goal sheets")
def test_a_merged_week_cell_in_an_xlsx_sheet_is_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "goal_sheet.xlsx",
        [
            ZH_HEADER[:9],
            ["E1", "a", date(2026, 3, 2), "requests_processed", "requests", 30, 24, 0.6, "越高越好"],
            ["E1", "a", None, "processing_days", "days", 2.5, 2, 0.4, "越低越好"],
        ],
        merge="C2:C3",
    )

    with pytest.raises(HeaderError, match=r"merged cell\(s\) C2:C3 on sheet '周目标'.*unmerge"):
        read_goal_sheet_xlsx(path)


@pytest.mark.trust("bad input", "files: goal sheets")
def test_a_merged_header_or_a_second_header_row_is_refused(tmp_path):
    merged = write_xlsx(
        tmp_path / "goal_sheet_a.xlsx", [[*ZH_HEADER[:7], "权重", None], ["E1", "a", date(2026, 3, 2)]], merge="H1:I1"
    )
    with pytest.raises(HeaderError, match=r"merged cell\(s\) H1:I1"):
        read_goal_sheet_xlsx(merged)

    two_headers = write_xlsx(tmp_path / "goal_sheet_b.xlsx", [ZH_HEADER, EN_HEADER, ["E1"]])
    with pytest.raises(HeaderError, match=r"rows 1 and 2 .* are both header rows"):
        read_goal_sheet_xlsx(two_headers)

    titled = write_xlsx(tmp_path / "goal_sheet_c.xlsx", [["2026年第10周 目标表"], ZH_HEADER, ["E1"]])
    with pytest.raises(HeaderError, match="row 2 of sheet '周目标' is the header row"):
        read_goal_sheet_xlsx(titled)


@pytest.mark.trust("bad input", "files: goal sheets")
def test_xlsx_size_limits_hold_for_goal_sheets(tmp_path, monkeypatch):
    rows = [ZH_HEADER[:9]] + [
        [f"E{n}", "a", date(2026, 3, 2), "requests_processed", "requests", 30, 24, 1, "越高越好"] for n in range(5)
    ]
    path = write_xlsx(tmp_path / "goal_sheet.xlsx", rows)
    assert len(read_goal_sheet_xlsx(path).rows) == 5

    monkeypatch.setattr(zk_attlog, "MAX_XLSX_ROWS", 4)
    with pytest.raises(FileTooLargeError, match="5 rows is over the 4-row limit"):
        read_goal_sheet_xlsx(path)
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_ROWS", 1_000_000)
    monkeypatch.setattr(zk_attlog, "MAX_XLSX_UNPACKED_BYTES", 1_000)
    with pytest.raises(FileTooLargeError, match="unpacks to"):
        read_goal_sheet_xlsx(path)


def test_sheet_names_the_inbox_reads_as_goal_sheets():
    assert file_kind("goal_sheet_FUN-HR-01.xlsx") == "goal_sheet_xlsx"
    assert file_kind("goal_sheet_FUN-HR-01 (2).csv") == "goal_sheet"  # a corrected re-send saved under a new name
    assert file_kind("goal_sheet_人事一组.csv") == "goal_sheet"
    assert file_kind("~$goal_sheet_FUN-HR-01.xlsx") is None  # Excel's lock file
    assert file_kind("goal_sheet.xls") is None


def test_the_inbox_reads_csv_and_xlsx_sheets_into_one_table(tmp_path):
    folder = tmp_path / WEEK.isoformat()
    folder.mkdir()
    write_csv(
        folder / "goal_sheet_FUN-HR-01.csv",
        [EN_HEADER, ["E1", "a", "2026-03-02", "m", "u", "1", "1", "1", "higher_is_better"],
         ["E2", "b", "2026-03-04", "m", "u", "1", "1", "1", "higher_is_better"]],
    )  # fmt: skip
    write_xlsx(
        folder / "goal_sheet_FUN-FIN-01.xlsx",
        [ZH_HEADER[:9], ["E3", "c", date(2026, 3, 2), "m", "u", 1, 1, 1, "越高越好"]],
    )

    frames = read_inbox_week(tmp_path, WEEK)

    assert sorted(frames["goal_sheet_rows"]["employee_id"]) == ["E1", "E3"]
    quarantined = frames["quarantine"]
    assert quarantined[["table_name", "source_ref"]].values.tolist() == [
        ["goal_sheet_rows", "goal_sheet_FUN-HR-01.csv:3"]
    ]
