"""A company that does not use a source lists it in HRHUB_DISABLED_SOURCES: no credentials, an empty week, a reason."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingestion.apis import dingtalk_punches
from orchestration.defs.resources import DingTalkResource, WarehouseResource
from orchestration.settings import load_settings


def test_a_disabled_source_loads_an_empty_week_without_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("HRHUB_DISABLED_SOURCES", "DingTalk, feishu")
    warehouse = tmp_path / "warehouse.duckdb"

    result = dg.materialize(
        [dingtalk_punches],
        partition_key="2026-03-02",
        resources={
            # No appkey or secret: a run would fail if the asset tried to call DingTalk.
            "dingtalk": DingTalkResource(base_url="http://127.0.0.1:9", appkey="", appsecret=""),
            "warehouse": WarehouseResource(path=str(warehouse)),
        },
    )

    assert result.success
    (materialization,) = result.asset_materializations_for_node("dingtalk_punches")
    assert materialization.metadata["rows_loaded"].value == 0
    assert "HRHUB_DISABLED_SOURCES" in materialization.metadata["source_disabled"].value
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [row[0] for row in con.execute("describe raw.dingtalk_punches").fetchall()]
        assert con.execute("select count(*) from raw.dingtalk_punches").fetchone() == (0,)
    assert {"user_id", "user_check_time", "check_type", "_source_ref"} <= set(columns)  # staging can read it


def test_an_unknown_source_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HRHUB_DISABLED_SOURCES", "dingtalk,slack")
    with pytest.raises(ValueError, match=r"unknown sources \['slack'\]"):
        load_settings()
