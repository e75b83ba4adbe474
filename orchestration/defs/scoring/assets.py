"""Scoring a week: goal attainment, joint designer/operator incentive, project pools, activity points and the
payroll lines they produce. The rules are in ``scoring/`` (pure, plan-driven); this step reads the marts, calls
them, and writes the results with the plan version and hash on every row.
"""

from collections.abc import Iterator
from decimal import Decimal

import dagster as dg
import pandas as pd

from connectors.warehouse import connect, replace_week
from exports.payroll_ledger import PayrollLedger
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import store_snapshot, week_plan_choice
from orchestration.lib.week_scoring import GOALS, JOINT, PAYROLL, POINTS, POOL, REJECTED, score_week_from_marts
from orchestration.settings import load_settings

from . import marts
from .checks import scoring_check_results, scoring_check_specs


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


@dg.multi_asset(
    specs=[spec.replace_attributes(group_name="scoring", kinds={"python", "duckdb"}) for spec in _score_specs()],
    check_specs=scoring_check_specs(),
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    name="weekly_scoring",
)
def weekly_scoring(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    tz = load_settings().timezone
    with connect(warehouse.path) as con:
        ledger = PayrollLedger(exports.payroll_ledger_path)
        choice = week_plan_choice(con, plan.history(), ledger, week, context.run.tags)
        (context.log.warning if choice.status == "pinned" else context.log.info)(choice.note)
        current = choice.plan
        store_snapshot(con, current)
        scores = score_week_from_marts(con, week, current, tz)
        goals, pools, lines = scores.goals, scores.pools, scores.lines
        written = {
            table: marts.write_scores(con, table, week, records, current) for table, records in scores.records().items()
        }
        rejected = scores.rejected()
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
                **choice.metadata(),
                **extra.get(key, {}),
            },
            check_results=[result for result in check_results if result.asset_key == scoring_key(key)],
        )
