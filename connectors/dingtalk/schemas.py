"""What a ``raw.dingtalk_punches`` row must look like; failing rows are quarantined by ``validate_rows``.

Values stay as DingTalk sent them (English enum codes, epoch **milliseconds**); staging types and translates them.
The millisecond bounds are what catch a unit mistake: unix seconds (~1.7e9) fall far below 2000-01-01 in ms.
Only ``check_type`` is held to its enum, because staging needs in/out; the result and source codes stay open so a
value DingTalk adds later is loaded, not quarantined. Invalid records (``invalidRecordType``, e.g. 需要二次确认)
come without ``checkType`` and are quarantined with that reason rather than counted as punches.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

CHECK_TYPES = ["OnDuty", "OffDuty"]
IS_LEGAL_VALUES = ["Y", "N"]
EARLIEST_MS = 946_684_800_000  # 2000-01-01: anything earlier is a unit mistake (s / ms) or a missing value
LATEST_MS = 4_102_444_800_000  # 2100-01-01


class DingTalkPunches(pa.DataFrameModel):
    record_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    user_id: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    check_type: Series[str] = pa.Field(nullable=False, isin=CHECK_TYPES)
    source_type: Series[str] = pa.Field(nullable=True)
    time_result: Series[str] = pa.Field(nullable=True)
    location_result: Series[str] = pa.Field(nullable=True)
    user_check_time: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=EARLIEST_MS, le=LATEST_MS)
    base_check_time: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=EARLIEST_MS, le=LATEST_MS)
    is_legal: Series[str] = pa.Field(nullable=True, isin=IS_LEGAL_VALUES)
    device_id: Series[str] = pa.Field(nullable=True)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    class Config:
        strict = True


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"dingtalk_punches": DingTalkPunches}
