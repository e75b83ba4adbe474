"""Training completions from the inbox: rows with an offset-carrying instant are loaded, every other row is
quarantined with its reason, and the file is found by name among the week's files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.files import read_inbox_week
from connectors.files.column_maps import HeaderError
from connectors.files.inbox import file_kind
from connectors.files.training import read_training_completions

WEEK = date(2026, 3, 2)
HEADER = "employee_id,course_code,completed_at"


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


@pytest.mark.trust("bad input", "files: training")
def test_completions_are_loaded_as_exported_and_bad_rows_are_quarantined_with_the_reason(tmp_path):
    path = write(
        tmp_path / "training_completions.csv",
        [
            HEADER,
            "E000012,ENG-101,2026-03-01T20:15:00+08:00",
            "E000013,ENG-101,2026-03-02T02:00:00Z",
            "E000014,ENG-101,2026-03-02 10:00:00",
            "E000015,,2026-03-02T10:00:00+08:00",
            "E000012,ENG-101,2026-03-01T20:15:00+08:00",
        ],
    )

    result = read_training_completions(path)

    assert result.rows[["employee_id", "course_code", "completed_at"]].values.tolist() == [
        ["E000012", "ENG-101", "2026-03-01T20:15:00+08:00"],
        ["E000013", "ENG-101", "2026-03-02T02:00:00Z"],
        ["E000012", "ENG-101", "2026-03-01T20:15:00+08:00"],  # a re-export: raw keeps it, the earliest counts
    ]
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert reasons == {
        "training_completions.csv:4": "completed_at failed is ISO-8601 with a UTC offset (got 2026-03-02 10:00:00)",
        "training_completions.csv:5": "course_code failed not_blank (got )",
    }
    assert len(result.rows) + len(result.quarantine) == 5


def test_chinese_headers_in_gbk_map_to_the_same_columns(tmp_path):
    path = write(
        tmp_path / "training_completions_lms.csv",
        ["工号,姓名,课程名称,课程编码,完成时间", "E000001,张伟,安全编码,SEC-101,2026-03-01T09:00:00+08:00"],
        encoding="gbk",
    )
    result = read_training_completions(path)
    assert result.quarantine.empty
    assert result.rows[["employee_id", "course_code"]].values.tolist() == [["E000001", "SEC-101"]]


@pytest.mark.trust("bad input", "files: training")
def test_a_file_without_the_course_column_is_an_error_not_an_empty_week(tmp_path):
    path = write(tmp_path / "training_completions.csv", ["employee_id,completed_at", "E1,2026-03-03T09:00:00Z"])
    with pytest.raises(HeaderError, match="course_code"):
        read_training_completions(path)


def test_the_inbox_reads_every_completions_export_of_the_week(tmp_path):
    folder = tmp_path / WEEK.isoformat()
    folder.mkdir()
    write(folder / "training_completions.csv", [HEADER, "E1,ENG-101,2026-03-03T09:00:00+08:00"])
    write(folder / "training_completions_late.csv", [HEADER, "E2,ENG-101,yesterday"])

    frames = read_inbox_week(tmp_path, WEEK)

    assert file_kind("training_completions_late.csv") == "training_completions"
    assert frames["training_completions"]["_source_ref"].tolist() == ["training_completions.csv:2"]
    quarantine = frames["quarantine"]
    assert quarantine.loc[quarantine["table_name"] == "training_completions", "source_ref"].tolist() == [
        "training_completions_late.csv:2"
    ]
