"""Training completions from the inbox file to staging, and a challenge's prerequisite course through the feed to
``fct_activity_events``: instants with any offset become UTC, codes compare upper-cased."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb

from connectors.files.activity_feed import read_activity_events
from connectors.files.training import read_training_completions
from connectors.warehouse import connect, replace_week
from tests.dbt.runner import failures, run_dbt

WEEK = date(2026, 3, 2)
DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-09", "plan_version": "test", "timezone": "Asia/Shanghai"}


def test_completions_are_typed_and_the_prerequisite_reaches_the_event_mart(tmp_path):
    export = tmp_path / "training_completions.csv"
    export.write_text(
        "employee_id,course_code,completed_at\r\n"
        "E000001,sec-101,2026-03-01T20:15:00+08:00\r\n"
        "E000002,SEC-101,2026-03-02T02:00:00Z\r\n",
        encoding="utf-8",
    )
    feed = tmp_path / "activity_events.jsonl"
    event = {
        "event_id": "EV-1",
        "event_type": "challenge_joined",
        "activity_id": "ACT-0001",
        "activity_type": "challenge",
        "employee_id": "E000001",
        "prerequisite_course": "sec-101",
        "occurred_at": "2026-03-03T10:00:00+08:00",
    }
    feed.write_text(json.dumps(event) + "\n", encoding="utf-8")
    database = tmp_path / "warehouse.duckdb"
    with connect(database) as con:
        replace_week(con, "training_completions", WEEK, read_training_completions(export).rows, source="inbox")
        replace_week(con, "activity_events", WEEK, read_activity_events(feed).rows, source="inbox")

    result = run_dbt(
        [
            "build",
            "--select",
            "stg_activities__training_completions stg_activities__events fct_activity_events",
            "--exclude",
            "test_name:relationships",  # dim_employee is not built here
        ],
        database,
        tmp_path,
        DBT_VARS,
    )

    assert failures(result) == []
    with duckdb.connect(str(database)) as con:
        completions = con.execute(
            """select employee_id, course_code, completed_at_utc, partition_week_start
               from staging.stg_activities__training_completions order by _source_ref"""
        ).fetchall()
        events = con.execute(
            "select event_id, prerequisite_course, received_week_start from marts.fct_activity_events"
        ).fetchall()
    assert completions == [
        ("E000001", "SEC-101", datetime(2026, 3, 1, 12, 15), WEEK),
        ("E000002", "SEC-101", datetime(2026, 3, 2, 2, 0), WEEK),
    ]
    assert events == [("EV-1", "SEC-101", WEEK)]
