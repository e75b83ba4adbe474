"""GA4 Data API reports -> ``raw.ga4_page_daily``, ``raw.ga4_page_events``, ``raw.ga4_creative_daily``."""

from connectors.ga4.client import REPORTS, Ga4Client, Ga4Config, ReportSpec, classify_ga4
from connectors.ga4.schemas import RAW_SCHEMAS, Ga4CreativeDaily, Ga4PageDaily, Ga4PageEvents

__all__ = [
    "RAW_SCHEMAS",
    "REPORTS",
    "Ga4Client",
    "Ga4Config",
    "Ga4CreativeDaily",
    "Ga4PageDaily",
    "Ga4PageEvents",
    "ReportSpec",
    "classify_ga4",
]
