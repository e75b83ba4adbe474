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


# ---- Feishu OKR (connectors/feishu/okr.py): snapshots of objectives and key results ------------------------------

OKR_ID = r"^\d{1,20}$"  # Feishu ids are 19-digit numbers, kept as text
OKR_ID_LIST = r"^\d{1,20}(,\d{1,20})*$"
OKR_USER_ID_TYPES = ["open_id", "user_id", "union_id"]
OKR_PROGRESS_STATUSES = ["-1", "0", "1", "2"]  # unset, normal, at risk, extended
LATEST_MILLIS = LATEST_UNIX * 1000


def _number_between(values: pd.Series, low: int, high: int) -> pd.Series:
    """Decimal text within ``[low, high]``; text that is not a number fails too."""
    return pd.to_numeric(values, errors="coerce").between(low, high)


class _FeishuOkrRow(pa.DataFrameModel):
    objective_id: Series[str] = pa.Field(nullable=False, str_matches=OKR_ID)
    okr_id: Series[str] = pa.Field(nullable=False, str_matches=OKR_ID)
    period_id: Series[str] = pa.Field(nullable=False, str_matches=OKR_ID)
    user_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    user_id_type: Series[str] = pa.Field(nullable=False, isin=OKR_USER_ID_TYPES)
    content: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    progress_percent: Series[str] = pa.Field(nullable=False)
    progress_status: Series[str] = pa.Field(nullable=True, isin=OKR_PROGRESS_STATUSES)
    last_updated_ms: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=0, le=LATEST_MILLIS)  # 0: never updated
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    @pa.check("progress_percent", name="is_a_percent_from_0_to_100")
    @classmethod
    def percent_from_0_to_100(cls, values: pd.Series) -> pd.Series:
        return _number_between(values, 0, 100)


class FeishuOkrObjectives(_FeishuOkrRow):
    period_name: Series[str] = pa.Field(nullable=True)
    period_start_ms: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=EARLIEST_UNIX * 1000, le=LATEST_MILLIS)
    period_end_ms: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=EARLIEST_UNIX * 1000, le=LATEST_MILLIS)
    score: Series[str] = pa.Field(nullable=True)
    weight: Series[str] = pa.Field(nullable=False)
    aligned_objective_ids: Series[str] = pa.Field(nullable=True, str_matches=OKR_ID_LIST)
    user_issue: Series[str] = pa.Field(nullable=True)

    @pa.check("weight", name="is_a_weight_from_0_to_1")
    @classmethod
    def weight_from_0_to_1(cls, values: pd.Series) -> pd.Series:
        return _number_between(values, 0, 1)

    @pa.check("user_issue", name="feishu_could_not_read_this_user")
    @classmethod
    def _no_user_issue(cls, values: pd.Series) -> pd.Series:
        return values.isna()

    class Config:
        strict = True


class FeishuOkrKeyResults(_FeishuOkrRow):
    kr_id: Series[str] = pa.Field(nullable=False, str_matches=OKR_ID)
    kr_weight: Series[str] = pa.Field(nullable=False)

    @pa.check("kr_weight", name="is_a_weight_from_0_to_1")
    @classmethod
    def kr_weight_from_0_to_1(cls, values: pd.Series) -> pd.Series:
        return _number_between(values, 0, 1)

    class Config:
        strict = True


# Not in RAW_SCHEMAS: that dict is the attendance asset's tables (it writes every one of them when Feishu is
# disabled); the OKR asset (orchestration/defs/ingestion/feishu_okr.py) owns these two.
OKR_RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "feishu_okr_objectives": FeishuOkrObjectives,
    "feishu_okr_key_results": FeishuOkrKeyResults,
}
