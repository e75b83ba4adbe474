"""The HR/engagement team's activity calendar (``activity_calendar.csv``, UTF-8 with BOM, one per week).

One row per planned activity: its ``activity_id`` (as the activity feed names it), ``activity_type`` (challenge,
collaboration, story, quiz or survey), ``title``, the company-local ``start_date`` and ``end_date`` it runs
(inclusive) and, for technical challenges, the ``prerequisite_course``. Scoring refuses an event whose activity is
not on the calendar, so a row that would put a wrong activity on it is quarantined with its reason instead: no
id, a type scoring does not know (types are compared case-insensitively: ``Quiz`` is ``quiz``), an end before the
start or a date that is not a date. Each week's file may repeat earlier activities; staging keeps the latest.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import _column_map
from connectors.files.inbox import problems_frame, read_mapped_records
from connectors.files.schemas import raw_frame, validate_table
from connectors.quality import Validated

TABLE = "activity_calendar"
ACTIVITY_CALENDAR = _column_map(
    TABLE,
    {
        "activity_id": ("活动编号", "活动ID", "activity", "id"),
        "activity_type": ("活动类型", "类型", "type"),
        "title": ("活动名称", "名称", "name", "activity_name"),
        "start_date": ("开始日期", "start", "starts_on", "week_start"),
        "end_date": ("结束日期", "end", "ends_on"),
        "prerequisite_course": ("前置课程", "先修课程", "course", "course_code"),
    },
    optional=("title", "prerequisite_course"),
    ignored=("负责人", "owner", "备注", "notes"),
    dates=("start_date", "end_date"),
)


def read_activity_calendar(path: Path) -> Validated:
    """``activity_calendar.csv`` (activity_id, activity_type, title, start_date, end_date, prerequisite_course)
    -> ``activity_calendar``; rows failing a check are quarantined with the reason."""
    records, problems = read_mapped_records(path, ACTIVITY_CALENDAR)
    for record in records:
        kind = record.get("activity_type")
        if kind:
            record["activity_type"] = kind.strip().lower()
        course = record.get("prerequisite_course")
        if course:
            record["prerequisite_course"] = course.strip().upper()
    return validate_table(TABLE, raw_frame(TABLE, records), problems_frame(problems))
