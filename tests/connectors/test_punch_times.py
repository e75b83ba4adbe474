"""Implausible punch times are quarantined with a reason, and loads report the weeks their punches fall in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from connectors.punch_times import PunchWindow, quarantine_implausible_punches, weeks_touched
from connectors.quality import Validated, empty_quarantine

WEEK = date(2026, 3, 9)
TZ = "Asia/Shanghai"
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, the week after
WINDOW = PunchWindow(WEEK, TZ, max_age_days=62, now=NOW)


def _unix(local: str) -> int:
    return int(pd.Timestamp(local, tz=TZ).timestamp())


CASES = {
    "zk_punches": ("punch_time_local", lambda local: local),
    "wecom_checkins": ("checkin_time", _unix),
    "dingtalk_punches": ("user_check_time", lambda local: _unix(local) * 1000),
    "feishu_punches": ("check_time", lambda local: str(_unix(local))),
}


@pytest.mark.parametrize("table", sorted(CASES))
def test_future_and_ancient_punches_are_quarantined_with_their_reason(table):
    column, encode = CASES[table]
    times = ["2026-03-10 09:01:00", "2026-03-16 10:05:00", "2026-03-16 11:30:00", "2000-01-01 00:00:00"]
    rows = pd.DataFrame({column: [encode(t) for t in times], "_source_ref": [f"r{i}" for i in range(4)]})

    result = quarantine_implausible_punches(Validated(rows, empty_quarantine()), table, WINDOW)

    assert result.rows["_source_ref"].tolist() == ["r0", "r1"]  # 10:05 is within the 10-minute clock slack
    assert len(result.rows) + len(result.quarantine) == len(rows)
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert "in the future" in reasons["r2"] and "2026-03-16 11:30:00" in reasons["r2"]
    assert "more than 62 days before the week of 2026-03-09" in reasons["r3"]


def test_a_late_upload_reports_the_earlier_weeks_it_touches():
    rows = pd.DataFrame({"punch_time_local": ["2026-03-01 23:59:00", "2026-03-02 08:00:00", "2026-03-10 09:00:00"]})
    assert weeks_touched(rows, "zk_punches", TZ) == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]


def test_app_instants_are_placed_in_the_company_week_not_the_utc_week():
    # Monday 2026-03-09 01:00 in Shanghai is still Sunday in UTC.
    rows = pd.DataFrame({"checkin_time": [_unix("2026-03-09 01:00:00")]})
    assert weeks_touched(rows, "wecom_checkins", TZ) == [date(2026, 3, 9)]
    assert weeks_touched(rows, "wecom_checkins", "UTC") == [date(2026, 3, 2)]


def test_tables_without_punch_times_are_left_alone():
    rows = pd.DataFrame({"employee_id": ["E1"], "_source_ref": ["hr:2"]})
    validated = Validated(rows, empty_quarantine())
    assert quarantine_implausible_punches(validated, "hris_employees", WINDOW) is validated
    assert weeks_touched(rows, "hris_employees", TZ) == []
