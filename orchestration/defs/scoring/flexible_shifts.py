"""The flexible-shift queue: next week's requests ranked with this week's attainment (high performers first).

Seed 003 lets high performers pick flexible shifts first; the rule is ``scoring.flexible_shifts``. A week's
partition ranks the requests for the week after it, with the attainment just scored for it.
"""

from datetime import timedelta

import dagster as dg

from connectors.warehouse import connect
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import scored_plan
from scoring.flexible_shifts import ShiftRequest, rank_flexible_shift_requests

from . import marts
from .assets import GOALS

QUEUE = "flexible_shift_queue"


@dg.asset(
    key=scoring_key(QUEUE),
    deps=[mart_key("fct_flexible_shift_requests"), scoring_key(GOALS)],
    group_name="scoring",
    kinds={"python", "duckdb"},
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    description="Next week's flexible-shift requests in queue order: attainment >= the high_performer band first.",
)
def flexible_shift_queue(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    with connect(warehouse.path) as con:
        # The plan the week's attainment was scored with (a pinned week keeps its exported plan).
        history = plan.history()
        current = scored_plan(con, history, week, GOALS) or history.in_force(week)
        requests = [
            ShiftRequest(*row)
            for row in con.execute(
                "select request_id, employee_id, requested_week_start, requested_shift_code, submitted_at_utc"
                " from marts.fct_flexible_shift_requests where requested_week_start = ? order by request_id",
                [week + timedelta(days=7)],
            ).fetchall()
        ]
        attainment = dict(
            con.execute(
                f"select employee_id, attainment from {marts.SCORING_SCHEMA}.{GOALS} where week_start = ?", [week]
            ).fetchall()
        )
        ranked = rank_flexible_shift_requests(requests, attainment, current.goals.band_thresholds.high_performer)
        # write_scores keys rows by the partition week; the week a request is for is its own column.
        records = [{**r.as_record(), "requested_week_start": r.request.week_start} for r in ranked]
        rows = marts.write_scores(con, QUEUE, week, records, current)
    return dg.MaterializeResult(
        metadata={
            "rows": rows,
            "high_performers_first": sum(r.is_high_performer for r in ranked),
            "requested_week": (week + timedelta(days=7)).isoformat(),
        }
    )
