"""GA4 Data API ``runReport`` for one week: the three reports hrhub needs, paged with ``offset``/``limit``.

Dates are in the GA4 property's own time zone (set it to the company's), so the week is simply its seven dates.
GA4 restates recent days; re-running a week replaces it, which is how a later run picks up the restatement.
Authentication is a bearer token: a long-lived value for the sandbox, or any ``TokenProvider`` (e.g. one minting
service-account tokens with google-auth) passed to the client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
import requests

from connectors.http import (
    HeaderTokenAuth,
    HttpClient,
    JsonBody,
    Outcome,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    StaticToken,
    TokenProvider,
    classify_http_status,
    records_frame,
)

SOURCE = "ga4"
MAX_PAGE_SIZE = 250_000


@dataclass(frozen=True)
class ReportSpec:
    """One report: GA4 dimension/metric names mapped to the raw table's columns, in order."""

    table: str
    dimensions: dict[str, str]
    metrics: dict[str, str]
    dimension_filter: dict[str, Any] | None = None

    @property
    def dtypes(self) -> dict[str, str]:
        return {column: "str" for column in [*self.dimensions.values(), *self.metrics.values(), "_source_ref"]}


REPORTS = (
    ReportSpec(
        "ga4_page_daily",
        {"date": "report_date", "pagePath": "page_path"},
        {
            "sessions": "sessions",
            "screenPageViews": "screen_page_views",
            "userEngagementDuration": "user_engagement_duration",
        },
    ),
    ReportSpec(
        "ga4_page_events",
        {"date": "report_date", "pagePath": "page_path", "eventName": "event_name"},
        {"eventCount": "event_count"},
        {"filter": {"fieldName": "eventName", "stringFilter": {"matchType": "EXACT", "value": "add_to_wishlist"}}},
    ),
    ReportSpec(
        "ga4_creative_daily",
        {"date": "report_date", "itemPromotionCreativeName": "creative_name"},
        {
            "itemsViewedInPromotion": "items_viewed_in_promotion",
            "itemsClickedInPromotion": "items_clicked_in_promotion",
        },
    ),
)


@dataclass(frozen=True)
class Ga4Config:
    property_id: str
    access_token: Secret  # OAuth2 bearer with scope analytics.readonly
    base_url: str = "https://analyticsdata.googleapis.com"
    page_size: int = 100_000
    reports: tuple[ReportSpec, ...] = field(default=REPORTS)
    timeout: tuple[float, float] = (5.0, 120.0)

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, got {self.page_size}")

    @property
    def run_report_path(self) -> str:
        return f"/v1beta/properties/{self.property_id}:runReport"


def classify_ga4(response: requests.Response, body: JsonBody) -> Outcome:
    """Status-based (429 ``RESOURCE_EXHAUSTED`` and 5xx retried), reporting Google's ``error.status``/``message``."""
    outcome = classify_http_status(response, body)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = f"HTTP {response.status_code} {error.get('status', '')}".strip()
        return Outcome(outcome.verdict, code, str(error.get("message", "")), outcome.retry_after)
    return outcome


class Ga4Client:
    def __init__(
        self,
        config: Ga4Config,
        *,
        token_provider: TokenProvider | None = None,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self._http = HttpClient(
            base_url=config.base_url,
            source=SOURCE,
            auth=HeaderTokenAuth(token_provider or StaticToken(config.access_token)),
            classify=classify_ga4,
            retry=retry or RetryPolicy(),
            timeout=config.timeout,
            sleep=sleep,
            session=session or requests.Session(),
        )

    def fetch_week(self, week_start: date, tz: str) -> dict[str, pd.DataFrame]:
        """Every report for the seven dates of the week (``tz`` is the property's; GA4 applies it)."""
        first, last = week_start, week_start + timedelta(days=6)
        return {spec.table: self._report(spec, first, last) for spec in self.config.reports}

    def _report(self, spec: ReportSpec, first: date, last: date) -> pd.DataFrame:
        path = self.config.run_report_path
        rows: list[dict[str, object]] = []
        seen: set[tuple[object, ...]] = set()
        offset = 0
        while True:
            request = {
                "dateRanges": [{"startDate": first.isoformat(), "endDate": last.isoformat()}],
                "dimensions": [{"name": name} for name in spec.dimensions],
                "metrics": [{"name": name} for name in spec.metrics],
                "orderBys": [{"dimension": {"dimensionName": name}} for name in spec.dimensions],
                "offset": offset,
                "limit": self.config.page_size,
                "returnPropertyQuota": True,
            }
            if spec.dimension_filter:
                request["dimensionFilter"] = spec.dimension_filter
            body = self._http.request_json("POST", path, json=request)
            ref = f"POST {path} {spec.table} offset={offset}"
            page = _page_rows(body, spec, ref)
            for row in page:
                key = tuple(row[column] for column in spec.dimensions.values())
                if key not in seen:  # a report row is unique by its dimensions: a replayed page adds nothing
                    seen.add(key)
                    rows.append(row)
            offset += len(page)
            row_count = int(body.get("rowCount", 0))  # proto3 JSON omits zero: no rowCount means no rows
            if not page or offset >= row_count:
                return records_frame(rows, spec.dtypes)


def _page_rows(body: JsonBody, spec: ReportSpec, ref: str) -> list[dict[str, object]]:
    if not isinstance(body, dict):
        raise SourceError(SOURCE, ref, "bad response", "response is not a JSON object")
    dimensions = [h.get("name") for h in body.get("dimensionHeaders", [])]
    metrics = [h.get("name") for h in body.get("metricHeaders", [])]
    if dimensions != list(spec.dimensions) or metrics != list(spec.metrics):
        raise SourceError(SOURCE, ref, "unexpected headers", f"got dimensions {dimensions} and metrics {metrics}")
    out = []
    for i, row in enumerate(body.get("rows", [])):
        values = [v.get("value") for v in row.get("dimensionValues", [])]
        values += [v.get("value") for v in row.get("metricValues", [])]
        columns = [*spec.dimensions.values(), *spec.metrics.values()]
        if len(values) != len(columns):
            raise SourceError(
                SOURCE, f"{ref}#{i}", "unexpected row", f"{len(values)} values for {len(columns)} columns"
            )
        out.append({**dict(zip(columns, values, strict=True)), "_source_ref": f"{ref}#{i}"})
    return out
