"""The code location loads, and its shape is what the UI and the schedule rely on."""

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.defs.partitions import weekly_partitions


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_every_job_schedule_and_sensor_target_resolves(definitions):
    """What `dagster definitions validate` checks: e.g. a sensor target that splits a multi-asset fails here."""
    dg.Definitions.validate_loadable(definitions)


def test_every_executable_asset_is_weekly_partitioned(definitions):
    graph = definitions.resolve_asset_graph()
    executable = [key for key in graph.get_all_asset_keys() if graph.get(key).is_executable]
    assert len(executable) > 30
    for key in executable:
        assert graph.get(key).partitions_def == weekly_partitions, key


def test_groups_follow_the_data_flow(definitions):
    graph = definitions.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys() if graph.get(key).is_executable}
    assert {"ingestion", "staging", "intermediate", "marts", "scoring", "exports"} <= groups


def test_marts_depend_on_raw_sources_written_by_ingestion(definitions):
    """Every raw table dbt reads is a connector's asset, except the quarantine every connector writes to."""
    graph = definitions.resolve_asset_graph()
    raw_keys = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    quarantine = dg.AssetKey(["raw", "quarantine"])
    assert quarantine in raw_keys and graph.get(quarantine).group_name == "ingestion"
    for key in raw_keys - {quarantine}:
        assert graph.get(key).is_executable, f"{key} is read by dbt but nothing materializes it"
        assert graph.get(key).group_name == "ingestion"


def test_weekly_job_and_schedule(definitions):
    job = definitions.resolve_job_def("weekly_pipeline")
    assert job.partitions_def == weekly_partitions
    schedule = definitions.resolve_schedule_def("weekly_pipeline_schedule")
    assert schedule.cron_schedule == "0 6 * * 1"
    assert schedule.execution_timezone == "Asia/Shanghai"


def test_dbt_tests_are_asset_checks(definitions):
    checks = definitions.resolve_asset_graph().asset_check_keys
    assert any(check.asset_key.path[-1] == "dim_employee" for check in checks)
    assert any(check.name == "quarantine_share_within_limit" for check in checks)


def test_weeks_start_on_monday_in_company_time():
    keys = weekly_partitions.get_partition_keys_in_range(dg.PartitionKeyRange("2026-03-02", "2026-03-16"))
    assert keys == ["2026-03-02", "2026-03-09", "2026-03-16"]
