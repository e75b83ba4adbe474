"""dbt models as weekly-partitioned assets: the plan's attendance rules and the attendance site configuration
(devices, source precedence) go in as vars, the partition window through the environment (see lib/dbt_vars.py).

A window runs with the attendance rules of its weeks' plans (each week's plan in force, or the plan it was exported
with); a window whose weeks need different attendance rules fails and is run one week per run instead."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from exports.payroll_ledger import PayrollLedger
from orchestration.defs.partitions import weekly_partitions, whole_window
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.dbt_translator import HrhubDbtTranslator
from orchestration.lib.dbt_vars import partition_window, rule_vars, window_rules_plan, window_weeks
from orchestration.lib.plan_pins import choose_plans, replan_requested, stored_plans_at
from orchestration.settings import load_settings

from .project import SCHEDULED_BUILD, dbt_project, keep_parse_state, step_target

translator = HrhubDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# Models that read the scores (tag `reads_scores`: the goal dashboards and tree) are their own asset step after
# scoring. In the same multi-asset Dagster would split the dbt build around the scoring step, and a split build runs
# data tests whose parents sit in the other half before those are built.
READS_SCORES = "tag:reads_scores"


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    plan: PlanResource,
    warehouse: WarehouseResource,
    exports: ExportsResource,
) -> Iterator[Any]:
    window = context.partition_time_window
    settings = load_settings()
    site_vars = load_attendance_config(settings.attendance_config_path).dbt_vars()
    # Each week's plan: in force for it, or the one it was exported with (see orchestration/lib/plan_pins.py).
    ledger = PayrollLedger(exports.payroll_ledger_path)
    replan = replan_requested(context.run.tags)
    weeks = window_weeks(window.start, window.end)
    choices = choose_plans(plan.history(), weeks, ledger, replan, stored_plans_at(warehouse.path))
    for choice in choices.values():
        if choice.status != "in_force":
            context.log.warning(choice.note)
    rules = window_rules_plan({week: choice.plan for week, choice in choices.items()})
    dbt_vars = rule_vars(settings.timezone, rules.dbt_vars(), site_vars)
    with partition_window(window.start, window.end):
        target = step_target(settings.dbt_runs_dir, context.op_def.name, context.run.run_id)
        invocation = dbt.cli([*SCHEDULED_BUILD, "--vars", json.dumps(dbt_vars)], context=context, target_path=target)
        yield from invocation.stream()
    keep_parse_state(invocation.target_path)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    exclude=READS_SCORES,
    partitions_def=weekly_partitions,
    dagster_dbt_translator=translator,
    backfill_policy=whole_window,
)
def hrhub_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    plan: PlanResource,
    warehouse: WarehouseResource,
    exports: ExportsResource,
) -> Iterator[Any]:
    yield from _build(context, dbt, plan, warehouse, exports)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    select=READS_SCORES,
    partitions_def=weekly_partitions,
    dagster_dbt_translator=translator,
    backfill_policy=whole_window,
)
def hrhub_dbt_score_reports(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    plan: PlanResource,
    warehouse: WarehouseResource,
    exports: ExportsResource,
) -> Iterator[Any]:
    yield from _build(context, dbt, plan, warehouse, exports)
