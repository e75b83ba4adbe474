"""Goal sheets and helpdesk tickets from the inbox to the goal models: a small sample company's two weeks rendered into
the inbox, read by the file connectors, loaded as the inbox asset loads them, and built by dbt.

On top of the rendered files the first week gets a corrected goal sheet (one row re-sent with another actual, its
employee id typed in lower case, plus a row for someone HR does not know), saved a day after the original and named
so that it sorts *before* it; the second week gets a re-export of its ticket file (the same tickets, other order).
The second week's export also reaches back into the first week's Sunday, and shows tickets opened in the first week.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt.cli.main import dbtRunnerResult

from connectors.files import RAW_TABLES, read_inbox_week
from connectors.warehouse import connect, replace_week
from sandbox.inbox import write_inbox_week
from sandbox.sample import SampleConfig, generate_sample
from tests.dbt.runner import failures, run_dbt

START = date(2026, 3, 2)
WEEKS = [START, START + timedelta(days=7)]
TZ = "Asia/Shanghai"
DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-16", "plan_version": "2026.1-test", "timezone": TZ}
MODELS = ["int_helpdesk_goal_actuals_weekly", "int_goal_sheet_items"]
CORRECTED_SHEET = "goal_sheet_0_corrected.csv"
CORRECTED_AT = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)  # Saturday 10:00 in Shanghai, after the Friday originals


@dataclass(frozen=True)
class Build:
    database: Path
    sample: dict[str, pd.DataFrame]
    corrected: pd.Series  # the goal row the corrected sheet changes
    result: dbtRunnerResult


def _corrected_sheet(folder: Path, goals: pd.DataFrame) -> pd.Series:
    """Re-send one first-week goal row with actual + 1 (id in lower case), plus a row for an unknown employee."""
    row = goals[(goals["channel"] == "goal_sheet") & (goals["week_start"] == pd.Timestamp(START))].iloc[0]
    header = "employee_id,name,week_start,metric,unit,target,actual,weight,direction"
    lines = [
        header,
        f"{row.employee_id.lower()},x,{START},{row.metric},{row.unit},{row.target},{Decimal(row.actual) + 1},"
        f"{row.weight},{row.direction}",
        f"E999999,nobody,{START},requests_processed,requests,30,30,1,higher_is_better",
    ]
    path = folder / CORRECTED_SHEET
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    os.utime(path, (CORRECTED_AT.timestamp(), CORRECTED_AT.timestamp()))
    return row


def _reexport(folder: Path) -> None:
    header, *rows = (folder / "helpdesk_tickets.csv").read_bytes().removesuffix(b"\r\n").split(b"\r\n")
    (folder / "helpdesk_tickets_reexport.csv").write_bytes(b"\r\n".join([header, *reversed(rows)]) + b"\r\n")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    work_dir = tmp_path_factory.mktemp("goal_files")
    inbox, database = work_dir / "inbox", work_dir / "warehouse.duckdb"
    sample = generate_sample(SampleConfig(seed=5, employees=120, weeks=2, start_week=START))
    for week in WEEKS:
        write_inbox_week(sample, week, inbox, TZ)
    corrected = _corrected_sheet(inbox / WEEKS[0].isoformat(), sample["goals"])
    _reexport(inbox / WEEKS[1].isoformat())
    with connect(database) as con:
        for week in WEEKS:
            frames = read_inbox_week(inbox, week)
            assert frames["quarantine"].empty, frames["quarantine"].head().to_dict("records")
            for table in RAW_TABLES:
                replace_week(con, table, week, frames[table], "inbox")
    selection = " ".join(f"+{model}" for model in [*MODELS, "dim_employee"])
    result = run_dbt(["build", "--select", selection, "--indirect-selection", "cautious"], database, work_dir, DBT_VARS)
    yield Build(database, sample, corrected, result)


def query(build: Build, sql: str) -> list[tuple]:
    with duckdb.connect(str(build.database)) as con:
        return con.execute(sql).fetchall()


def test_the_models_build_and_their_data_tests_pass(build):
    assert build.result.success, failures(build.result)
    tested = {model for r in build.result.result.results for model in MODELS if r.node.resource_type == "test"
              and model in r.node.unique_id}  # fmt: skip
    assert tested == set(MODELS)


def test_helpdesk_actuals_equal_the_sample_goals_tickets_resolved(build):
    goals = build.sample["goals"]
    resolved = goals[goals["metric"] == "tickets_resolved"]
    expected = {
        (row.employee_id, row.week_start.date(), Decimal(row.actual).quantize(Decimal("0.0001")))
        for row in resolved.itertuples()
        if Decimal(row.actual) > 0  # an agent who solved nothing has no row
    }
    rows = query(build, "select employee_id, week_start, actual, metric, unit from intermediate."
                        "int_helpdesk_goal_actuals_weekly")  # fmt: skip

    assert {(employee, week, actual) for employee, week, actual, _, _ in rows} == expected
    assert {(metric, unit) for *_, metric, unit in rows} == {("tickets_resolved", "tickets")}
    # ... although tickets arrive more than once and unsolved ones are in the files
    (exported, distinct, unsolved) = query(
        build,
        "select count(*), count(distinct ticket_id), count(*) filter (where status not in ('solved', 'closed'))"
        " from raw.helpdesk_tickets",
    )[0]
    assert exported > 2 * distinct - exported and unsolved > 0  # most tickets of week 2 are in two files


def test_helpdesk_actuals_name_the_files_their_tickets_came_from(build):
    refs = dict(
        query(build, "select week_start, max(source_ref) from intermediate.int_helpdesk_goal_actuals_weekly group by 1")
    )

    assert refs[WEEKS[1]] == "2026-03-09/helpdesk_tickets_reexport.csv"
    assert set(refs[WEEKS[0]].split(",")) <= {
        "2026-03-02/helpdesk_tickets.csv",
        "2026-03-09/helpdesk_tickets_reexport.csv",  # Sunday's tickets, exported again the next week
    }


def _items(build: Build) -> pd.DataFrame:
    """The model's rows with numbers as Decimal (``.df()`` would turn them into floats)."""
    with duckdb.connect(str(build.database)) as con:
        cursor = con.execute("select * from intermediate.int_goal_sheet_items")
        columns = [column[0] for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)


