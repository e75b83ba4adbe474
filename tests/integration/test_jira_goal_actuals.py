"""End to end for the goals Jira measures: sample company -> sandbox -> the two ingestion assets (two weekly loads,
the second after a correction and a deletion) -> dbt -> `int_jira_goal_actuals_weekly` equals every sampled
`story_points_done` (jira channel) and `learning_hours` goal actual."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pandas as pd
import pytest

from connectors.warehouse import connect, replace_week
from orchestration.defs.ingestion.jira_work import jira_work_issues, jira_worklogs
from orchestration.defs.resources import JiraResource, WarehouseResource
from sandbox.sample import SampleConfig, generate_sample
from sandbox.server import SandboxServer
from tests.dbt.runner import failures, run_dbt

SH = ZoneInfo("Asia/Shanghai")
WEEKS = [date(2026, 3, 2), date(2026, 3, 9)]
LOADED_AT = [datetime(2026, 3, 9, 6, 0, tzinfo=SH), datetime(2026, 3, 16, 6, 0, tzinfo=SH)]  # Monday mornings
CONFIG = SampleConfig(seed=11, employees=60, weeks=2, start_week=WEEKS[0])


@dataclass(frozen=True)
class Pipeline:
    tables: dict[str, pd.DataFrame]
    database: Path
    loads: list[dict[str, dict[str, object]]]  # per weekly run: asset key -> materialization metadata values
    measured: pd.DataFrame


def _identities(employees: pd.DataFrame) -> pd.DataFrame:
    """The HR identity export's Jira rows, as the inbox connector writes them."""
    frame = pd.DataFrame(
        {
            "employee_id": employees["employee_id"],
            "system": "jira",
            "external_id": employees["jira_account_id"],
            "valid_from": employees["hire_date"].dt.strftime("%Y-%m-%d"),
            "valid_to": employees["termination_date"].dt.strftime("%Y-%m-%d"),
            "_source_ref": [f"employee_identity.csv:{n + 2}" for n in range(len(employees))],
        }
    )
    return frame.astype("string")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    work_dir = tmp_path_factory.mktemp("jira_actuals")
    database = work_dir / "warehouse.duckdb"
    tables = generate_sample(CONFIG)
    loads = []
    with SandboxServer(tables) as server, dg.instance_for_test() as instance:
        creds = server.credentials
        resources = {
            "jira": JiraResource(base_url=server.jira_url, email=creds.jira_email, api_token=creds.jira_api_token),
            "warehouse": WarehouseResource(path=str(database)),
        }
        for week, loaded_at in zip(WEEKS, LOADED_AT, strict=True):
            server.jira.freeze_at(loaded_at)
            result = dg.materialize(
                [jira_work_issues, jira_worklogs],
                partition_key=week.isoformat(),
                resources=resources,
                instance=instance,
            )
            assert result.success
            loads.append(
                {
                    event.asset_key.to_user_string(): {k: v.value for k, v in event.materialization.metadata.items()}
                    for event in result.get_asset_materialization_events()
                }
            )
    with connect(database) as con:
        replace_week(con, "hris_identities", WEEKS[-1], _identities(tables["employees"]), "inbox")
    window = {"week_start": WEEKS[0].isoformat(), "week_end": "2026-03-16", "timezone": "Asia/Shanghai"}
    built = run_dbt(
        ["build", "--select", "+int_jira_goal_actuals_weekly", "--indirect-selection", "cautious"],
        database,
        work_dir,
        window,
    )
    assert built.success, failures(built)
    with duckdb.connect(str(database)) as con:
        measured = con.execute(
            "select employee_id, week_start, metric, unit, actual, source_ref "
            "from intermediate.int_jira_goal_actuals_weekly"
        ).df()
    yield Pipeline(tables, database, loads, measured)


def _against_goals(pipeline: Pipeline, metric: str, channel_only: bool) -> pd.DataFrame:
    goals = pipeline.tables["goals"]
    goals = goals[(goals["metric"] == metric) & ((goals["channel"] == "jira") | (not channel_only))]
    measured = pipeline.measured[pipeline.measured["metric"] == metric]
    joined = goals[["employee_id", "week_start", "actual"]].merge(
        measured[["employee_id", "week_start", "actual"]], on=["employee_id", "week_start"], how="outer",
        suffixes=("_goal", "_measured"), indicator=True,
    )  # fmt: skip
    return joined


def test_measured_story_points_equal_every_story_point_goal(pipeline):
    joined = _against_goals(pipeline, "story_points_done", channel_only=True)
    assert len(joined) > 20 and (joined["_merge"] != "right_only").all()  # nothing measured without a goal
    goal = joined["actual_goal"].map(Decimal)
    measured = joined["actual_measured"].map(lambda v: Decimal(str(v)) if pd.notna(v) else Decimal(0))
    assert (goal == measured).all(), joined[goal != measured]


def test_measured_learning_hours_equal_every_learning_goal_despite_corrections_and_deletions(pipeline):
    joined = _against_goals(pipeline, "learning_hours", channel_only=False)
    assert len(joined) > 10 and (joined["_merge"] != "right_only").all()
    goal = joined["actual_goal"].map(Decimal)
    measured = joined["actual_measured"].map(lambda v: Decimal(str(v)) if pd.notna(v) else Decimal(0))
    assert (goal == measured).all(), joined[goal != measured]
    logs = pipeline.tables["jira_worklogs"]
    assert logs["deleted"].any() and (logs["time_spent_seconds"] != logs["original_time_spent_seconds"]).any()


def test_issues_resolved_counts_the_resolved_eng_issues_only(pipeline):
    issues = pipeline.tables["jira_work_issues"]
    done = issues[(issues["project_key"] == "ENG") & issues["resolved_at_utc"].notna()]
    counted = pipeline.measured.loc[pipeline.measured["metric"] == "issues_resolved", "actual"]
    assert counted.sum() == len(done) and len(done) > len(counted)
    assert (issues["project_key"] == "ENG").sum() > len(done)  # in-progress issues exist and are not counted
    units = pipeline.measured.groupby("metric")["unit"].unique().map(list).to_dict()
    assert units == {"issues_resolved": ["issues"], "learning_hours": ["hours"], "story_points_done": ["points"]}
    assert pipeline.measured["source_ref"].str.startswith("jira:").all()


def test_the_second_load_continues_at_the_cursor_and_reports_the_week_it_corrected(pipeline):
    first, second = (load["raw/jira_worklogs"] for load in pipeline.loads)
    assert second["worklog_updated_since_ms"] == first["worklog_updated_cursor_ms"]
    assert second["worklog_updated_cursor_ms"] > first["worklog_updated_cursor_ms"]
    assert first["late_weeks"] == [] and second["late_weeks"] == [WEEKS[0].isoformat()]
    assert second["weeks_touched"] == [w.isoformat() for w in WEEKS]
    with duckdb.connect(str(pipeline.database)) as con:
        per_week = dict(con.execute("select week_start, count(*) from raw.jira_worklogs group by 1").fetchall())
        live = con.execute("select count(*) from staging.stg_jira__worklogs").fetchone()[0]
    logs = pipeline.tables["jira_worklogs"]
    assert live == (~logs["deleted"]).sum()  # one current version per worklog, the deleted ones gone
    assert sum(per_week.values()) > live  # the corrected versions were loaded too
    for load in pipeline.loads:
        for metadata in load.values():
            assert metadata["rows_fetched"] == metadata["rows_loaded"] and metadata["rows_quarantined"] == 0
