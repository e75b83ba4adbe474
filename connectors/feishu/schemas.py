"""What the ``raw.feishu_*`` rows must look like; failing rows are quarantined by ``validate_rows``.

Values stay as Feishu sent them (unix seconds, local ``yyyy-MM-dd HH:mm:ss`` leave times, the leave type's display
name, ``interval`` as decimal text); the connector only normalises shift clock times to ``HH:MM`` and day numbers to
``yyyy-mm-dd``, and adds ``hours`` (``interval`` seconds as hours, decimal text). Every table refuses a row whose
``user_issue`` is set: those are the users Feishu reported as invalid or unauthorized, quarantined so that a gap in
the data blocks the week instead of reading as absence.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

FLOW_TYPES = [str(n) for n in range(8)]  # 0 self, 1 admin, 2 补卡, 3 system, 4 免打卡, 5 machine, 6 极速, 7 imported
LEAVE_UNITS = [1, 2, 3, 4]  # day, hour, half day, half hour
EARLIEST_UNIX = 946_684_800  # 2000-01-01: anything earlier is a unit mistake or a missing value
LATEST_UNIX = 4_102_444_800  # 2100-01-01: a millisecond timestamp lands far beyond this
DATE = r"^\d{4}-\d{2}-\d{2}$"
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"
DATETIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
DECIMAL = r"^\d+(\.\d+)?$"  # non-negative: a negative length of leave is refused


def _readable_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").notna()


def _readable_datetimes(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d %H:%M:%S", errors="coerce").notna()


class _FeishuRow(pa.DataFrameModel):
    user_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    user_issue: Series[str] = pa.Field(nullable=True)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    @pa.check("user_issue", name="feishu_could_not_read_this_user")
    @classmethod
    def _no_user_issue(cls, values: pd.Series) -> pd.Series:
        return values.isna()

    class Config:
        strict = True


class FeishuPunches(_FeishuRow):
    record_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    check_time: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=EARLIEST_UNIX, le=LATEST_UNIX)
    type: Series[str] = pa.Field(nullable=False, isin=FLOW_TYPES)
    location_name: Series[str] = pa.Field(nullable=True)
    device_id: Series[str] = pa.Field(nullable=True)
    is_wifi: Series[pd.BooleanDtype] = pa.Field(nullable=True)

    class Config:
        strict = True


class FeishuShiftRoster(_FeishuRow):
    work_date: Series[str] = pa.Field(nullable=False, str_matches=DATE)
    shift_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1}, notin=["0"])
    shift_name: Series[str] = pa.Field(nullable=True)
    on_time: Series[str] = pa.Field(nullable=False, str_matches=CLOCK)
    off_time: Series[str] = pa.Field(nullable=False, str_matches=CLOCK)
    off_is_next_day: Series[pd.BooleanDtype] = pa.Field(nullable=False)
    rest_minutes: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=0, lt=24 * 60)

    @pa.check("work_date", name="is_a_calendar_date")
    @classmethod
    def _real_work_date(cls, values: pd.Series) -> pd.Series:
        return _readable_dates(values)

    class Config:
        strict = True


class FeishuLeave(_FeishuRow):
    approval_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    uniq_id: Series[str] = pa.Field(nullable=True)
    leave_date: Series[str] = pa.Field(nullable=False, str_matches=DATE)
    start_time: Series[str] = pa.Field(nullable=False, str_matches=DATETIME)
    end_time: Series[str] = pa.Field(nullable=False, str_matches=DATETIME)
    unit: Series[pd.Int64Dtype] = pa.Field(nullable=False, isin=LEAVE_UNITS)
    interval: Series[str] = pa.Field(nullable=False, str_matches=DECIMAL)
    hours: Series[str] = pa.Field(nullable=False, str_matches=DECIMAL)
    leave_type: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    status: Series[str] = pa.Field(nullable=False, isin=["approved"])

    @pa.check("leave_date", name="is_a_calendar_date")
    @classmethod
    def _real_leave_date(cls, values: pd.Series) -> pd.Series:
        return _readable_dates(values)

    @pa.check("start_time", "end_time", name="is_a_wall_time")
    @classmethod
    def _real_times(cls, values: pd.Series) -> pd.Series:
        return _readable_datetimes(values)

    @pa.dataframe_check(name="end_time_after_start_time")
    @classmethod
    def _ends_after_it_starts(cls, frame: pd.DataFrame) -> pd.Series:
        start = pd.to_datetime(frame["start_time"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        end = pd.to_datetime(frame["end_time"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        return (end > start) | start.isna() | end.isna()  # unreadable times already fail their own check

    class Config:
        strict = True


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "feishu_punches": FeishuPunches,
    "feishu_shift_roster": FeishuShiftRoster,
    "feishu_leave": FeishuLeave,
}
