"""The team-building fund: collaboration points a team's members earned in the week, turned into budget money.

Seed 001 lets collaboration tasks fund the team-building budget; the rule (plan
``activity_points.team_building_fund_per_point`` x points, Decimal money in the plan currency) is
``scoring.activity_points.team_building_fund``. It reads the week's ``score_activity_points_weekly`` rows back, so
it follows the plan that scored them; the team is the employee's team in ``dim_employee``.
"""

from datetime import date
from decimal import Decimal

import dagster as dg
import duckdb

from connectors.warehouse import connect
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import scored_plan
from scoring.activity_points import team_building_fund

from . import marts
from .assets import POINTS

FUND = "team_building_fund_weekly"


def _collaboration(con: duckdb.DuckDBPyConnection, week: date) -> list[tuple[str, date, int]]:
    """(employee, week, collaboration points) of the week; none when points were scored before the column existed."""
    columns = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [marts.SCORING_SCHEMA, POINTS],
    ).fetchall()
    if ("collaboration_points",) not in columns:
        return []
    return [
        (employee_id, week_start, int(points))
        for employee_id, week_start, points in con.execute(
            f"""select employee_id, week_start, collaboration_points from {marts.SCORING_SCHEMA}.{POINTS}
                where week_start = ? and collaboration_points > 0 order by employee_id""",
            [week],
        ).fetchall()
    ]


@dg.asset(
    key=scoring_key(FUND),
    deps=[scoring_key(POINTS), mart_key("dim_employee")],
    group_name="scoring",
    kinds={"python", "duckdb"},
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    description="Team-building budget per team and week: collaboration points earned by the team's members x the "
    "plan's amount per point (domain.md §4).",
)
def team_building_fund_weekly(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    with connect(warehouse.path) as con:
        history = plan.history()
        current = scored_plan(con, history, week, POINTS) or history.in_force(week)
        teams = dict(con.execute("select employee_id, team from marts.dim_employee").fetchall())
        fund = team_building_fund(_collaboration(con, week), teams, current)
        rows = marts.write_scores(con, FUND, week, [f.as_record() for f in fund], current)
    return dg.MaterializeResult(
        metadata={
            "rows": rows,
            "collaboration_points": sum(f.collaboration_points for f in fund),
            "total_amount": str(sum((f.amount for f in fund), Decimal("0.00"))),
            "currency": current.currency,
        }
    )
