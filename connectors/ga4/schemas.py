"""What the GA4 raw rows must look like (failures are quarantined). GA4 sends every value as a string."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

REPORT_DATE = r"^20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$"  # YYYYMMDD in the property's time zone
COUNT = r"^\d+$"
SECONDS = r"^\d+(\.\d+)?$"


class _Ga4Model(pa.DataFrameModel):
    report_date: Series[str] = pa.Field(nullable=False, str_matches=REPORT_DATE)
    source_ref: Series[str] = pa.Field(alias="_source_ref", nullable=False, str_length={"min_value": 1})

    class Config:
        strict = True


class Ga4PageDaily(_Ga4Model):
    page_path: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    sessions: Series[str] = pa.Field(nullable=False, str_matches=COUNT)
    screen_page_views: Series[str] = pa.Field(nullable=False, str_matches=COUNT)
    user_engagement_duration: Series[str] = pa.Field(nullable=False, str_matches=SECONDS)


class Ga4PageEvents(_Ga4Model):
    page_path: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    event_name: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    event_count: Series[str] = pa.Field(nullable=False, str_matches=COUNT)


class Ga4CreativeDaily(_Ga4Model):
    creative_name: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    items_viewed_in_promotion: Series[str] = pa.Field(nullable=False, str_matches=COUNT)
    items_clicked_in_promotion: Series[str] = pa.Field(nullable=False, str_matches=COUNT)


RAW_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "ga4_page_daily": Ga4PageDaily,
    "ga4_page_events": Ga4PageEvents,
    "ga4_creative_daily": Ga4CreativeDaily,
}
