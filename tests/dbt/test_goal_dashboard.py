"""The goal dashboards read the scores: planted scores for two weeks -> department dashboard and at-risk list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from connectors.warehouse import replace_week
from tests.dbt import raw_fixture
from tests.dbt.runner import failures, run_dbt

WEEK, LAST_WEEK = date(2026, 3, 2), date(2026, 2, 23)
RATIOS = {"attainment": "decimal(18,6)", "previous_attainment": "decimal(18,6)"}
DBT_VARS = {"week_start": "2026-02-23", "week_end": "2026-03-09", "plan_version": "2026.1-test"}


def _scores(week: date, rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "employee_id": e, "attainment": a, "previous_attainment": None, "band": band,
                "weakest_metric": metric, "reason_codes": reasons,
            }
            for e, a, band, metric, reasons in rows
        ]
    )  # fmt: skip


def _rollups(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"level": lvl, "group_id": g, "metric": m, "attainment": a, "note": ""} for lvl, g, m, a in rows]
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("goal_dashboard")
    database = work_dir / "warehouse.duckdb"
    raw_fixture.write_raw_tables(database)
    built = run_dbt(["run", "--select", "+dim_employee"], database, work_dir, DBT_VARS)
    assert failures(built) == []
    with duckdb.connect(str(database)) as con:
        scores = {
            LAST_WEEK: [("E001", "0.95", "on_track", "csat", ""), ("E002", "0.90", "on_track", "csat", "")],
            WEEK: [
                ("E001", "0.60", "at_risk", "tickets_resolved", "ABSENT_2D,LATE_3X"),
                ("E002", "0.70", "improving", "csat", "LEAVE_1D"),
                ("E003", "1.25", "high_performer", "ctr", ""),
            ],
        }
        for week, rows in scores.items():
            replace_week(
                con,
                "score_goal_attainment_weekly",
                week,
                _scores(week, rows),
                "test",
                schema="scoring",
                column_types=RATIOS,
            )
        rollups = {
            LAST_WEEK: [("department", "Customer Service", "*", "0.925")],
            WEEK: [
                ("department", "Customer Service", "*", "0.65"),
                ("department", "Customer Service", "tickets_resolved", "0.55"),
                ("department", "Customer Service", "csat", "0.80"),
                ("department", "Customer Service", "first_response_minutes", "0.90"),
                ("department", "Design", "*", "1.25"),
            ],
        }
        for week, rows in rollups.items():
            replace_week(
                con, "score_goal_rollups_weekly", week, _rollups(rows), "test", schema="scoring", column_types=RATIOS
            )
        events = pd.DataFrame(
            [
                ("a", "E001", "manager_alert", "E006", None),
                ("b", "E002", "improvement_note", "E002", "Service language and empathy (CS-130)"),
                ("c", "E003", "weekly_bonus", "E003", None),
            ],
            columns=["event_id", "employee_id", "kind", "recipient_id", "course"],
        )
        replace_week(con, "goal_consequence_events", WEEK, events, "test", schema="scoring")
    dashboards = "rpt_goal_department_dashboard_weekly rpt_goal_at_risk_weekly"
    result = run_dbt(["build", "--select", *dashboards.split()], database, work_dir, DBT_VARS)
    assert failures(result) == []
    return database


def _rows(database: Path, sql: str) -> list[dict[str, object]]:
    with duckdb.connect(str(database)) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_dashboard_says_why_a_department_is_low(warehouse: Path):
    [row] = _rows(
        warehouse,
        "select * from marts.rpt_goal_department_dashboard_weekly "
        "where department = 'Customer Service' and week_start = '2026-03-02'",
    )
    assert row["members_scored"] == 2 and (row["improving"], row["at_risk"]) == (1, 1)
    assert str(row["attainment_change"]) == "-0.2750"
    assert (row["weakest_metric"], row["second_weakest_metric"]) == ("tickets_resolved", "csat")
    assert (row["below_target_absent"], row["below_target_on_leave"], row["below_target_late"]) == (1, 1, 1)
    assert row["summary"] == (
        "Customer Service at 65.0% (-27.5 pts vs last week): 2 of 2 below on_track; weakest metric "
        "tickets_resolved at 55.0%, then csat at 80.0%; attendance explains 2 of them (1 absent, 1 on leave, 1 late)"
    )


def test_a_department_with_no_earlier_week_has_no_change(warehouse: Path):
    [row] = _rows(warehouse, "select * from marts.rpt_goal_department_dashboard_weekly where department = 'Design'")
    assert row["previous_attainment"] is None and row["high_performers"] == 1
    assert row["summary"].startswith("Design at 125.0%: 0 of 1 below on_track")


def test_the_at_risk_list_names_the_follow_up(warehouse: Path):
    rows = _rows(warehouse, "select * from marts.rpt_goal_at_risk_weekly order by employee_id")
    assert [(r["employee_id"], r["band"], r["follow_up"], r["follow_up_recipient"]) for r in rows] == [
        ("E001", "at_risk", "manager_alert", "E006"),
        ("E002", "improving", "improvement_note", "E002"),
    ]
    assert rows[0]["attendance_reasons"] == "ABSENT_2D,LATE_3X"
    assert rows[1]["recommended_course"] == "Service language and empathy (CS-130)"
