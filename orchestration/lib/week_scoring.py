"""Scoring one week from the marts with a given plan: the computation of the ``weekly_scoring`` asset, reusable.

The asset calls ``score_week_from_marts`` and writes what it returns; ``hrhub plan diff`` calls the same function
(read-only) with two plans and compares the payroll lines, so a what-if pays exactly what a run would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

import duckdb
import pandas as pd

from orchestration.defs.scoring import marts
from orchestration.lib.warehouse_rows import rows
from scoring.activity_points import (
    EmployeeWeekPoints,
    RejectedEvent,
    WeekContext,
    like_points_by_story,
    score_activity_week,
)
from scoring.attainment import GoalItem, GoalResult, RejectedItem, score_week
from scoring.joint_incentive import (
    Contribution,
    DesignerWeek,
    JointInputError,
    JointResult,
    OperatorWeek,
    PoolAllocation,
    RejectedJointInput,
    allocate_project_pool,
    days_in_role,
    merge_contributions,
    score_joint_week,
)
from scoring.payroll_lines import PayrollLine, build_payroll_lines
from scoring.plan import Plan

GOALS = "score_goal_attainment_weekly"
JOINT = "score_joint_incentive_weekly"
POOL = "score_project_pool_weekly"
POINTS = "score_activity_points_weekly"
PAYROLL = "payroll_line"
REJECTED = "rejected_inputs"
_REJECTED_COLUMNS = ["score", "reference", "reason"]
_PersonWeek = TypeVar("_PersonWeek", DesignerWeek, OperatorWeek)


@dataclass(frozen=True)
class WeekScores:
    """Everything one week's scoring produced with ``plan``, before anything is written."""

    week: date
    plan: Plan
    goals: list[GoalResult]
    goals_rejected: list[RejectedItem]
    joint: list[JointResult]
    joint_rejected: list[RejectedJointInput]
    pools: list[PoolAllocation]
    pool_rejected: list[tuple[str, str]]
    points: list[EmployeeWeekPoints]
    points_rejected: list[RejectedEvent]
    lines: list[PayrollLine]
    excluded: pd.DataFrame  # inputs of people not employed in the week, with the reason

    def records(self) -> dict[str, list[dict[str, object]]]:
        """The rows of each ``scoring`` table, keyed by table name (plan columns are added when written)."""
        return {
            GOALS: [r.as_record() for r in self.goals],
            JOINT: [r.as_record() for r in self.joint],
            POOL: [s.as_record() for a in self.pools for s in a.shares],
            POINTS: [p.as_record() for p in self.points],
            PAYROLL: [line.as_record() for line in self.lines],
        }

    def rejected(self) -> pd.DataFrame:
        """Every input row a score could not use, with the reason (``scoring.rejected_inputs``)."""
        return pd.concat(
            [
                _rejections(GOALS, self.goals_rejected, lambda r: f"{r.item.employee_id}:{r.item.metric}"),
                _rejections(JOINT, self.joint_rejected, lambda r: r.input.employee_id),
                pd.DataFrame(
                    [{"score": POOL, "reference": p, "reason": reason} for p, reason in self.pool_rejected],
                    columns=_REJECTED_COLUMNS,
                ).astype("string"),
                _rejections(POINTS, self.points_rejected, lambda r: r.event.event_id),
                self.excluded,
            ]
        )


def _rejections(score: str, rejected: Sequence[object], describe: Callable[[object], str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"score": score, "reference": describe(item), "reason": item.reason} for item in rejected],  # type: ignore[attr-defined]
        columns=_REJECTED_COLUMNS,
    ).astype("string")


def _not_employed_rejections(
    not_employed: dict[str, str],
    goal_items: list[GoalItem],
    designers: list[DesignerWeek],
    operators: list[OperatorWeek],
    contributions: dict[str, list[Contribution]],
) -> pd.DataFrame:
    """Inputs of people not employed in the week: kept out of scoring and listed with the reason."""
    found = [
        *((GOALS, f"{i.employee_id}:{i.metric}", i.employee_id) for i in goal_items),
        *(
            (JOINT, f"{p.employee_id}:{role}", p.employee_id)
            for role, ps in (("designer", designers), ("operator", operators))
            for p in ps
        ),
        *((POOL, f"{project}:{c.employee_id}", c.employee_id) for project, cs in contributions.items() for c in cs),
    ]
    return pd.DataFrame(
        [
            {"score": score, "reference": ref, "reason": not_employed[person]}
            for score, ref, person in found
            if person in not_employed
        ],
        columns=_REJECTED_COLUMNS,
    ).astype("string")


