"""Participation analytics on a hand-made raw layer: the team cut, the trend against the previous run of the
same activity type, feedback scores, and the weekly points leaderboard read from planted scores.

Six people: R1, R2 (R&D, team RD-1), R3, R4 (R&D, RD-2), S1, S2 (Customer Success, CS-1).
- week 2026-02-23: a quiz answered by R1 and S1 (R&D 1 of 4 = 25%, Customer Success 1 of 2 = 50%).
- week 2026-03-02: no quiz; a story published by S1, liked by R1 and commented on by R2.
- week 2026-03-09: a quiz answered by R1, R2 and R3 (R&D 75%, Customer Success 0%). Its previous run is
  2026-02-23 (the quiz did not run on 03-02): R&D +50 points, Customer Success -50 points.
Feedback on the 03-09 quiz: R1 5, R2 2 then (changed) 4, S1 (who did not take part) 1.
Scores of 2026-03-02: R1 200 (260 before the weekly cap), S1 200, R2 150, S2 0, and X9 (not in HR) 10.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from connectors.files.schemas import raw_frame
from connectors.warehouse import connect, replace_week
from tests.dbt.raw_fixture import _employee
from tests.dbt.runner import failures, run_dbt

W1, W2, W3 = date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)
DBT_VARS = {"week_start": W1.isoformat(), "week_end": "2026-03-16", "plan_version": "2026.1-test"}
MODELS = [
    "+rpt_activity_trend",
    "+rpt_activity_participation_by_team_weekly",
    "+rpt_activity_feedback_weekly",
    "rpt_points_leaderboard_weekly",
]


def _people() -> pd.DataFrame:
    people = [("R1", "R&D", "RD-1"), ("R2", "R&D", "RD-1"), ("R3", "R&D", "RD-2"), ("R4", "R&D", "RD-2")]
    people += [("S1", "Customer Success", "CS-1"), ("S2", "Customer Success", "CS-1")]
    rows = [_employee(e, e, dept, team, "PG-A", "engineer", None, "1000.00") for e, dept, team in people]
    return _with_refs("hr_roster.csv", rows)


RAW_TABLE_OF = {
    "hr_roster.csv": "hris_employees",
    "activity_events.jsonl": "activity_events",
    "activity_feedback.csv": "activity_feedback",
}


def _with_refs(file_name: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    """The raw table's exact contract columns (as the inbox connector writes them), with line references."""
    return raw_frame(
        RAW_TABLE_OF[file_name], [{**row, "_source_ref": f"{file_name}:{n + 2}"} for n, row in enumerate(rows)]
    )


FEEDBACK = [
    ("Q3", "R1", "5", "2026-03-10T12:00:00+08:00"),
    ("Q3", "R2", "2", "2026-03-10T12:00:00+08:00"),
    ("Q3", "R2", "4", "2026-03-11T09:00:00+08:00"),
    ("Q3", "S1", "1", "2026-03-11T09:00:00+08:00"),
]


def _feedback() -> pd.DataFrame:
    columns = ["activity_id", "employee_id", "score", "submitted_at"]
    return _with_refs("activity_feedback.csv", [dict(zip(columns, row, strict=True)) for row in FEEDBACK])


def _events(rows: list[tuple[str, str, str, str, str, str | None, str | None, str]]) -> pd.DataFrame:
    columns = ["event_id", "event_type", "activity_id", "activity_type", "employee_id", "counterpart_id", "story_id"]
    records = [{**dict(zip(columns, row[:7], strict=True)), "team_id": None, "occurred_at": row[7]} for row in rows]
    return _with_refs("activity_events.jsonl", records)


EVENTS = {
    W1: [
        ("q1-r1", "quiz_answered", "Q1", "quiz", "R1", None, None, "2026-02-24T02:00:00Z"),
        ("q1-s1", "quiz_answered", "Q1", "quiz", "S1", None, None, "2026-02-24T03:00:00Z"),
    ],
    W2: [
        ("s2-pub", "story_published", "S2", "story", "S1", None, "ST1", "2026-03-03T02:00:00Z"),
        ("s2-like", "story_liked", "S2", "story", "R1", "S1", "ST1", "2026-03-03T03:00:00Z"),
        ("s2-comment", "story_commented", "S2", "story", "R2", "S1", "ST1", "2026-03-03T04:00:00Z"),
    ],
    W3: [
        ("q3-r1", "quiz_answered", "Q3", "quiz", "R1", None, None, "2026-03-10T02:00:00Z"),
        ("q3-r2", "quiz_answered", "Q3", "quiz", "R2", None, None, "2026-03-10T03:00:00Z"),
        ("q3-r3", "quiz_answered", "Q3", "quiz", "R3", None, None, "2026-03-11T02:00:00Z"),
    ],
}
SCORES = [("R1", 200, 260, 1), ("S1", 200, 200, 0), ("R2", 150, 150, 0), ("S2", 0, 0, 0), ("X9", 10, 10, 0)]


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "employee_id": employee, "points": points, "points_before_cap": before, "performance_points": perf,
                "collaboration_points": 0, "breakdown_json": "{}", "plan_version": "2026.1-test", "plan_hash": "x",
            }
            for employee, points, before, perf in SCORES
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("activity_analytics")
    database = work_dir / "warehouse.duckdb"
    with connect(database) as con:
        replace_week(con, "hris_employees", W1, _people(), "inbox")
        for week, rows in EVENTS.items():
            replace_week(con, "activity_events", week, _events(rows), "inbox")
        replace_week(con, "activity_feedback", W3, _feedback(), "inbox")
        replace_week(con, "score_activity_points_weekly", W2, _scores(), "scoring", schema="scoring")
    result = run_dbt(["build", "--indirect-selection", "cautious", "--select", *MODELS], database, work_dir, DBT_VARS)
    assert failures(result) == []
    return database


