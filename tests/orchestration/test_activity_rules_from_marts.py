"""Activity rules that need the warehouse: challenge prerequisites from training completions, unknown people,
likes before their story, clock skew against the inbox week an event arrived in; the winners' performance points
reaching goal consequences; and the team-building fund asset."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.defs.scoring import marts
from orchestration.defs.scoring.goal_outcomes import _performance_points
from orchestration.defs.scoring.team_fund import FUND, team_building_fund_weekly
from orchestration.lib.week_scoring import POINTS, score_week_from_marts
from scoring.plan import load_plan

from .plan_warehouse import WEEKS, build_marts, plan_text, write_plan

WEEK = WEEKS[1]  # 2026-03-09
TZ = "Asia/Shanghai"


def _events(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("alter table marts.fct_activity_events add column prerequisite_course varchar")
    con.execute("alter table marts.fct_activity_events add column received_week_start date")
    rows = [
        # event_id, type, employee, utc, counterpart, story, activity, prerequisite, received week
        ("J-ok", "challenge_joined", "E2", datetime(2026, 3, 9, 2), None, None, "CH1", "SEC-101", WEEK),
        ("J-late", "challenge_joined", "E3", datetime(2026, 3, 9, 2), None, None, "CH1", "SEC-101", WEEK),
        ("J-none", "challenge_joined", "E4", datetime(2026, 3, 9, 2), None, None, "CH1", "SEC-101", WEEK),
        ("W-1", "challenge_won", "E2", datetime(2026, 3, 15, 12), None, None, "CH1", "SEC-101", WEEK),
        ("K-1", "collaboration_completed", "E2", datetime(2026, 3, 10, 2), "E3", None, "CO1", None, WEEK),
        ("X-ghost", "quiz_answered", "GHOST", datetime(2026, 3, 10, 2), None, None, "Q1", None, WEEK),
        ("L-early", "story_liked", "E3", datetime(2026, 3, 10, 2), "E4", "ST-9", "S1", None, WEEK),
        ("P-9", "story_published", "E4", datetime(2026, 3, 10, 3), None, "ST-9", "S1", None, WEEK),
        # Delivered in the week of 2026-03-02 (arrived by 2026-03-09 00:00 Shanghai) but stamped a day later.
        ("Q-skew", "quiz_answered", "E2", datetime(2026, 3, 9, 16), None, None, "Q1", None, WEEKS[0]),
    ]
    con.executemany(
        """insert into marts.fct_activity_events (week_start, event_id, event_type, employee_id, occurred_at_utc,
           counterpart_id, story_id, activity_id, team_id, prerequisite_course, received_week_start)
           values (?, ?, ?, ?, ?, ?, ?, ?, 'T1', ?, ?)""",
        [
            (WEEK, e, t, who, at, other, story, act, course, rec)
            for e, t, who, at, other, story, act, course, rec in rows
        ],
    )
    con.execute("create schema staging")
    con.execute(
        """create table staging.stg_activities__training_completions (employee_id varchar, course_code varchar,
           completed_at_utc timestamp)"""
    )
    con.executemany(
        "insert into staging.stg_activities__training_completions values (?, 'SEC-101', ?)",
        [("E2", datetime(2026, 3, 1)), ("E2", datetime(2025, 12, 1)), ("E3", datetime(2026, 3, 9, 5))],
    )


@pytest.fixture
def warehouse(tmp_path):
    path = build_marts(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        _events(con)
    return path


def test_the_week_scores_only_what_the_record_supports_and_says_why_for_the_rest(warehouse):
    plan = load_plan()
    with duckdb.connect(str(warehouse)) as con:
        scores = score_week_from_marts(con, WEEK, plan, TZ)
        events_in = con.execute("select count(*) from marts.fct_activity_events where week_start = ?", [WEEK])
        events_in = events_in.fetchone()[0]

    reasons = {r.event.event_id: r.reason for r in scores.points_rejected}
    assert reasons == {
        "J-late": "prerequisite course SEC-101 completed at 2026-03-09T05:00:00+00:00, after joining",
        "J-none": "prerequisite course SEC-101 not completed before joining",
        "X-ghost": "unknown employee GHOST: not on the employee record",
        "L-early": "story_liked on story ST-9 before it was published",
        "Q-skew": "clock skew: occurred_at 2026-03-09T16:00:00+00:00 is 1 day, 0:00:00 after the event arrived "
        "(2026-03-09T00:00:00+08:00), beyond the 0:10:00 tolerance",
    }
    counted_rules = {"challenge_joined", "challenge_won", "story_published", "quiz_answered"}
    counted = sum(line.count for p in scores.points for line in p.lines if line.rule in counted_rules)
    collaborations = 1  # one event pays both sides
    assert counted + collaborations + len(reasons) == events_in
    by_employee = {p.employee_id: p.as_record() for p in scores.points}
    assert by_employee["E2"]["points"] == 50 + 100 + 30
    assert by_employee["E2"]["performance_points"] == 1
    assert by_employee["E3"]["collaboration_points"] == 30
    assert set(scores.rejected().query("score == @POINTS")["reference"]) == set(reasons)


def test_performance_points_reach_goal_consequences_and_collaboration_funds_the_team(warehouse, tmp_path):
    plans = write_plan(tmp_path / "plans", "default.yaml", plan_text()).parent
    plan = load_plan(plans / "default.yaml")
    with duckdb.connect(str(warehouse)) as con:
        scores = score_week_from_marts(con, WEEK, plan, TZ)
        marts.write_scores(con, POINTS, WEEK, [p.as_record() for p in scores.points], plan)
        assert _performance_points(con, WEEK, 12) == {"E2": {WEEK: 1}}
        assert _performance_points(con, WEEK + (WEEK - WEEKS[0]) * 12, 12) == {}  # out of the window

    resources = {"warehouse": WarehouseResource(path=str(warehouse)), "plan": PlanResource(path=str(plans))}
    result = dg.materialize([team_building_fund_weekly], partition_key=WEEK.isoformat(), resources=resources)
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select team_id, week_start, collaboration_points, amount, currency from scoring.{FUND}"
        ).fetchall()
    assert rows == [("T1", WEEK, 60, Decimal("60.00"), "CNY")]  # E2 and E3 of team T1, 30 points each
