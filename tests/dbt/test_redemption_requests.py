"""Redemption requests from the inbox file to staging: instants with any offset become UTC, re-exports stay rows."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from connectors.files.redemptions import read_redemption_requests
from connectors.warehouse import connect, replace_week
from tests.dbt.runner import failures, run_dbt

WEEK = date(2026, 3, 2)
DBT_VARS = {"week_start": "2026-03-02", "week_end": "2026-03-09", "plan_version": "test", "timezone": "Asia/Shanghai"}


def test_staging_types_requests_and_converts_every_offset_to_utc(tmp_path):
    export = tmp_path / "redemption_requests.csv"
    export.write_text(
        "request_id,employee_id,item_code,requested_at\r\n"
        "RR-1,E000001,leave_8h,2026-03-03T10:15:00+08:00\r\n"
        "RR-2,E000002,GOODS_GIFT_CARD,2026-03-04T02:00:00Z\r\n"
        "RR-1,E000001,leave_8h,2026-03-03T10:15:00+08:00\r\n",
        encoding="utf-8",
    )
    database = tmp_path / "warehouse.duckdb"
    with connect(database) as con:
        replace_week(con, "redemption_requests", WEEK, read_redemption_requests(export).rows, source="inbox")

    result = run_dbt(["build", "--select", "stg_activities__redemption_requests"], database, tmp_path, DBT_VARS)

    assert failures(result) == []
    with duckdb.connect(str(database)) as con:
        rows = con.execute(
            """select request_id, employee_id, item_code, requested_at_utc, partition_week_start
               from staging.stg_activities__redemption_requests order by _source_ref"""
        ).fetchall()
    assert rows == [
        ("RR-1", "E000001", "LEAVE_8H", datetime(2026, 3, 3, 2, 15), WEEK),
        ("RR-2", "E000002", "GOODS_GIFT_CARD", datetime(2026, 3, 4, 2, 0), WEEK),
        ("RR-1", "E000001", "LEAVE_8H", datetime(2026, 3, 3, 2, 15), WEEK),
    ]
