"""When a raw punch happened, per source, and whether that time is plausible for the week being loaded.

Each attendance source writes the instant differently (device: naive local clock; WeCom/Feishu: Unix seconds;
DingTalk: epoch milliseconds). Reading them in one place lets ingestion quarantine punches in the future or
long before the week (a device whose clock reset to 2000, a seconds/milliseconds mix-up that got past the
schema), and tell the orchestrator which earlier weeks a load touched (late uploads and corrections), so those
weeks are recomputed instead of silently keeping stale attendance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.quality import Validated, quarantine_rows

# raw table -> (column, how the instant is written)
PUNCH_TIME_COLUMNS: dict[str, tuple[str, str]] = {
    "zk_punches": ("punch_time_local", "local"),
    "zkbiotime_punches": ("punch_time_local", "local"),
    "wecom_checkins": ("checkin_time", "seconds"),
    "dingtalk_punches": ("user_check_time", "milliseconds"),
    "feishu_punches": ("check_time", "seconds"),
}
FUTURE_SLACK = timedelta(minutes=10)  # device clocks run a little fast; more than this ahead is not a punch yet


@dataclass(frozen=True)
class PunchWindow:
    """Punches loaded for ``week_start`` may lie from ``max_age_days`` before it up to ``now``."""

    week_start: date
    timezone: str
    max_age_days: int
    now: datetime  # aware

    @property
    def earliest_local(self) -> datetime:
        return datetime.combine(self.week_start - timedelta(days=self.max_age_days), datetime.min.time())


def punch_local_times(frame: pd.DataFrame, table: str, timezone: str) -> pd.Series:
    """Each row's punch as naive local time in ``timezone`` (NaT where unreadable)."""
    column, unit = PUNCH_TIME_COLUMNS[table]
    values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
    if unit == "local":
        return pd.to_datetime(values.astype("string"), errors="coerce", format="mixed")
    numbers = pd.to_numeric(values, errors="coerce")
    instants = pd.to_datetime(numbers, unit="ms" if unit == "milliseconds" else "s", utc=True, errors="coerce")
    return instants.dt.tz_convert(timezone).dt.tz_localize(None)


def quarantine_implausible_punches(validated: Validated, table: str, window: PunchWindow) -> Validated:
    """Move rows whose punch is in the future or older than the window allows to quarantine, with the reason."""
    rows = validated.rows
    if table not in PUNCH_TIME_COLUMNS or rows.empty:
        return validated
    local = punch_local_times(rows, table, window.timezone)
    now_local = window.now.astimezone(ZoneInfo(window.timezone)).replace(tzinfo=None)
    future = local > now_local + FUTURE_SLACK
    too_old = local < window.earliest_local
    reasons = pd.Series(pd.NA, index=rows.index, dtype="string")
    reasons[future] = "punch time " + local[future].astype("string") + " is in the future (now " + str(now_local) + ")"
    reasons[too_old] = (
        "punch time "
        + local[too_old].astype("string")
        + f" is more than {window.max_age_days} days before the week of {window.week_start}"
    )
    reasons = reasons.dropna()
    if reasons.empty:
        return validated
    quarantine = pd.concat([validated.quarantine, quarantine_rows(rows, reasons)], ignore_index=True)
    return Validated(rows.drop(index=reasons.index), quarantine)


def weeks_touched(frame: pd.DataFrame, table: str, timezone: str) -> list[date]:
    """The ISO weeks (Mondays) the rows' punches fall in."""
    if table not in PUNCH_TIME_COLUMNS or frame.empty:
        return []
    local = punch_local_times(frame, table, timezone).dropna()
    mondays = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    return sorted(set(mondays))
