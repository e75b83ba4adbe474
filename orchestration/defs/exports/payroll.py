"""Payroll drafts: per configured target, the pay period holding the week, rendered in the target's layout.

A period's file is a *draft* until HR approves it (``approval.py``); once released, a recomputed period drafts an
adjustment with the deltas only. Files are write-once with deterministic names, so a re-run with unchanged
inputs writes nothing new. The drafting itself is ``orchestration/lib/payroll_drafts.py``.
"""

from pathlib import Path

import dagster as dg

from connectors.warehouse import connect
from exports.payroll_ledger import PayrollLedger
from exports.targets import load_targets
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.quality.checks import GUARDED_ASSETS
from orchestration.defs.quality.gate import hold_if_checks_failed
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.asset_keys import mart_key, scoring_key
from orchestration.lib.ingest import partition_week
from orchestration.lib.payroll_drafts import draft_week
from orchestration.lib.plan_pins import scored_plan


@dg.asset(
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    group_name="exports",
    # points_redemptions: granted leave is drafted with the week's lines (REDEEMED_LEAVE_HOURS).
    # GUARDED_ASSETS: the Great Expectations suites' assets, so their failed blocking checks stop this step.
    deps=[scoring_key("payroll_line"), scoring_key("points_redemptions"), mart_key("dim_employee"), *GUARDED_ASSETS],
    kinds={"csv", "xlsx"},
    description="Payroll drafts of the week's pay period for every target in the exports config, with manifests; "
    "released only after HR approves (job approve_pay_period or `hrhub payroll approve`).",
)
def payroll_files(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: PlanResource, exports: ExportsResource
) -> dg.MaterializeResult:
    week = partition_week(context)
    targets = load_targets(exports.config().get("payroll_targets") or {})
    ledger = PayrollLedger(Path(exports.payroll_ledger_path))
    with connect(warehouse.path, read_only=True) as con:
        hold_if_checks_failed(context, con, week)  # a week whose blocking checks failed is not exported
        # The plan the week's lines were scored with (a pinned week keeps its exported plan).
        history = plan.history()
        current = scored_plan(con, history, week, "payroll_line") or history.in_force(week)
        drafts = draft_week(con, week, current, targets, ledger, Path(exports.payroll_drafts_dir))
    for draft in drafts:
        for rejected in draft.rejected:
            context.log.warning(
                f"{draft.target}: payroll line not exported for {rejected.employee_id}: {rejected.reason}"
            )
    return dg.MaterializeResult(
        metadata={
            "targets": dg.MetadataValue.json({draft.target: draft.summary() for draft in drafts}),
            "plan_version": current.version,
            "approve_with": "hrhub payroll approve --target <target> --period <pay_period> --approver <name>",
        }
    )
