"""dbt models as weekly-partitioned assets: the plan's attendance rules and the attendance site configuration
(devices, source precedence) go in as vars, the partition window through the environment (see lib/dbt_vars.py)."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.partitions import weekly_partitions, whole_window
from orchestration.defs.resources import PlanResource
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.dbt_translator import HrhubDbtTranslator
from orchestration.lib.dbt_vars import partition_window, rule_vars
from orchestration.settings import load_settings

from .project import SCHEDULED_BUILD, dbt_project

translator = HrhubDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    partitions_def=weekly_partitions,
    dagster_dbt_translator=translator,
    backfill_policy=whole_window,
)
def hrhub_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, plan: PlanResource) -> Iterator[Any]:
    window = context.partition_time_window
    settings = load_settings()
    site_vars = load_attendance_config(settings.attendance_config_path).dbt_vars()
    dbt_vars = rule_vars(settings.timezone, plan.load().dbt_vars(), site_vars)
    with partition_window(window.start, window.end):
        yield from dbt.cli([*SCHEDULED_BUILD, "--vars", json.dumps(dbt_vars)], context=context).stream()
