"""Reading the marts into scoring's inputs and writing scores back: the only SQL the scoring assets run.

Scoring itself (``scoring/``) is pure; this module is the thin I/O layer between it and the warehouse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from connectors.warehouse import replace_week
from orchestration.lib import warehouse_rows
from scoring.activity_points import ActivityEvent
from scoring.attainment import GoalItem, WeekAttainment
from scoring.joint_incentive import Contribution, CreativeWeek, DesignerWeek, OperatorWeek, designer_week_from_creatives
from scoring.plan import Plan

SCORING_SCHEMA = "scoring"
# How far back goal history is read: enough for "better than last week" and any streak the plan asks for.
HISTORY_WEEKS = 26


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, table]).fetchone()[0] > 0


def employee_roles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        r["employee_id"]: r["role"]
        for r in warehouse_rows.rows(con, "select employee_id, role from marts.dim_employee")
    }


def employment_gaps(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, str]:
    """People not employed at any time in the week, with why: nobody is scored or paid for such a week."""
    rows = warehouse_rows.rows(
        con,
        """select employee_id, hire_date, termination_date from marts.dim_employee
           where hire_date >= ? or termination_date < ?""",
        [week + timedelta(days=7), week],
    )
    return {
        r["employee_id"]: (
            f"terminated {r['termination_date']}, before the week"
            if r["termination_date"] is not None and r["termination_date"] < week
            else f"hired {r['hire_date']}, after the week"
        )
        for r in rows
    }


def variable_bases(con: duckdb.DuckDBPyConnection) -> dict[str, Decimal]:
    rows = warehouse_rows.rows(con, "select employee_id, variable_base from marts.dim_employee")
    return {r["employee_id"]: r["variable_base"] for r in rows}


def goal_items(con: duckdb.DuckDBPyConnection, week: date) -> list[GoalItem]:
    rows = warehouse_rows.rows(
        con,
        """select employee_id, week_start, metric, unit, target, actual, weight, direction, reason_codes,
                  days_scheduled, days_on_leave
           from marts.fct_goal_progress_weekly where week_start = ? order by employee_id, metric, goal_id""",
        [week],
    )
    return [
        GoalItem(
            employee_id=r["employee_id"],
            week_start=r["week_start"],
            metric=r["metric"],
            target=r["target"],
            actual=r["actual"],
            weight=r["weight"],
            direction=r["direction"],
            unit=r["unit"],
            reason_codes=tuple(code for code in (r["reason_codes"] or "").split(",") if code),
            days_scheduled=r["days_scheduled"],
            days_on_leave=r["days_on_leave"],
        )
        for r in rows
    ]


def goal_history(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, list[WeekAttainment]]:
    """Earlier weeks' attainment per employee, as already scored."""
    history: dict[str, list[WeekAttainment]] = defaultdict(list)
    if not _table_exists(con, SCORING_SCHEMA, "score_goal_attainment_weekly"):
        return history
    rows = warehouse_rows.rows(
        con,
        """select employee_id, week_start, attainment from scoring.score_goal_attainment_weekly
           where week_start < ? and week_start >= ? order by employee_id, week_start""",
        [week, week - timedelta(weeks=HISTORY_WEEKS)],
    )
    for r in rows:
        history[r["employee_id"]].append(WeekAttainment(r["week_start"], r["attainment"]))
    return history


def designer_weeks(con: duckdb.DuckDBPyConnection, week: date, bases: Mapping[str, Decimal]) -> list[DesignerWeek]:
    rows = warehouse_rows.rows(
        con,
        """select designer_id, creative_id, impressions, clicks, avg_dwell_seconds, favorites, sessions,
                  credited_orders, repurchase_rate, operator_rating
           from marts.fct_creative_performance_weekly
           where week_start = ? and designer_id is not null order by designer_id, creative_id""",
        [week],
    )
    by_designer: dict[str, list[CreativeWeek]] = defaultdict(list)
    for r in rows:
        by_designer[r["designer_id"]].append(
            CreativeWeek(
                creative_id=r["creative_id"],
                impressions=Decimal(r["impressions"] or 0),
                clicks=Decimal(r["clicks"] or 0),
                avg_dwell_seconds=r["avg_dwell_seconds"] or Decimal(0),
                favorites=Decimal(r["favorites"] or 0),
                sessions=Decimal(r["sessions"] or 0),
                credited_orders=r["credited_orders"] or Decimal(0),
                repurchase_rate=r["repurchase_rate"] or Decimal(0),
                operator_rating=None if r["operator_rating"] is None else Decimal(r["operator_rating"]),
            )
        )
    return [
        designer_week_from_creatives(designer, week, bases.get(designer), creatives)
        for designer, creatives in sorted(by_designer.items())
    ]


def operator_weeks(con: duckdb.DuckDBPyConnection, week: date, bases: Mapping[str, Decimal]) -> list[OperatorWeek]:
    conversion = con.execute(
        "select conversion_rate from marts.fct_department_conversion_weekly where week_start = ?", [week]
    ).fetchone()
    rows = warehouse_rows.rows(
        con,
        """select operator_id, ctr, avg_dwell_seconds from marts.fct_operator_performance_weekly
           where week_start = ? order by operator_id""",
        [week],
    )
    return [
        OperatorWeek(
            employee_id=r["operator_id"],
            week_start=week,
            variable_base=bases.get(r["operator_id"]),
            department_conversion_rate=conversion[0] if conversion else None,
            ctr=r["ctr"],
            avg_dwell_seconds=r["avg_dwell_seconds"],
        )
        for r in rows
    ]