def test_goal_sheet_items_are_the_sample_goal_sheet_goals_with_the_correction(build):
    goals = build.sample["goals"]
    sheet_goals = goals[goals["channel"] == "goal_sheet"]
    items = _items(build)
    known = items[items["employee_id"].notna()]

    def key(employee: str, week: object, metric: str) -> tuple[str, date, str]:
        return employee, pd.Timestamp(week).date(), metric

    expected = {
        key(r.employee_id, r.week_start, r.metric): (r.unit, Decimal(r.target), Decimal(r.actual), Decimal(r.weight),
                                                     r.direction)
        for r in sheet_goals.itertuples()
    }  # fmt: skip
    fixed = build.corrected
    corrected_key = key(fixed.employee_id, fixed.week_start, fixed.metric)
    expected[corrected_key] = (*expected[corrected_key][:2], Decimal(fixed.actual) + 1, *expected[corrected_key][3:])
    found = {
        key(r.employee_id, r.week_start, r.metric): (r.unit, r.target, r.actual, r.weight, r.direction)
        for r in known.itertuples()
    }
    assert found == expected
    assert items["goal_id"].is_unique and len(items) == len(expected) + 1  # + the row for an unknown employee


def test_a_later_sheet_replaces_the_earlier_row_and_maps_the_typed_id(build):
    items = _items(build).set_index("goal_id")
    fixed = build.corrected
    row = items.loc[f"goal_sheet:{fixed.employee_id}:{START}:{fixed.metric}"]

    assert row["employee_id"] == fixed.employee_id and row["sheet_employee_id"] == fixed.employee_id.lower()
    assert row["source_ref"] == f"{CORRECTED_SHEET}:2"
    assert row["updated_at_utc"] == pd.Timestamp(CORRECTED_AT).tz_localize(None)
    first_week = items[(items["week_start"] == START) & (items["sheet_employee_id"] != "E999999")].drop(index=row.name)
    assert (first_week["updated_at_utc"] == datetime(2026, 3, 6, 10, 0)).all()  # the originals, sent on Friday


def test_an_employee_hr_does_not_know_keeps_the_typed_id_and_no_employee_id(build):
    unknown = _items(build).query("sheet_employee_id == 'E999999'")

    assert len(unknown) == 1
    assert pd.isna(unknown["employee_id"].item())
    assert unknown["goal_id"].item() == f"goal_sheet:E999999:{START}:requests_processed"