def days_in_role_by_employee(con: duckdb.DuckDBPyConnection, week: date) -> dict[str, int]:
    """Days of ``week`` each employee held their role: from hire to termination date in ``marts.dim_employee``.

    The product registry has no role start/end dates, so employment bounds the role. Joint pay is prorated by it.
    """
    people = rows(con, "select employee_id, hire_date, termination_date from marts.dim_employee")
    return {
        str(r["employee_id"]): days_in_role(week, r["hire_date"], r["termination_date"])  # type: ignore[arg-type]
        for r in people
    }


def _with_days(weeks: Sequence[_PersonWeek], days: dict[str, int]) -> list[_PersonWeek]:
    """Each person-week with the days its person held the role (whole weeks for people not in dim_employee)."""
    return [replace(w, days_in_role=days[w.employee_id]) if w.employee_id in days else w for w in weeks]


def score_week_from_marts(
    con: duckdb.DuckDBPyConnection, week: date, plan: Plan, tz: str, activity_points: bool = True
) -> WeekScores:
    """Read ``week``'s inputs from the marts and score them with ``plan``; reads only, writes nothing.

    Goal history (for "improving" and streaks) is the earlier weeks as stored in ``scoring``. Activity points pay
    nothing through payroll; ``activity_points=False`` skips them (a what-if of pay does not need them).
    """
    bases = marts.variable_bases(con)
    not_employed = marts.employment_gaps(con, week)
    goal_items = marts.goal_items(con, week)
    designers = marts.designer_weeks(con, week, bases)
    operators = marts.operator_weeks(con, week, bases)
    contributions = marts.project_contributions(con, week)
    excluded = _not_employed_rejections(not_employed, goal_items, designers, operators, contributions)
    goals, goals_rejected = score_week(
        [item for item in goal_items if item.employee_id not in not_employed],
        marts.employee_roles(con),
        marts.goal_history(con, week),
        plan,
    )
    days = days_in_role_by_employee(con, week)
    joint, joint_rejected = score_joint_week(
        _with_days([d for d in designers if d.employee_id not in not_employed], days),
        _with_days([o for o in operators if o.employee_id not in not_employed], days),
        plan,
    )
    contributions = {
        project: [c for c in people if c.employee_id not in not_employed] for project, people in contributions.items()
    }
    pools, pool_rejected = [], []
    for project_id, profit in marts.project_profits(con, week).items():
        try:
            # One credit per person, project and role: someone in two pods is credited in each project separately.
            credited = merge_contributions(contributions.get(project_id, []))
            pools.append(allocate_project_pool(project_id, week, profit, credited, plan))
        except JointInputError as error:
            pool_rejected.append((project_id, error.reason))
    points, points_rejected = [], []
    if activity_points:
        earlier = marts.activity_events(con, week, earlier=True)
        prior_likes = like_points_by_story(earlier, plan, tz)
        context = WeekContext(
            employees=set(marts.employee_roles(con)),
            completions=marts.training_completions(con),
            activities=marts.known_activities(con, week),
            published_stories={e.story_id for e in earlier if e.event_type == "story_published" and e.story_id},
        )
        events = marts.activity_events(con, week, tz=tz)
        points, points_rejected = score_activity_week(events, plan, tz, prior_likes, context)
        points = [p for p in points if p.week_start == week]
    lines = build_payroll_lines(week, plan, goals, joint, pools, marts.overtime_hours(con, week))
    return WeekScores(
        week=week,
        plan=plan,
        goals=goals,
        goals_rejected=goals_rejected,
        joint=joint,
        joint_rejected=joint_rejected,
        pools=pools,
        pool_rejected=pool_rejected,
        points=points,
        points_rejected=points_rejected,
        lines=lines,
        excluded=excluded,
    )
