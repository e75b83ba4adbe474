"""The engagement team's activity calendar: read from the inbox into ``activity_calendar``; a row that would put a
wrong activity on the calendar (no id, unknown type, ending before it starts) is quarantined with its reason."""

from __future__ import annotations

import codecs
from datetime import date

import pandas as pd
import pytest

from connectors.files import read_activity_calendar, read_inbox_week
from connectors.files.column_maps import HeaderError
from sandbox.inbox import render_inbox_week
from sandbox.sample.config import SampleConfig
from sandbox.sample.generate import generate_sample

HEADER = "activity_id,activity_type,title,start_date,end_date,prerequisite_course\r\n"


def _calendar(tmp_path, body: str, header: str = HEADER, encoding: str = "utf-8-sig"):
    path = tmp_path / "activity_calendar.csv"
    path.write_bytes((header + body).encode(encoding))
    return path


def test_good_rows_load_as_text_with_types_lower_cased_and_courses_upper_cased(tmp_path):
    path = _calendar(
        tmp_path,
        "ACT-0001,Challenge,Tech challenge: SQL tuning,2026-03-02,2026-03-08,eng-306\r\n"
        "ACT-0002,quiz,Quiz: 公司历史,2026/3/2,2026/3/8,\r\n",
    )
    validated = read_activity_calendar(path)
    assert validated.quarantine.empty
    assert validated.rows.to_dict("records") == [
        {
            "activity_id": "ACT-0001",
            "activity_type": "challenge",
            "title": "Tech challenge: SQL tuning",
            "start_date": "2026-03-02",
            "end_date": "2026-03-08",
            "prerequisite_course": "ENG-306",
            "_source_ref": "activity_calendar.csv:2",
        },
        {
            "activity_id": "ACT-0002",
            "activity_type": "quiz",
            "title": "Quiz: 公司历史",
            "start_date": "2026-03-02",
            "end_date": "2026-03-08",
            "prerequisite_course": None,
            "_source_ref": "activity_calendar.csv:3",
        },
    ]


def test_chinese_headers_from_a_gbk_export_map_onto_the_same_columns(tmp_path):
    header = "活动编号,活动类型,活动名称,开始日期,结束日期,前置课程,负责人\r\n"
    path = _calendar(tmp_path, "ACT-0003,survey,脉搏调查,2026-03-02,2026-03-08,,王芳\r\n", header, "gbk")
    validated = read_activity_calendar(path)
    assert validated.quarantine.empty
    row = validated.rows.iloc[0]
    assert [row["activity_id"], row["activity_type"], row["title"]] == ["ACT-0003", "survey", "脉搏调查"]


@pytest.mark.trust("bad input", "files: activity calendar")
@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",quiz,No id,2026-03-02,2026-03-08,", "activity_id failed not_blank"),
        ("ACT-9,webinar,Unknown type,2026-03-02,2026-03-08,", "activity_type failed isin"),
        ("ACT-9,quiz,Backwards,2026-03-08,2026-03-02,", "end_date_not_before_start_date"),
        ("ACT-9,quiz,Not a date,2026-02-30,2026-03-08,", "start_date failed is_date"),
        ("ACT-9,quiz,Too few cells,2026-03-02", "expected 6 fields"),
    ],
)
def test_bad_rows_are_quarantined_with_their_reason_and_the_rest_load(tmp_path, row, reason):
    path = _calendar(tmp_path, f"ACT-0001,story,Fine,2026-03-02,2026-03-08,\r\n{row}\r\n")
    validated = read_activity_calendar(path)
    assert validated.rows["activity_id"].tolist() == ["ACT-0001"]
    [bad] = validated.quarantine.to_dict("records")
    assert reason in bad["reason"]
    assert bad["source_ref"] == "activity_calendar.csv:3"


@pytest.mark.trust("bad input", "files: activity calendar")
def test_an_unknown_header_is_an_error_not_a_dropped_column(tmp_path):
    path = _calendar(tmp_path, "ACT-1,quiz,x,2026-03-02,2026-03-08,,1\r\n", HEADER.rstrip() + ",budget\r\n")
    with pytest.raises(HeaderError, match="budget"):
        read_activity_calendar(path)


def test_the_sample_week_renders_a_calendar_the_inbox_loads_and_the_pop_up_quiz_is_not_on_it(tmp_path):
    monday = date(2026, 3, 2)
    sample = generate_sample(SampleConfig(seed=7, employees=60, weeks=2, start_week=monday))
    files = render_inbox_week(sample, monday)
    content = files["activity_calendar.csv"]
    assert content.startswith(codecs.BOM_UTF8) and content == render_inbox_week(sample, monday)["activity_calendar.csv"]
    folder = tmp_path / monday.isoformat()
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)

    frames = read_inbox_week(tmp_path, monday)
    calendar = frames["activity_calendar"]
    week_activities = sample["activities"][pd.to_datetime(sample["activities"]["week_start"]).dt.date == monday]
    assert sorted(calendar["activity_id"]) == sorted(week_activities["activity_id"])
    assert set(calendar["end_date"]) == {"2026-03-08"}
    assert frames["quarantine"].query("table_name == 'activity_calendar'").empty
    unlisted = set(frames["activity_events"]["activity_id"]) - set(calendar["activity_id"])
    assert unlisted == {"POP-2026W10"}
    assert (frames["activity_events"]["activity_id"] == "POP-2026W10").sum() >= 1
