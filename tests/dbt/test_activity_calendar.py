"""The activity calendar from the inbox file to ``dim_activity`` (one row per activity, the latest file's row
wins), and from there into activity scoring: an event for an activity not on the calendar by the end of its week is
refused as an unknown activity, the others are scored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from connectors.files import read_activity_calendar
from connectors.warehouse import connect, replace_week
from orchestration.defs.scoring import marts
from scoring.activity_points import ActivityEvent, WeekContext, score_activity_week
from scoring.plan import load_plan
from tests.dbt.runner import failures, run_dbt

W1, W2 = date(2026, 3, 2), date(2026, 3, 9)
DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-16", "plan_version": "test", "timezone": "Asia/Shanghai"}
HEADER = "activity_id,activity_type,title,start_date,end_date,prerequisite_course\r\n"


def _load(con: duckdb.DuckDBPyConnection, tmp_path, week: date, body: str) -> None:
    path = tmp_path / f"activity_calendar_{week}.csv"
    path.write_bytes((HEADER + body).encode("utf-8-sig"))
    validated = read_activity_calendar(path)
    assert validated.quarantine.empty
    replace_week(con, "activity_calendar", week, validated.rows, source="inbox")


def test_the_calendar_builds_dim_activity_and_scoring_refuses_events_for_activities_not_on_it(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    with connect(database) as con:
        _load(
            con,
            tmp_path,
            W1,
            "A1,quiz,Quiz: old name,2026-03-02,2026-03-08,\r\nA2,challenge,Bug bash,2026-03-02,2026-03-08,eng-301\r\n",
        )
        # The next week's file repeats A1 under its corrected name and lists the week's new activity.
        _load(
            con,
            tmp_path,
            W2,
            "A1,quiz,Quiz: company history,2026-03-02,2026-03-08,\r\nA3,survey,Pulse,2026-03-09,2026-03-15,\r\n",
        )

    result = run_dbt(["build", "--select", "stg_activities__calendar dim_activity"], database, tmp_path, DBT_VARS)
    assert failures(result) == []

    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            "select activity_id, activity_type, activity_name, start_date, end_date, start_week, prerequisite_course "
            "from marts.dim_activity order by activity_id"
        ).fetchall()
        assert rows == [
            ("A1", "quiz", "Quiz: company history", W1, date(2026, 3, 8), W1, None),
            ("A2", "challenge", "Bug bash", W1, date(2026, 3, 8), W1, "ENG-301"),
            ("A3", "survey", "Pulse", W2, date(2026, 3, 15), W2, None),
        ]
        known_w1, known_w2 = marts.known_activities(con, W1), marts.known_activities(con, W2)
    assert known_w1 == {"A1", "A2"} and known_w2 == {"A1", "A2", "A3"}

    at = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
    events = [
        ActivityEvent("EV-1", "quiz_answered", "E1", at, activity_id="A1"),
        ActivityEvent("EV-2", "survey_answered", "E1", at, activity_id="A3"),  # A3 starts next week
        ActivityEvent("EV-3", "quiz_answered", "E2", at, activity_id="POP-2026W10"),
    ]
    points, rejected = score_activity_week(events, load_plan(), context=WeekContext(activities=known_w1))
    assert sorted((r.event.event_id, r.reason) for r in rejected) == [
        ("EV-2", "unknown activity A3"),
        ("EV-3", "unknown activity POP-2026W10"),
    ]
    assert [(p.employee_id, sum(line.count for line in p.lines)) for p in points] == [("E1", 1)]


def test_no_calendar_ever_loaded_means_the_rule_is_not_checked(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        assert marts.known_activities(con, W1) is None
        con.execute("create schema marts")
        con.execute("create table marts.dim_activity (activity_id varchar, start_date date)")
        assert marts.known_activities(con, W1) is None