def _rows(database: Path, sql: str) -> list[dict[str, object]]:
    with duckdb.connect(str(database)) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_trend_compares_a_run_with_the_previous_run_of_its_type(warehouse: Path) -> None:
    rows = {
        r["department"]: r
        for r in _rows(
            warehouse,
            "select * from marts.rpt_activity_trend where activity_type = 'quiz' and week_start = '2026-03-09'",
        )
    }
    assert set(rows) == {"R&D", "Customer Success", "*"}
    rd = rows["R&D"]
    assert rd["previous_week_start"] == W1  # the week without a quiz is skipped
    assert (rd["participants"], rd["active_headcount"], rd["previous_participants"]) == (3, 4, 1)
    assert (rd["participation_rate"], rd["previous_participation_rate"]) == (Decimal("0.75"), Decimal("0.25"))
    assert rd["participation_change_points"] == Decimal("50")
    success = rows["Customer Success"]
    assert (success["participants"], success["participation_rate"]) == (0, Decimal("0"))
    assert success["participation_change_points"] == Decimal("-50")
    company = rows["*"]
    assert (company["participants"], company["active_headcount"], company["previous_participants"]) == (3, 6, 2)
    assert company["participation_change_points"] == Decimal("16.6667")


def test_a_first_run_has_no_previous_and_interactions_are_per_participant(warehouse: Path) -> None:
    [first_quiz] = _rows(
        warehouse, "select * from marts.rpt_activity_trend where activity_type = 'quiz' and department = '*' "
        "and week_start = '2026-02-23'",
    )  # fmt: skip
    assert first_quiz["previous_week_start"] is None and first_quiz["participation_change_points"] is None
    [story] = _rows(
        warehouse, "select * from marts.rpt_activity_trend where activity_type = 'story' and department = 'R&D'"
    )
    # R1 liked and R2 commented: 2 interactions by 2 participants
    assert (story["participants"], story["interaction_rate"], story["previous_interaction_rate"]) == (
        2, Decimal("1"), None,
    )  # fmt: skip


def test_participation_by_team_keeps_teams_without_participants(warehouse: Path) -> None:
    rows = _rows(
        warehouse,
        "select team, participants, active_headcount, participation_rate, activities "
        "from marts.rpt_activity_participation_by_team_weekly "
        "where activity_type = 'quiz' and week_start = '2026-03-09' order by team",
    )
    assert [(r["team"], r["participants"], r["active_headcount"], r["participation_rate"]) for r in rows] == [
        ("CS-1", 0, 2, Decimal("0")),
        ("RD-1", 2, 2, Decimal("1")),
        ("RD-2", 1, 2, Decimal("0.5")),
    ]
    assert {r["activities"] for r in rows} == {1}


def test_the_leaderboard_ranks_by_points_then_employee_id(warehouse: Path) -> None:
    rows = _rows(warehouse, "select * from marts.rpt_points_leaderboard_weekly order by company_rank")
    assert [(r["employee_id"], r["company_rank"], r["department_rank"]) for r in rows] == [
        ("R1", 1, 1), ("S1", 2, 1), ("R2", 3, 2), ("X9", 4, 1), ("S2", 5, 2),
    ]  # fmt: skip
    leader = rows[0]
    assert (leader["weekly_cap_hit"], leader["points_over_cap"], leader["performance_points"]) == (True, 60, 1)
    assert (rows[1]["weekly_cap_hit"], rows[1]["points_over_cap"]) == (False, 0)
    assert rows[3]["department"] == "(unknown)" and rows[3]["department_scored"] == 1
    assert {r["company_scored"] for r in rows} == {5} and {r["week_start"] for r in rows} == {W2}


def test_feedback_counts_each_persons_latest_rating_against_the_participants(warehouse: Path) -> None:
    rows = {
        r["department"]: r
        for r in _rows(warehouse, "select * from marts.rpt_activity_feedback_weekly where activity_id = 'Q3'")
    }
    assert set(rows) == {"R&D", "Customer Success"}
    rd = rows["R&D"]
    assert (rd["week_start"], rd["activity_type"]) == (W3, "quiz")
    assert (rd["participants"], rd["responses"], rd["responding_participants"]) == (3, 2, 2)
    assert (rd["mean_score"], rd["response_rate"]) == (Decimal("4.5"), Decimal("0.666667"))  # R2's changed 4 counts
    success = rows["Customer Success"]  # S1 rated without taking part: a response, not a responding participant
    assert (success["participants"], success["responses"], success["responding_participants"]) == (0, 1, 0)
    assert (success["mean_score"], success["response_rate"]) == (Decimal("1"), None)
