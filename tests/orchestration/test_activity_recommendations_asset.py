"""The recommendations asset reads joined activities from the marts and writes next week's top types with reasons."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.defs.scoring.recommendations import activity_recommendations
from scoring.plan import DEFAULT_PLANS_DIR

WEEK = date(2026, 3, 2)


def test_next_weeks_recommendations_count_joins_not_reactions_and_skip_leavers(tmp_path):
    warehouse = str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(warehouse) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.dim_employee as select * from (values
                 ('E1', 'R&D', date '2020-01-01', null::date),
                 ('E2', 'R&D', date '2020-01-01', null::date),
                 ('E3', 'R&D', date '2020-01-01', date '2026-03-06')  -- gone before the week recommended for
               ) as t(employee_id, department, hire_date, termination_date)"""
        )
        con.execute(
            """create table marts.fct_activity_events as select * from (values
                 ('E1', 'challenge', 'challenge_joined', date '2026-03-02', null),
                 ('E1', 'collaboration', 'collaboration_completed', date '2026-03-02', 'E2'),
                 ('E2', 'story', 'story_liked', date '2026-03-02', 'E1'),
                 ('E3', 'quiz', 'quiz_answered', date '2026-03-02', null),
                 ('E1', 'survey', 'survey_answered', date '2026-03-09', null)  -- after the partition week
               ) as t(employee_id, activity_type, event_type, week_start, counterpart_id)"""
        )
    resources = {"warehouse": WarehouseResource(path=warehouse), "plan": PlanResource(path=str(DEFAULT_PLANS_DIR))}
    for _ in range(2):  # a rerun replaces the week's rows
        result = dg.materialize([activity_recommendations], partition_key=WEEK.isoformat(), resources=resources)
        assert result.success
    with duckdb.connect(warehouse) as con:
        rows = con.execute(
            """select employee_id, rank, activity_type, recommended_week_start, reason, plan_version
               from scoring.activity_recommendations order by employee_id, rank"""
        ).fetchall()
    # E2 only liked a story (a reaction) but was the helper of E1's collaboration: that counts as joining. The
    # quiz was on offer (E3 answered it) but nobody still employed took part: own prior only, last. E3 gets nothing.
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("E1", 1, "collaboration"), ("E1", 2, "challenge"), ("E1", 3, "quiz"),
        ("E2", 1, "collaboration"), ("E2", 2, "challenge"), ("E2", 3, "quiz"),
    ]  # fmt: skip
    assert {r[3] for r in rows} == {date(2026, 3, 9)}
    assert rows[4][4] == (
        "0 of your 1 activities in the last 1 week were challenges; each week 50% of R&D took part in challenges "
        "(company: 50%)"
    )
