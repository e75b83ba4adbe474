"""Pay statements: per employee and pay period, an HTML page and the same facts as JSON that explain every amount.

The period is the one holding the week (frequency from the exports config). Each run renders the period as known
after its week into ``<period>/as_of_<week>/``, so the latest folder of a month is the most complete and earlier
ones stay as they were sent; files are write-once, so an unchanged re-run writes nothing new.
"""

from pathlib import Path

import dagster as dg

from connectors.warehouse import connect
from exports.locked_file import private_dir
from exports.pay_periods import pay_period_of, weeks_of_period
from exports.payroll import write_file_once
from exports.statements import build_period_statements, statement_files
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.quality.checks import GUARDED_ASSETS
from orchestration.defs.quality.gate import hold_if_checks_failed
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.plan_pins import plans_for_hashes
from orchestration.lib.warehouse_rows import rows

# The period's rows of each table the statement explains (weeks bound as a list parameter).
_PERIOD_ROWS = {
    "payroll_lines": "select * from scoring.payroll_line",
    "goal_rows": "select * from scoring.score_goal_attainment_weekly",
    "joint_rows": "select * from scoring.score_joint_incentive_weekly",
    "pool_rows": "select * from scoring.score_project_pool_weekly",
    "project_profits": "select * from marts.fct_project_profit_weekly",
    "attendance_rows": "select * from marts.fct_attendance_weekly",
    "goal_progress_rows": "select * from marts.fct_goal_progress_weekly",
}


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    deps=[
        scoring_key("payroll_line"),
        scoring_key("score_goal_attainment_weekly"),
        scoring_key("score_joint_incentive_weekly"),
        scoring_key("score_project_pool_weekly"),
        mart_key("fct_attendance_weekly"),
        mart_key("fct_goal_progress_weekly"),
        mart_key("dim_employee"),
        *GUARDED_ASSETS,  # the Great Expectations suites' assets: their failed blocking checks stop this step
    ],
    kinds={"html", "json"},
    description="Per employee and pay period: an HTML statement and its JSON, every amount with its formula steps, "
    "the plan version and the attendance and goal facts behind it.",
)
def pay_statements(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    settings = exports.config().get("statements") or {}
    frequency = settings.get("pay_frequency", "monthly")
    locale = settings.get("locale", "zh-CN")
    period = pay_period_of(week, frequency)
    # The period as known after this week: a re-run of an earlier week renders the same statements again.
    weeks = [w for w in weeks_of_period(period, frequency) if w <= week]
    with connect(warehouse.path, read_only=True) as con:
        hold_if_checks_failed(context, con, week)  # a week whose blocking checks failed is not exported
        tables = {
            name: rows(con, f"{sql} where week_start in (select unnest(?::date[]))", [weeks])
            for name, sql in _PERIOD_ROWS.items()
        }
        if con.execute(  # granted leave explains its REDEEMED_LEAVE_HOURS lines (no ledger yet: no such lines)
            "select count(*) from information_schema.tables where table_schema = 'scoring' and table_name = ?",
            ["points_redemptions"],
        ).fetchone()[0]:
            tables["redemption_rows"] = rows(
                con, "select * from scoring.points_redemptions where week_start in (select unnest(?::date[]))", [weeks]
            )
        employees = rows(con, "select * from marts.dim_employee")
        # Every plan the period's rows were scored with: the history's versions and any stored earlier text.
        scored = [row for name in ("payroll_lines", "goal_rows", "joint_rows", "pool_rows") for row in tables[name]]
        scored += [row for row in tables.get("redemption_rows", []) if row.get("status") == "granted"]
        plans = plans_for_hashes(con, plan.history(), {str(row["plan_hash"]) for row in scored})
    statements, rejected = build_period_statements(period, employees, plans, weeks=weeks, **tables)
    out_dir = Path(exports.statements_dir) / period / f"as_of_{week}"
    private_dir(out_dir)
    for statement in statements:
        for name, content in statement_files(statement, locale).items():
            write_file_once(out_dir / name, content)
    for item in rejected:
        context.log.warning(f"no statement for {item.employee_id}: {item.reason}")
    return dg.MaterializeResult(
        metadata={
            "pay_period": period,
            "folder": dg.MetadataValue.path(str(out_dir)),
            "statements": len(statements),
            "rejected": len(rejected),
            "rejected_reasons": dg.MetadataValue.json({r.employee_id: r.reason for r in rejected[:20]}),
        }
    )
