"""A load reports as late only the earlier weeks it brings new punches for: a lookback re-read of punches an
earlier load already had does not make the late-punch sensor recompute anything."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from connectors.punch_times import PunchWindow
from connectors.quality import Validated, empty_quarantine
from orchestration.lib.ingest import LATE_WEEKS, WEEKS_TOUCHED, load_week

TZ = "Asia/Shanghai"
WEEK = date(2026, 3, 9)
PREVIOUS = date(2026, 3, 2)
NOW = datetime(2026, 3, 16, tzinfo=UTC)


def _checkins(*stamps: str, ref: str) -> Validated:
    times = [int(pd.Timestamp(s, tz=TZ).timestamp()) for s in stamps]
    rows = pd.DataFrame(
        {
            "userid": ["wx1"] * len(times),
            "checkin_type": ["上班打卡"] * len(times),
            "checkin_time": pd.array(times, dtype="Int64"),
            "_source_ref": [f"{ref}#{i}" for i in range(len(times))],
        }
    )
    return Validated(rows, empty_quarantine())


def _load(database, week: date, validated: Validated) -> dict:
    window = PunchWindow(week, TZ, 62, NOW)
    (result,) = load_week(database, "wecom", week, {"wecom_checkins": validated}, punch_window=window)
    return {key: value.value for key, value in result.metadata.items() if key in (LATE_WEEKS, WEEKS_TOUCHED)}


def test_a_lookback_re_read_is_not_late_but_a_new_punch_for_last_week_is(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    _load(database, PREVIOUS, _checkins("2026-03-03 09:00:00", "2026-03-04 09:00:00", ref="first"))

    re_read = _load(database, WEEK, _checkins("2026-03-03 09:00:00", "2026-03-10 09:00:00", ref="lookback"))
    assert re_read == {WEEKS_TOUCHED: ["2026-03-02", "2026-03-09"], LATE_WEEKS: []}

    correction = _checkins("2026-03-03 09:00:00", "2026-03-05 09:01:00", "2026-03-10 09:00:00", ref="lookback")
    assert _load(database, WEEK, correction)[LATE_WEEKS] == ["2026-03-02"]  # 补卡 for Thursday last week
