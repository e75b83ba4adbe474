"""The inbox asset loads goal sheets and helpdesk ticket exports into their raw tables, and their bad rows into the
quarantine, reconciled: rows fetched = rows loaded + rows quarantined."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingestion.inbox import inbox_file_exports
from orchestration.defs.resources import InboxResource, WarehouseResource
from sandbox.inbox import write_inbox_week
from sandbox.sample import SampleConfig, generate_sample

WEEK = date(2026, 3, 2)
TABLES = ("goal_sheet_rows", "helpdesk_tickets")


@pytest.fixture
def loaded(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    tables = generate_sample(SampleConfig(seed=9, employees=60, weeks=1, start_week=WEEK))
    write_inbox_week(tables, WEEK, inbox, "Asia/Shanghai")
    folder = inbox / WEEK.isoformat()
    (folder / "goal_sheet_late.csv").write_text(
        "工号,周,指标,单位,目标,实际,权重,方向\n"
        "E000001,2026-03-02,requests_processed,requests,30,28,0.6,越高越好\n"
        "E000001,2026-03-02,requests_processed,requests,30,31,0.6,越高越好\n"  # conflicts with the row above
        "E000002,2026-03-04,requests_processed,requests,30,28,0.6,越高越好\n",  # a Wednesday
        encoding="utf-8",
    )
    (folder / "helpdesk_tickets_fix.csv").write_text(
        "Ticket ID,Status,Assignee external ID,Created at,Solved at\n"
        "900001,escalated,E000001,2026-03-02 09:00:00 +0800,\n"
        "900002,solved,E000001,2026-03-02 09:00:00 +0800,2026-03-02 10:00:00 +0800\n",
        encoding="utf-8",
    )

    def materialize() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [inbox_file_exports],
            partition_key=WEEK.isoformat(),
            resources={"inbox": InboxResource(path=str(inbox)), "warehouse": WarehouseResource(path=str(warehouse))},
            raise_on_error=False,  # the goal sheets' quarantine share is meant to fail its blocking check
        )

    return materialize, warehouse


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, object]]:
    return {
        m.asset_key.path[-1]: {key: value.value for key, value in m.metadata.items()}
        for m in result.asset_materializations_for_node("inbox_file_exports")
        if m.asset_key.path[-1] in TABLES
    }


def test_goal_sheets_and_tickets_land_in_raw_with_their_quarantine_and_reload_idempotently(loaded):
    materialize, warehouse = loaded

    result = materialize()

    metadata = _metadata(result)
    checks = {
        check.asset_key.path[-1]: check.passed
        for check in result.get_asset_check_evaluations()
        if check.asset_key.path[-1] in TABLES
    }
    # 3 of a small company's few dozen goal rows is over the 2% a table may lose: downstream must not use the week
    assert checks == {"goal_sheet_rows": False, "helpdesk_tickets": True}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in TABLES:
            (rows,) = con.execute(f"select count(*) from raw.{table} where week_start = ?", [WEEK]).fetchone()
            facts = metadata[table]
            assert facts["rows_loaded"] == rows > 0, table
            assert facts["rows_fetched"] == facts["rows_loaded"] + facts["rows_quarantined"], table
        quarantined = con.execute(
            "select table_name, source_ref, reason from raw.quarantine where week_start = ? and _source = 'inbox'"
            " and table_name in ('goal_sheet_rows', 'helpdesk_tickets') order by source_ref",
            [WEEK],
        ).fetchall()
        file_times = con.execute("select distinct file_modified_at from raw.goal_sheet_rows").fetchall()
    assert [(table, ref) for table, ref, _ in quarantined] == [
        ("goal_sheet_rows", "goal_sheet_late.csv:2"),
        ("goal_sheet_rows", "goal_sheet_late.csv:3"),
        ("goal_sheet_rows", "goal_sheet_late.csv:4"),
        ("helpdesk_tickets", "helpdesk_tickets_fix.csv:2"),
    ]
    reasons = [reason for *_, reason in quarantined]
    assert reasons[0].startswith("conflicting duplicate goal rows: E000001 2026-03-02 requests_processed")
    assert reasons[2] == "goal_week failed is_monday YYYY-MM-DD (got 2026-03-04)"
    assert "(got escalated)" in reasons[3]
    assert ("2026-03-06T10:00:00Z",) in file_times  # the rendered sheets' Friday evening
    assert metadata["goal_sheet_rows"]["rows_quarantined"] == 3
    assert metadata["helpdesk_tickets"]["rows_quarantined"] == 1

    # loading the week again replaces its rows and quarantine instead of adding to them
    assert _metadata(materialize()) == metadata
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in TABLES:
            assert con.execute(f"select count(*) from raw.{table}").fetchone() == (metadata[table]["rows_loaded"],)
        again = con.execute(
            "select count(*) from raw.quarantine where table_name in ('goal_sheet_rows', 'helpdesk_tickets')"
        ).fetchone()
    assert again == (4,)
