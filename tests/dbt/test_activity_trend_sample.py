"""Seed 001 on the sample company: the R&D quiz participation jump (~30% -> ~75% when the last week's quiz turns
technical) is a row of ``rpt_activity_trend``, built by dbt from the sample's own inbox files (HR roster, the
activity feed and the feedback export, read by the inbox connectors) for two weeks; R&D rates that quiz well."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.files import read_activity_events, read_activity_feedback, read_hr_roster
from connectors.warehouse import connect, replace_week
from sandbox.inbox import render_inbox_week
from sandbox.sample import SampleConfig, generate_sample
from tests.dbt.runner import failures, run_dbt

WEEKS = [date(2026, 3, 2), date(2026, 3, 9)]
CONFIG = SampleConfig(seed=7, employees=400, weeks=2, start_week=WEEKS[0])
DBT_VARS = {"week_start": WEEKS[0].isoformat(), "week_end": "2026-03-16", "plan_version": "2026.1-test"}
FILES = {
    "hr_roster.csv": ("hris_employees", read_hr_roster),
    "activity_events.jsonl": ("activity_events", read_activity_events),
    "activity_feedback.csv": ("activity_feedback", read_activity_feedback),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("activity_trend_sample")
    database = work_dir / "warehouse.duckdb"
    tables = generate_sample(CONFIG)
    with connect(database) as con:
        for week in WEEKS:
            files = render_inbox_week(tables, week, CONFIG.timezone)
            for name, (table, reader) in FILES.items():
                path = work_dir / week.isoformat() / name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(files[name])
                validated = reader(path)
                assert validated.quarantine.empty, validated.quarantine.head()
                replace_week(con, table, week, validated.rows, "inbox")
    models = ["+rpt_activity_trend", "+rpt_activity_participation_by_team_weekly", "+rpt_activity_feedback_weekly"]
    result = run_dbt(["build", "--indirect-selection", "cautious", "--select", *models], database, work_dir, DBT_VARS)
    assert failures(result) == []
    return database


def test_the_rd_quiz_jump_shows_in_the_trend(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        [(previous_week, participants, headcount, before, now, change)] = con.execute(
            "select previous_week_start, participants, active_headcount, previous_participation_rate, "
            "participation_rate, participation_change_points from marts.rpt_activity_trend "
            "where activity_type = 'quiz' and department = 'R&D' and week_start = ?",
            [WEEKS[1]],
        ).fetchall()
        others = con.execute(
            "select max(abs(participation_change_points)) from marts.rpt_activity_trend "
            "where activity_type = 'quiz' and department not in ('R&D', '*') and week_start = ?",
            [WEEKS[1]],
        ).fetchone()[0]
    assert previous_week == WEEKS[0] and headcount >= 50 and participants > 0
    assert Decimal("0.20") <= before <= Decimal("0.40"), before
    assert Decimal("0.65") <= now <= Decimal("0.85"), now
    assert change >= 30 and change == ((now - before) * 100).quantize(Decimal("0.0001"))
    assert others < 20  # only R&D's quiz changed


def test_the_team_cut_adds_up_to_the_department(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select trend.activity_type, trend.week_start, trend.department, "
            "trend.participants, trend.active_headcount, "
            "sum(teams.participants), sum(teams.active_headcount), count(teams.team) "
            "from marts.rpt_activity_trend as trend join marts.rpt_activity_participation_by_team_weekly as teams "
            "on trend.activity_type = teams.activity_type and trend.week_start = teams.week_start "
            "and trend.department = teams.department group by all",
        ).fetchall()
    assert rows and any(teams > 1 for *_, teams in rows)
    assert all((p, h) == (team_p, team_h) for *_, p, h, team_p, team_h, _ in rows)


def test_rd_rates_the_technical_quiz_higher_than_the_quiz_before(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select week_start, participants, responses, responding_participants, mean_score, response_rate "
            "from marts.rpt_activity_feedback_weekly where activity_type = 'quiz' and department = 'R&D' "
            "order by week_start"
        ).fetchall()
    assert [row[0] for row in rows] == WEEKS
    (_, _, _, _, before, _), (_, participants, responses, responding, after, rate) = rows
    assert responses == responding > 20 and participants > responses  # raters are participants, about 40% of them
    assert Decimal("0.25") <= rate <= Decimal("0.55")
    assert after >= Decimal("4.0") and after - before >= Decimal("0.6")
