"""Activity recommendations: each employee's top activity types for the week after the partition, with reasons.

The model is ``scoring.recommendations`` (own, department and company history, weighted in the plan's
``activity_points.recommendations``). A week's partition reads the joined activities of the plan's history window
up to and including that week and recommends for the week after it, for everyone employed then.
"""

from datetime import timedelta

import dagster as dg

from connectors.warehouse import connect
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib import warehouse_rows
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from scoring.recommendations import JOINING_EVENT_TYPES, Participation, recommend_week

from . import marts

RECOMMENDATIONS = "activity_recommendations"


@dg.asset(
    key=scoring_key(RECOMMENDATIONS),
    deps=[mart_key("fct_activity_events"), mart_key("dim_employee")],
    group_name="scoring",
    kinds={"python", "duckdb"},
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    description="Top activity types per employee for the week after the partition, each with its reason.",
)
def activity_recommendations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    target = week + timedelta(days=7)
    current = plan.history().in_force(target)
    rules = current.activity_points.recommendations
    joining = sorted(JOINING_EVENT_TYPES)
    with connect(warehouse.path) as con:
        roster = {
            r["employee_id"]: r["department"]
            for r in warehouse_rows.rows(
                con,
                """select employee_id, department from marts.dim_employee
                   where hire_date < ? and (termination_date is null or termination_date >= ?)""",
                [target + timedelta(days=7), target],
            )
        }
        rows = warehouse_rows.rows(
            con,
            f"""select distinct who as employee_id, activity_type, week_start from (
                    select employee_id as who, activity_type, week_start, event_type from marts.fct_activity_events
                    union all
                    select counterpart_id, activity_type, week_start, event_type from marts.fct_activity_events
                    where event_type = 'collaboration_completed' and counterpart_id is not null
                ) as joined
                where event_type in ({", ".join("?" for _ in joining)}) and week_start > ? and week_start <= ?""",
            [*joining, target - timedelta(weeks=rules.history_weeks), week],
        )
        history = [
            Participation(
                str(r["employee_id"]), roster.get(str(r["employee_id"]), ""), r["activity_type"], r["week_start"]
            )
            for r in rows
        ]
        recommendations = recommend_week(history, roster, target, rules)
        # write_scores keys rows by the partition week; the week recommended for is its own column.
        # No catalogue of next week's activities reaches the warehouse, so these are activity types.
        skip = {"activity_id", "title"}
        records = [
            {**{k: v for k, v in r.as_record().items() if k not in skip}, "recommended_week_start": r.week_start}
            for r in recommendations
        ]
        written = marts.write_scores(con, RECOMMENDATIONS, week, records, current)
    return dg.MaterializeResult(
        metadata={
            "rows": written,
            "employees": len({r.employee_id for r in recommendations}),
            "history_rows": len(history),
            "recommended_week": target.isoformat(),
        }
    )