def project_profits(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, Decimal]:
    rows = warehouse_rows.rows(
        con, "select project_id, profit from marts.fct_project_profit_weekly where week_start = ? order by 1", [week]
    )
    return {r["project_id"]: r["profit"] for r in rows}


def project_contributions(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, list[Contribution]]:
    rows = warehouse_rows.rows(
        con,
        """select project_id, employee_id, role, credited_orders from marts.fct_project_contribution_weekly
           where week_start = ? order by project_id, role, employee_id""",
        [week],
    )
    by_project: dict[str, list[Contribution]] = defaultdict(list)
    for r in rows:
        by_project[r["project_id"]].append(Contribution(r["employee_id"], r["role"], r["credited_orders"]))
    return by_project


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    query = "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
    return {name for (name,) in con.execute(query, [schema, table]).fetchall()}


def _received_at(received_week: date | None, tz: str | None) -> datetime | None:
    """When an event had arrived at the latest: the end of the inbox week it was delivered in (company time)."""
    if received_week is None or tz is None:
        return None
    return datetime.combine(received_week + timedelta(days=7), time(), ZoneInfo(tz))


def activity_events(
    con: duckdb.DuckDBPyConnection, week: date, earlier: bool = False, tz: str | None = None
) -> list[ActivityEvent]:
    """The week's deduplicated events, or (``earlier``) every event before the week, for per-story caps.

    With ``tz`` each event carries when it had arrived (for the clock-skew rule); marts built before the
    prerequisite and arrival columns existed read them as unknown.
    """
    condition = "week_start < ?" if earlier else "week_start = ?"
    present = _columns(con, "marts", "fct_activity_events")
    optional = ", ".join(c if c in present else f"null as {c}" for c in ("prerequisite_course", "received_week_start"))
    rows = warehouse_rows.rows(
        con,
        f"""select event_id, event_type, employee_id, occurred_at_utc, counterpart_id, story_id, activity_id, team_id,
                   {optional}
            from marts.fct_activity_events where {condition} order by occurred_at_utc, event_id""",
        [week],
    )
    return [
        ActivityEvent(
            event_id=r["event_id"],
            event_type=r["event_type"],
            employee_id=r["employee_id"],
            occurred_at=r["occurred_at_utc"].replace(tzinfo=UTC),
            counterpart_id=r["counterpart_id"],
            story_id=r["story_id"],
            activity_id=r["activity_id"],
            team_id=r["team_id"],
            prerequisite_course=r["prerequisite_course"],
            received_at=_received_at(r["received_week_start"], tz),
        )
        for r in rows
    ]


def training_completions(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, datetime]] | None:
    """Each employee's earliest completion of each course, or None when no completions were ever loaded (the
    prerequisite rule then cannot be checked, rather than refusing every challenge)."""
    if not _table_exists(con, "staging", "stg_activities__training_completions"):
        return None
    completions: dict[str, dict[str, datetime]] = defaultdict(dict)
    for employee_id, course, completed in con.execute(
        """select employee_id, course_code, min(completed_at_utc) from staging.stg_activities__training_completions
           group by employee_id, course_code"""
    ).fetchall():
        completions[employee_id][course] = completed.replace(tzinfo=UTC)
    return completions


def known_activities(con: duckdb.DuckDBPyConnection, week: date) -> set[str] | None:
    """Ids of the calendar's activities starting by the end of ``week`` (scoring refuses events for any other), or
    None when no calendar was ever loaded (the rule then cannot be checked, rather than refusing every event)."""
    if not _table_exists(con, "marts", "dim_activity"):
        return None
    ids = {
        r[0]
        for r in con.execute(
            "select activity_id from marts.dim_activity where start_date <= ?", [week + timedelta(days=6)]
        ).fetchall()
    }
    if ids:
        return ids
    ever = con.execute("select count(*) from marts.dim_activity").fetchone()
    return set() if ever and ever[0] else None


def overtime_hours(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, Decimal]:
    rows = warehouse_rows.rows(
        con,
        """select employee_id, overtime_hours from marts.fct_attendance_weekly
           where week_start = ? and overtime_hours > 0 order by employee_id""",
        [week],
    )
    return {r["employee_id"]: Decimal(str(r["overtime_hours"])) for r in rows}


# SQL types of the scoring tables' numeric columns: money has 2 places, ratios and scores keep their precision.
MONEY = "decimal(18,2)"
RATIO = "decimal(18,6)"
COLUMN_TYPES = {
    "amount": MONEY,
    "bonus": MONEY,
    "base_bonus": MONEY,
    "pay": MONEY,
    "variable_base": MONEY,
    "profit": MONEY,
    "pool": MONEY,
    "value": MONEY,
    "quantity": MONEY,
    "extra_leave_hours": MONEY,
    "hours": MONEY,
    "attainment": RATIO,
    "attainment_uncapped": RATIO,
    "previous_attainment": RATIO,
    "payout_multiplier": RATIO,
    "score": RATIO,
    "ratio": RATIO,
    "capped_ratio": RATIO,
    "credited_orders": RATIO,
}


def write_scores(
    con: duckdb.DuckDBPyConnection, table: str, week: date, records: list[dict[str, object]], plan: Plan
) -> int:
    """Replace the week's rows of ``scoring.<table>``; every row records the plan version and content hash."""
    frame = pd.DataFrame.from_records(records)
    if not frame.empty:
        frame = frame.drop(columns=["week_start"], errors="ignore")
    frame["plan_version"] = plan.version
    frame["plan_hash"] = plan.content_hash
    types = {column: sql for column, sql in COLUMN_TYPES.items() if column in frame}
    return replace_week(con, table, week, frame, source="scoring", schema=SCORING_SCHEMA, column_types=types)
