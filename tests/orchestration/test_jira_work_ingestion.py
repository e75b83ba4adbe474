"""The Jira work assets as Dagster runs them: where each weekly worklog load starts reading (the cursor in the
metadata), that re-running a week never loses what it loaded, and a company without Jira loads empty weeks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingestion.jira_work import jira_work_issues, jira_worklogs
from orchestration.defs.resources import JiraResource, WarehouseResource
from sandbox.sample import SampleConfig, generate_sample
from sandbox.server import SandboxServer

SH = ZoneInfo("Asia/Shanghai")
WEEK_1, WEEK_2 = date(2026, 3, 2), date(2026, 3, 9)
MONDAY_1_MS = int(datetime(2026, 3, 2, tzinfo=SH).timestamp() * 1000)
LOOKBACK_MS = 7 * 86_400_000  # config/attendance.yaml's lookback_days


def _run(instance: dg.DagsterInstance, resources: dict, week: date) -> dict[str, object]:
    result = dg.materialize([jira_worklogs], partition_key=week.isoformat(), resources=resources, instance=instance)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[SandboxServer, dict]]:
    tables = generate_sample(SampleConfig(seed=2, employees=40, weeks=2, start_week=WEEK_1))
    with SandboxServer(tables) as server:
        server.jira.freeze_at(datetime(2026, 3, 16, 6, 0, tzinfo=SH))
        creds = server.credentials
        resources = {
            "jira": JiraResource(base_url=server.jira_url, email=creds.jira_email, api_token=creds.jira_api_token),
            "warehouse": WarehouseResource(path=str(tmp_path / "warehouse.duckdb")),
        }
        yield server, resources


def _rows(resources: dict, week: date) -> set[tuple[str, str, str]]:
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        query = "select worklog_id, updated_time, deleted from raw.jira_worklogs where week_start = ?"
        return set(con.execute(query, [week]).fetchall())


def test_each_week_continues_at_the_cursor_and_a_rerun_reads_its_week_again(served):
    _, resources = served
    with dg.instance_for_test() as instance:
        first = _run(instance, resources, WEEK_1)
        assert first["worklog_updated_since_ms"] == MONDAY_1_MS - LOOKBACK_MS  # the very first load looks back
        assert first["worklog_read_until_ms"] == MONDAY_1_MS + 7 * 86_400_000  # and stops at the week's end
        second = _run(instance, resources, WEEK_2)
        assert second["worklog_updated_since_ms"] == first["worklog_updated_cursor_ms"]
        assert second["worklog_deleted_since_ms"] == first["worklog_deleted_cursor_ms"]
        loaded = _rows(resources, WEEK_1)

        again = _run(instance, resources, WEEK_1)  # e.g. a backfill of week 1 after week 2 was loaded
        assert again["worklog_updated_since_ms"] == first["worklog_updated_since_ms"]
        assert _rows(resources, WEEK_1) == loaded and again["late_weeks"] == []  # same rows, nothing new
        # the cursor the next new week continues from never moves back
        assert again["worklog_updated_cursor_ms"] == second["worklog_updated_cursor_ms"]


def test_a_company_without_jira_loads_empty_weeks(tmp_path, monkeypatch):
    monkeypatch.setenv("HRHUB_DISABLED_SOURCES", "jira")
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [jira_work_issues, jira_worklogs],
        partition_key=WEEK_1.isoformat(),
        resources={
            "jira": JiraResource(base_url="http://127.0.0.1:9", email="", api_token=""),  # never called
            "warehouse": WarehouseResource(path=str(warehouse)),
        },
    )
    assert result.success
    for event in result.get_asset_materialization_events():
        assert event.materialization.metadata["rows_loaded"].value == 0
        assert "HRHUB_DISABLED_SOURCES" in event.materialization.metadata["source_disabled"].value
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, column in (("jira_work_issues", "story_points"), ("jira_worklogs", "time_spent_seconds")):
            assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,)
            assert column in {row[0] for row in con.execute(f"describe raw.{table}").fetchall()}
