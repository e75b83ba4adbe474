"""The Feishu OKR ingestion asset: a snapshot per week, stored only where something changed since the last stored
snapshot, against the sandbox over real HTTP and a real DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pandas as pd
import pytest

from connectors.warehouse import connect, replace_week
from orchestration.defs.ingestion.feishu_okr import changed_rows, feishu_okr, latest_stored
from orchestration.defs.resources import FeishuResource, WarehouseResource
from sandbox.sample import SampleConfig, generate_sample
from sandbox.server import SandboxServer

TZ = "Asia/Shanghai"
FIRST, SECOND, THIRD = date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return generate_sample(SampleConfig(seed=7, employees=120, weeks=4, start_week=FIRST))


@pytest.fixture
def sandbox(company: dict[str, pd.DataFrame]) -> Iterator[SandboxServer]:
    with SandboxServer(company) as server:
        yield server


@pytest.fixture
def warehouse(tmp_path: Path, company: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse whose HR crosswalk maps a few team managers who own objectives to their Feishu open_id (a few
    users, so the loads stay under Feishu's 100 calls a minute; the owners above them are reached by alignment)."""
    monkeypatch.delenv("HRHUB_DISABLED_SOURCES", raising=False)
    monkeypatch.setenv("HRHUB_TIMEZONE", TZ)
    path = tmp_path / "warehouse.duckdb"
    employees = company["employees"].set_index("employee_id")
    objectives = company["okr_objectives"]
    owners = employees.loc[objectives.loc[objectives["level"] == "team", "owner_id"].unique()[:4]]
    identities = pd.DataFrame(
        {
            "employee_id": owners.index,
            "system": "feishu_open_id",
            "external_id": owners["feishu_open_id"].to_numpy(),
            "valid_from": "2020-01-01",
            "valid_to": None,
            "_source_ref": [f"employee_identity.csv:{n + 2}" for n in range(len(owners))],
        }
    )
    assert 0 < len(identities) < 10
    with connect(path) as con:
        for week in (FIRST, SECOND, THIRD):
            replace_week(con, "hris_identities", week, identities, "inbox")
    return path


def week_end(monday: date) -> datetime:
    return datetime.combine(monday + timedelta(days=7), datetime.min.time(), ZoneInfo(TZ)) - timedelta(seconds=1)


def load(sandbox: SandboxServer, warehouse: Path, week: date, as_of: datetime) -> dict[str, dict[str, object]]:
    """Materialize the week with the sandbox's OKRs as of ``as_of``; metadata per raw table."""
    sandbox.feishu_okr.freeze_at(as_of)
    result = dg.materialize(
        [feishu_okr],
        partition_key=week.isoformat(),
        resources={
            "feishu": FeishuResource(
                base_url=sandbox.feishu_url,
                app_id=sandbox.credentials.feishu_app_id,
                app_secret=sandbox.credentials.feishu_app_secret,
            ),
            "warehouse": WarehouseResource(path=str(warehouse)),
        },
    )
    assert result.success
    checks = {c.asset_key.path[-1]: c.passed for c in result.get_asset_check_evaluations()}
    return {
        m.asset_key.path[-1]: {
            **{k: v.value for k, v in m.metadata.items()},
            "check_passed": checks[m.asset_key.path[-1]],
        }
        for m in result.asset_materializations_for_node("feishu_okr")
    }


def stored(warehouse: Path, table: str, week: date) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from raw.{table} where week_start = ?", [week]).df()


def updated_in(company: dict[str, pd.DataFrame], monday: date) -> set[str]:
    """Key results whose progress the sample changed during the week starting ``monday``."""
    progress = company["okr_progress"]
    start = pd.Timestamp(datetime.combine(monday, datetime.min.time(), ZoneInfo(TZ)))
    changed = progress["updated_at_utc"].between(start, start + pd.Timedelta(days=7), inclusive="left")
    return set(progress.loc[changed, "kr_id"])


def test_the_first_snapshot_is_stored_whole_and_an_unchanged_one_stores_nothing(sandbox, warehouse):
    first = load(sandbox, warehouse, FIRST, week_end(FIRST))
    for table, meta in first.items():
        assert meta["rows_fetched"] == meta["rows_changed"] == len(stored(warehouse, table, FIRST)) > 0
        assert meta["rows_unchanged"] == meta["rows_quarantined"] == 0 and meta["check_passed"]
    assert first["feishu_okr_objectives"]["users_read"] > first["feishu_okr_objectives"]["users_in_crosswalk"]

    # The next week's load while nobody touched their OKRs: the same snapshot, nothing new stored.
    second = load(sandbox, warehouse, SECOND, week_end(FIRST))
    for table, meta in second.items():
        assert meta["rows_changed"] == 0 and meta["rows_unchanged"] == first[table]["rows_fetched"]
        assert stored(warehouse, table, SECOND).empty


