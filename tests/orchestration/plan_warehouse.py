"""A small warehouse with the marts weekly scoring reads, and plan versions edited from the default plan.

Goal attainments are chosen so every bonus is a whole multiple of the base: 1.0 -> x1.0, 0.6 -> x0.5, 1.2 -> x1.3,
1.1 -> x1.15, 0.5 -> nothing; a designer, an operator and a project pool add the other pay components.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from scoring.plan import DEFAULT_PLAN_PATH

WEEKS = (date(2026, 3, 2), date(2026, 3, 9))
# employee -> actual per week (target 100, one goal, weight 1)
GOAL_ACTUALS = {"E1": (100, 110), "E2": (60, 60), "E3": (120, 100), "E4": (50, 50)}

_TABLES = {
    "dim_employee": """employee_id varchar, name varchar, payroll_id varchar, role varchar,
        variable_base decimal(18, 2), hire_date date, termination_date date, team varchar, department varchar,
        manager_id varchar""",
    "fct_goal_progress_weekly": """employee_id varchar, week_start date, metric varchar, unit varchar,
        target decimal(18, 4), actual decimal(18, 4), weight decimal(18, 4), direction varchar, reason_codes varchar,
        goal_id varchar, issue_key varchar, days_scheduled integer, days_on_leave integer""",
    "fct_creative_performance_weekly": """week_start date, designer_id varchar, creative_id varchar,
        impressions bigint, clicks bigint, avg_dwell_seconds decimal(18, 4), favorites bigint, sessions bigint,
        credited_orders decimal(18, 6), repurchase_rate decimal(18, 6), operator_rating integer""",
    "fct_department_conversion_weekly": "week_start date, conversion_rate decimal(18, 6)",
    "fct_operator_performance_weekly": "week_start date, operator_id varchar, ctr decimal(18, 6), "
    "avg_dwell_seconds decimal(18, 4)",
    "fct_project_profit_weekly": "week_start date, project_id varchar, profit decimal(18, 2)",
    "fct_project_contribution_weekly": "week_start date, project_id varchar, employee_id varchar, role varchar, "
    "credited_orders decimal(18, 6)",
    "fct_activity_events": """week_start date, event_id varchar, event_type varchar, employee_id varchar,
        occurred_at_utc timestamp, counterpart_id varchar, story_id varchar, activity_id varchar, team_id varchar""",
    "fct_attendance_weekly": "week_start date, employee_id varchar, overtime_hours double",
}


def build_marts(path: Path, weeks: tuple[date, ...] = WEEKS) -> Path:
    """Create ``path`` with the marts of ``weeks``; returns it."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for table, columns in _TABLES.items():
            con.execute(f"create table marts.{table} ({columns})")
        people = [
            ("E1", "张伟", "P001", "customer_service", None),
            ("E2", "李娜", "P002", "customer_service", None),
            ("E3", "王芳", "P003", "engineer", None),
            ("E4", "赵磊", "P004", "functional", None),
            ("E5", "陈静", "P005", "designer", Decimal("3000")),
            ("E6", "刘洋", "P006", "operator", Decimal("4000")),
        ]
        con.executemany(
            "insert into marts.dim_employee values (?, ?, ?, ?, ?, date '2025-01-06', null, 'T1', 'D1', null)",
            people,
        )
        for n, week in enumerate(weeks):
            con.executemany(
                "insert into marts.fct_goal_progress_weekly values (?, ?, 'tickets_resolved', 'tickets', 100, ?, 1,"
                " 'higher_is_better', '', ?, ?, 5, 0)",
                [(e, week, actuals[n % 2], f"G-{e}", f"G-{e}-{week}") for e, actuals in GOAL_ACTUALS.items()],
            )
            con.execute(
                "insert into marts.fct_creative_performance_weekly values (?, 'E5', 'C1', 10000, 330, 42, 180, 2000,"
                " 45, 0.2, 4)",
                [week],
            )
            con.execute("insert into marts.fct_department_conversion_weekly values (?, 0.025)", [week])
            con.execute("insert into marts.fct_operator_performance_weekly values (?, 'E6', 0.033, 44)", [week])
            con.execute("insert into marts.fct_project_profit_weekly values (?, 'PRJ1', 10000)", [week])
            con.executemany(
                "insert into marts.fct_project_contribution_weekly values (?, 'PRJ1', ?, ?, 45)",
                [(week, "E5", "designer"), (week, "E6", "operator")],
            )
            con.execute(
                "insert into marts.fct_activity_events values (?, ?, 'quiz_answered', 'E1', ?, null, null, 'Q1', 'T1')",
                [week, f"EV-{week}", datetime.combine(week, datetime.min.time()) + timedelta(hours=3)],
            )
            con.execute("insert into marts.fct_attendance_weekly values (?, 'E1', 2.5)", [week])
    return path


def plan_text(version: str = "2026.1", effective_from: str = "2026-01-05", base_bonus: str = "500") -> str:
    """The default plan with another version, effective date or default bonus base."""
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    for old, new in (
        ('version: "2026.1"', f'version: "{version}"'),
        ("effective_from: 2026-01-05", f"effective_from: {effective_from}"),
        ('default: "500"', f'default: "{base_bonus}"'),
    ):
        assert text.count(old) == 1, f"fixture drifted: {old!r}"
        text = text.replace(old, new)
    return text


def write_plan(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
