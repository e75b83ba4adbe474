"""Scoring a week: goal attainment, joint designer/operator incentive, project pools, activity points and the
payroll lines they produce. The rules are in ``scoring/`` (pure, plan-driven); this step reads the marts, calls
them, and writes the results with the plan version and hash on every row.
"""

from collections.abc import Iterator
from decimal import Decimal

import dagster as dg
import pandas as pd

from connectors.warehouse import connect, replace_week
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.settings import load_settings
from scoring.activity_points import like_points_by_story, score_activity_week
from scoring.attainment import GoalItem, score_week
from scoring.joint_incentive import (
    Contribution,
    DesignerWeek,
    JointInputError,
    OperatorWeek,
    allocate_project_pool,
    score_joint_week,
)
from scoring.payroll_lines import build_payroll_lines

from . import marts
from .checks import scoring_check_results, scoring_check_specs

GOALS = "score_goal_attainment_weekly"
JOINT = "score_joint_incentive_weekly"
POOL = "score_project_pool_weekly"
POINTS = "score_activity_points_weekly"
PAYROLL = "payroll_line"
REJECTED = "rejected_inputs"


def _score_specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            scoring_key(GOALS),
            deps=[mart_key("fct_goal_progress_weekly"), mart_key("dim_employee")],
            description="Weekly goal attainment, band, bonus, extra leave and streaks per employee (domain.md §2).",
        ),
        dg.AssetSpec(
            scoring_key(JOINT),
            deps=[
                mart_key("fct_creative_performance_weekly"),
                mart_key("fct_operator_performance_weekly"),
                mart_key("fct_department_conversion_weekly"),
                mart_key("dim_employee"),
            ],
            description="Designer and operator composite scores and variable pay, with components (domain.md §3).",
        ),
        dg.AssetSpec(
            scoring_key(POOL),
            deps=[mart_key("fct_project_profit_weekly"), mart_key("fct_project_contribution_weekly")],
            description="Project bonus pool shares: 20% of positive profit, 40/60 by role, by credited orders.",
        ),
        dg.AssetSpec(
            scoring_key(POINTS),
            deps=[mart_key("fct_activity_events")],
            description="Activity points per employee-week with a line per rule and the weekly cap (domain.md §4).",
        ),
        dg.AssetSpec(
            scoring_key(PAYROLL),
            deps=[scoring_key(GOALS), scoring_key(JOINT), scoring_key(POOL), mart_key("fct_attendance_weekly")],
            description="Canonical payroll lines of the week (domain.md §5), the input of every payroll file layout.",
        ),
    ]


def _rejections(score: str, rejected: list[object], describe) -> pd.DataFrame:  # noqa: ANN001
    return pd.DataFrame(
        [{"score": score, "reference": describe(item), "reason": item.reason} for item in rejected],
        columns=["score", "reference", "reason"],
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
        columns=["score", "reference", "reason"],
    ).astype("string")


@dg.multi_asset(
    specs=[spec.replace_attributes(group_name="scoring", kinds={"python", "duckdb"}) for spec in _score_specs()],
    check_specs=scoring_check_specs(),
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    name="weekly_scoring",
)
def weekly_scoring(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    current = plan.load()
    tz = load_settings().timezone
    with connect(warehouse.path) as con:
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
            current,
        )
        joint, joint_rejected = score_joint_week(
            [d for d in designers if d.employee_id not in not_employed],
            [o for o in operators if o.employee_id not in not_employed],
            current,
        )
        contributions = {
            project: [c for c in people if c.employee_id not in not_employed]
            for project, people in contributions.items()
        }
        pools, pool_rejected = [], []
        for project_id, profit in marts.project_profits(con, week).items():
            try:
                pools.append(
                    allocate_project_pool(project_id, week, profit, contributions.get(project_id, []), current)
                )
            except JointInputError as error:
                pool_rejected.append((project_id, error.reason))
        prior_likes = like_points_by_story(marts.activity_events(con, week, earlier=True), current, tz)
        points, points_rejected = score_activity_week(marts.activity_events(con, week), current, tz, prior_likes)
        points = [p for p in points if p.week_start == week]
        lines = build_payroll_lines(week, current, goals, joint, pools, marts.overtime_hours(con, week))

        written = {
            GOALS: marts.write_scores(con, GOALS, week, [r.as_record() for r in goals], current),
            JOINT: marts.write_scores(con, JOINT, week, [r.as_record() for r in joint], current),
            POOL: marts.write_scores(con, POOL, week, [s.as_record() for a in pools for s in a.shares], current),
            POINTS: marts.write_scores(con, POINTS, week, [p.as_record() for p in points], current),
            PAYROLL: marts.write_scores(con, PAYROLL, week, [line.as_record() for line in lines], current),
        }
        rejected = pd.concat(
            [
                _rejections(GOALS, goals_rejected, lambda r: f"{r.item.employee_id}:{r.item.metric}"),
                _rejections(JOINT, joint_rejected, lambda r: r.input.employee_id),
                pd.DataFrame(
                    [{"score": POOL, "reference": p, "reason": reason} for p, reason in pool_rejected],
                    columns=["score", "reference", "reason"],
                ).astype("string"),
                _rejections(POINTS, points_rejected, lambda r: r.event.event_id),
                excluded,
            ]
        )
        replace_week(con, REJECTED, week, rejected, source="scoring", schema=marts.SCORING_SCHEMA)
        check_results = scoring_check_results(con, week, pools)

    rejected_counts = rejected["score"].value_counts().to_dict()
    pool_total = sum((a.pool for a in pools), Decimal(0))
    extra = {
        GOALS: {"bands": dg.MetadataValue.json(pd.Series([str(r.band) for r in goals]).value_counts().to_dict())},
        POOL: {"pool_total": str(pool_total), "projects": len(pools)},
        PAYROLL: {"total_amount": str(sum((line.amount for line in lines), Decimal(0)))},
    }
    for key, rows in written.items():
        yield dg.MaterializeResult(
            asset_key=scoring_key(key),
            metadata={
                "rows": rows,
                "rejected_inputs": int(rejected_counts.get(key, 0)),
                "plan_version": current.version,
                "plan_hash": current.content_hash,
                **extra.get(key, {}),
            },
            check_results=[result for result in check_results if result.asset_key == scoring_key(key)],
        )