def test_only_key_results_that_changed_are_stored_and_a_rerun_stores_the_same(sandbox, warehouse, company):
    load(sandbox, warehouse, FIRST, week_end(FIRST))
    second = load(sandbox, warehouse, SECOND, week_end(SECOND))

    rows = stored(warehouse, "feishu_okr_key_results", SECOND)
    fetched = second["feishu_okr_key_results"]["rows_fetched"]
    first_rows = stored(warehouse, "feishu_okr_key_results", FIRST)
    expected = updated_in(company, SECOND) & set(first_rows["kr_id"])
    assert set(rows["kr_id"]) == expected and 0 < len(expected) < fetched
    assert second["feishu_okr_key_results"]["rows_unchanged"] == fetched - len(expected)
    # a stored change carries the new progress and its new last-update time
    progress = company["okr_progress"]
    week_rows = progress[progress["week_start"] == pd.Timestamp(SECOND)].set_index("kr_id")
    changed = rows.iloc[0]
    assert changed["progress_percent"] == str(week_rows.loc[changed["kr_id"], "percent"])
    assert changed["last_updated_ms"] == week_rows.loc[changed["kr_id"], "updated_at_utc"].value // 10**6
    # objectives whose key results moved changed too (their progress is computed from them)
    objectives = stored(warehouse, "feishu_okr_objectives", SECOND)
    assert set(objectives["objective_id"]) == set(rows["objective_id"])

    again = load(sandbox, warehouse, SECOND, week_end(SECOND))
    assert again["feishu_okr_key_results"]["rows_changed"] == len(expected)
    pd.testing.assert_frame_equal(
        stored(warehouse, "feishu_okr_key_results", SECOND).sort_values("kr_id", ignore_index=True),
        rows.sort_values("kr_id", ignore_index=True),
    )


def test_bad_progress_is_quarantined_and_the_rows_add_up(sandbox, warehouse, company):
    load(sandbox, warehouse, FIRST, week_end(FIRST))
    third = load(sandbox, warehouse, THIRD, week_end(THIRD))["feishu_okr_key_results"]

    assert third["rows_fetched"] == third["rows_changed"] + third["rows_unchanged"] + third["rows_quarantined"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = con.execute(
            "select reason, payload from raw.quarantine where table_name = 'feishu_okr_key_results' and week_start = ?",
            [THIRD],
        ).fetchall()
    planted = company["okr_progress"].loc[company["okr_progress"]["percent"] > 100, "kr_id"].iloc[0]
    assert [(planted in payload, "(got 120)" in reason) for reason, payload in quarantined] == [(True, True)]
    assert third["rows_quarantined"] == 1
    assert third["check_passed"] == (1 / third["rows_fetched"] <= 0.02)
    assert planted not in set(stored(warehouse, "feishu_okr_key_results", THIRD)["kr_id"])


def test_a_disabled_feishu_loads_empty_okr_tables_without_calling_it(warehouse, monkeypatch):
    monkeypatch.setenv("HRHUB_DISABLED_SOURCES", "feishu")
    result = dg.materialize(
        [feishu_okr],
        partition_key=FIRST.isoformat(),
        resources={
            "feishu": FeishuResource(base_url="http://127.0.0.1:9", app_id="", app_secret=""),
            "warehouse": WarehouseResource(path=str(warehouse)),
        },
    )
    assert result.success
    for materialization in result.asset_materializations_for_node("feishu_okr"):
        assert "HRHUB_DISABLED_SOURCES" in materialization.metadata["source_disabled"].value
    assert stored(warehouse, "feishu_okr_key_results", FIRST).empty


def test_change_detection_compares_values_not_where_they_were_read():
    fetched = pd.DataFrame(
        {
            "kr_id": ["1", "2", "3"],
            "progress_percent": ["10", "20", "30"],
            "last_updated_ms": pd.array([100, 200, 300], dtype="Int64"),
            "_source_ref": ["a", "b", "c"],
        }
    )
    stored_versions = pd.DataFrame(
        {"kr_id": ["1", "2"], "progress_percent": ["10", "25"], "last_updated_ms": ["100", "150"]}
    )
    assert changed_rows(fetched, stored_versions, "kr_id")["kr_id"].tolist() == ["2", "3"]


def test_the_latest_stored_version_is_read_whatever_the_column_names_hold():
    """Names enter the SQL quoted: a column whose name holds a double quote is read like any other."""
    con = duckdb.connect()
    con.execute(
        'create schema raw; create table raw.feishu_okr_key_results (kr_id varchar, "note ""x""" varchar, '
        "week_start date, _source_ref varchar)"
    )
    con.execute(
        "insert into raw.feishu_okr_key_results values ('1', 'old', ?, 'a'), ('1', 'new', ?, 'b'),"
        " ('1', 'now', ?, 'c')",
        [FIRST, SECOND, THIRD],
    )
    stored = latest_stored(
        con, "feishu_okr_key_results", "kr_id", ["kr_id", 'note "x"', "progress", "_source_ref"], THIRD
    )
    assert stored.to_dict("records") == [{"kr_id": "1", 'note "x"': "new", "progress": None}]
