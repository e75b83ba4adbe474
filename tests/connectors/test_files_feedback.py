"""Activity feedback from the inbox: whole scores 1-5 with an offset-carrying instant are loaded, every other row
is quarantined with its reason (rows in = rows loaded + rows quarantined), and the sample's own export reads back
unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from connectors.files import read_inbox_week
from connectors.files.feedback import read_activity_feedback
from connectors.files.inbox import file_kind
from sandbox.inbox import render_inbox_week
from sandbox.sample import SampleConfig, generate_sample

WEEK = date(2026, 3, 2)
HEADER = "activity_id,employee_id,score,submitted_at"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


@pytest.mark.trust("bad input", "files: feedback")
def test_scores_outside_one_to_five_are_quarantined_with_the_reason(tmp_path):
    path = write(
        tmp_path / "activity_feedback.csv",
        [
            HEADER,
            "ACT-0004,E000012,5,2026-03-03T10:15:00+08:00",
            "ACT-0004,E000013,1,2026-03-04T02:00:00Z",
            "ACT-0004,E000014,6,2026-03-04T10:00:00+08:00",
            "ACT-0004,E000015,0,2026-03-04T10:00:00+08:00",
            "ACT-0004,E000016,4.5,2026-03-04T10:00:00+08:00",
            "ACT-0004,E000017,,2026-03-04T10:00:00+08:00",
            "ACT-0004,E000018,3,2026-03-04 10:00:00",
        ],
    )

    result = read_activity_feedback(path)

    assert result.rows[["employee_id", "score"]].values.tolist() == [["E000012", "5"], ["E000013", "1"]]
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert reasons == {
        "activity_feedback.csv:4": "score failed is a whole score from 1 to 5 (got 6)",
        "activity_feedback.csv:5": "score failed is a whole score from 1 to 5 (got 0)",
        "activity_feedback.csv:6": "score failed is a whole score from 1 to 5 (got 4.5)",
        "activity_feedback.csv:7": "score failed is a whole score from 1 to 5 (got )",
        "activity_feedback.csv:8": "submitted_at failed is ISO-8601 with a UTC offset (got 2026-03-04 10:00:00)",
    }
    assert len(result.rows) + len(result.quarantine) == 7


def test_chinese_headers_in_gbk_map_to_the_same_columns(tmp_path):
    path = write(
        tmp_path / "activity_feedback_platform.csv",
        ["活动编号,工号,姓名,评分,提交时间", "ACT-0001,E000001,张伟,4,2026-03-03T09:00:00+08:00"],
        encoding="gbk",
    )
    result = read_activity_feedback(path)
    assert result.quarantine.empty
    assert result.rows[["activity_id", "employee_id", "score"]].values.tolist() == [["ACT-0001", "E000001", "4"]]


def test_the_inbox_reads_the_weeks_feedback_exports_into_their_raw_table(tmp_path):
    assert file_kind("activity_feedback (2).csv") == "activity_feedback"
    folder = tmp_path / WEEK.isoformat()
    folder.mkdir()
    write(folder / "activity_feedback.csv", [HEADER, "ACT-1,E1,4,2026-03-03T09:00:00+08:00"])
    write(folder / "activity_feedback_late.csv", [HEADER, "ACT-2,E2,9,2026-03-04T09:00:00+08:00"])

    frames = read_inbox_week(tmp_path, WEEK)

    assert frames["activity_feedback"][["activity_id", "score"]].values.tolist() == [["ACT-1", "4"]]
    quarantined = frames["quarantine"]
    assert quarantined.loc[quarantined["table_name"] == "activity_feedback", "source_ref"].tolist() == [
        "activity_feedback_late.csv:2"
    ]


def test_the_samples_feedback_export_reads_back_unchanged(tmp_path):
    config = SampleConfig(seed=3, employees=80, weeks=1, start_week=WEEK)
    feedback = generate_sample(config)["activity_feedback"]
    content = render_inbox_week(generate_sample(config), WEEK, config.timezone)["activity_feedback.csv"]
    result = read_activity_feedback(write(tmp_path / "activity_feedback.csv", [content.decode().rstrip("\r\n")]))

    assert result.quarantine.empty and len(result.rows) == len(feedback) > 0
    assert result.rows["submitted_at"].str.endswith("+08:00").all()  # company time, with its offset
    read = pd.DataFrame(
        {
            "activity_id": result.rows["activity_id"].astype(str),
            "employee_id": result.rows["employee_id"].astype(str),
            "score": result.rows["score"].astype(int),
            "submitted_at_utc": pd.to_datetime(result.rows["submitted_at"], format="ISO8601", utc=True).dt.as_unit("s"),
        }
    )
    expected = feedback.astype({"activity_id": str, "employee_id": str})
    keys = ["activity_id", "employee_id"]
    pd.testing.assert_frame_equal(
        read.sort_values(keys).reset_index(drop=True), expected.sort_values(keys).reset_index(drop=True)
    )
