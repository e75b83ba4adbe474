"""Feishu OKR raw rows for the dbt fixture: a one-period tree and key-result versions in two partitions.

Period ``2026 Q1`` (2026-01-01 to 2026-03-31, Shanghai time). The company objective ``O1`` (owner ``fs-ceo``, who
maps to nobody) -> the department objective ``O2`` (``fs-head``) -> the team objective ``O3`` of E003
(``fs-003``). Key results, stored the way change detection stores them (only versions that changed):

- ``K1`` (O3): 30 % updated Tuesday 2026-02-24 (stored in the 2026-02-23 partition), then 45 % updated
  Wednesday 2026-03-04 (stored in the fixture week's partition).
- ``K2`` (O3): never updated (last update ``0``), 0 %, stored in 2026-02-23.
- ``K3`` (O1): 20 % updated 2026-01-20, stored in 2026-02-23 and unchanged since (nothing stored later).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb

from connectors.feishu.okr import KEY_RESULT_DTYPES, OBJECTIVE_DTYPES
from connectors.http import records_frame
from connectors.warehouse import replace_week
from tests.dbt.raw_fixture import FIXTURE_WEEK, PREVIOUS_WEEK

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = {
    "period_id": "6900000000000000001",
    "period_name": "2026 Q1",
    "period_start_ms": int(datetime(2026, 1, 1, tzinfo=SHANGHAI).timestamp() * 1000),
    "period_end_ms": int(datetime(2026, 4, 1, tzinfo=SHANGHAI).timestamp() * 1000) - 1,
}
O1, O2, O3 = "7100000000000000001", "7100000000000000002", "7100000000000000003"
K1, K2, K3 = "7200000000000000001", "7200000000000000002", "7200000000000000003"
OKR_OF = {"fs-ceo": "7000000000000000001", "fs-head": "7000000000000000002", "fs-003": "7000000000000000003"}


def _ms(local: str) -> int:
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp() * 1000)


def _objective(objective_id: str, user: str, parent: str | None, content: str, percent: str, updated: int) -> dict:
    return {
        "objective_id": objective_id, "okr_id": OKR_OF[user], **PERIOD, "user_id": user, "user_id_type": "user_id",
        "content": content, "score": "0", "weight": "1.0", "progress_percent": percent, "progress_status": "0",
        "last_updated_ms": updated, "aligned_objective_ids": parent, "user_issue": None,
        "_source_ref": f"GET /open-apis/okr/v1/users/{user}/okrs user_id_type=user_id offset=0#0.0",
    }  # fmt: skip


def _key_result(kr_id: str, objective_id: str, user: str, weight: str, percent: str, updated: int) -> dict:
    return {
        "kr_id": kr_id, "objective_id": objective_id, "okr_id": OKR_OF[user], "period_id": PERIOD["period_id"],
        "user_id": user, "user_id_type": "user_id", "content": f"key result {kr_id[-1]}", "kr_weight": weight,
        "progress_percent": percent, "progress_status": "0", "last_updated_ms": updated,
        "_source_ref": f"GET /open-apis/okr/v1/users/{user}/okrs user_id_type=user_id offset=0#0.0.{kr_id[-1]}",
    }  # fmt: skip


def write_okr_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Both OKR raw tables, in the partitions change detection would have stored them in."""
    first, second = _ms("2026-02-24 10:00:00"), _ms("2026-03-04 15:30:00")
    earlier = [
        _objective(O1, "fs-ceo", None, "2026 Q1 company objective", "20", _ms("2026-01-20 11:00:00")),
        _objective(O2, "fs-head", O1, "department objective", "25", first),
        _objective(O3, "fs-003", O2, "team objective", "15", first),
    ]
    later = [_objective(O3, "fs-003", O2, "team objective", "23", second)]
    krs_earlier = [
        _key_result(K1, O3, "fs-003", "0.5", "30", first),
        _key_result(K2, O3, "fs-003", "0.5", "0", 0),
        _key_result(K3, O1, "fs-ceo", "1", "20", _ms("2026-01-20 11:00:00")),
    ]
    krs_later = [_key_result(K1, O3, "fs-003", "0.5", "45", second)]
    for week, objectives, key_results in ((PREVIOUS_WEEK, earlier, krs_earlier), (FIXTURE_WEEK, later, krs_later)):
        replace_week(con, "feishu_okr_objectives", week, records_frame(objectives, OBJECTIVE_DTYPES), "feishu")
        replace_week(con, "feishu_okr_key_results", week, records_frame(key_results, KEY_RESULT_DTYPES), "feishu")
