"""What a ``raw.wecom_checkins`` row must look like; failing rows are quarantined by ``validate_rows``.

Values stay as WeCom sent them (Chinese display strings, unix seconds); staging types and translates them.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

CHECKIN_TYPES = ["上班打卡", "下班打卡", "外出打卡"]
EARLIEST_UNIX = 946_684_800  # 2000-01-01: anything earlier is a unit mistake (ms / s) or a missing value


class WeComCheckins(pa.DataFrameModel):
    userid: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    checkin_type: Series[str] = pa.Field(nullable=False, isin=CHECKIN_TYPES)
    exception_type: Series[str] = pa.Field(nullable=True)
    checkin_time: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=EARLIEST_UNIX, le=4_102_444_800)
    sch_checkin_time: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)  # 0: no scheduled time
    groupname: Series[str] = pa.Field(nullable=True)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    class Config:
        strict = True


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"wecom_checkins": WeComCheckins}
