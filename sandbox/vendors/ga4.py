"""GA4 Data API ``runReport`` as the sandbox serves it: ``POST /v1beta/properties/{id}:runReport``.

What matches GA4: ``Authorization: Bearer`` (401 ``UNAUTHENTICATED``), a wrong property is 403
``PERMISSION_DENIED``, errors as ``{"error": {"code", "message", "status"}}``, ``offset``/``limit`` paging with
``rowCount`` (the total), ``limit`` silently capped at 250,000, every dimension and metric value a string, ``date``
as ``YYYYMMDD``, rows whose metrics are all zero left out (unless ``keepEmptyRows``), and zero-valued fields
omitted from the JSON as proto3 does (no ``rows``/``rowCount`` on an empty report).

The data are three "cubes" from the sample; a request is answered from the first cube holding all its
dimensions and metrics (summing over the dimensions not asked for):
- ``date, pagePath`` x ``sessions, screenPageViews, userEngagementDuration`` (``page_daily``);
- ``date, pagePath, eventName`` x ``eventCount``: ``page_view``, ``session_start`` and ``add_to_wishlist`` events
  (``page_daily``'s page views, sessions and wishlist adds), filterable with ``dimensionFilter``;
- ``date, itemPromotionCreativeName`` x ``itemsViewedInPromotion, itemsClickedInPromotion`` (``creative_daily``,
  the creative name being the ``creative_id``).
Differences: one ``dateRanges`` entry, ``YYYY-MM-DD`` dates only (no ``NdaysAgo``), no metric filters, and rows
are always sorted (by ``orderBys``, then by the dimensions) so that offset paging is stable.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from sandbox.vendors.base import InvalidJsonError, SandboxRequest, SandboxResponse, Tables, table

RUN_REPORT = re.compile(r"^/v1beta/properties/(?P<property>[^/:]+):runReport$")
MAX_LIMIT = 250_000
DEFAULT_LIMIT = 10_000
METRIC_TYPES = {
    "sessions": "TYPE_INTEGER",
    "screenPageViews": "TYPE_INTEGER",
    "userEngagementDuration": "TYPE_SECONDS",
    "eventCount": "TYPE_INTEGER",
    "itemsViewedInPromotion": "TYPE_INTEGER",
    "itemsClickedInPromotion": "TYPE_INTEGER",
}
DIMENSIONS = ("date", "pagePath", "eventName", "itemPromotionCreativeName")
DAILY_TOKENS = 200_000
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


class ReportError(ValueError):
    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code

    def response(self) -> SandboxResponse:
        return SandboxResponse(
            self.code, {"error": {"code": self.code, "message": str(self), "status": _STATUS[self.code]}}
        )


@dataclass(frozen=True)
class Cube:
    dimensions: tuple[str, ...]
    metrics: tuple[str, ...]
    rows: pd.DataFrame  # dimension columns as str (date as YYYYMMDD), metric columns int64


class Ga4Api:
    name = "ga4"

    def __init__(self, tables: Tables, property_id: str, access_token: str) -> None:
        self._property, self._token = property_id, access_token
        self._cubes = build_cubes(tables)
        self._tokens_used = 0
        self._lock = threading.Lock()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        match = RUN_REPORT.match(request.path)
        try:
            if match is None or request.method != "POST":
                raise ReportError(f"The requested URL {request.path} was not found on this server.", 404)
            if request.header("Authorization") != f"Bearer {self._token}":
                raise ReportError(
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                    "or other valid authentication credential.",
                    401,
                )
            if match["property"] != self._property:
                raise ReportError("User does not have sufficient permissions for this property.", 403)
            try:
                body = request.json()
            except InvalidJsonError as error:
                raise ReportError(f"Invalid JSON payload received. {error}") from error
            if not isinstance(body, dict):
                raise ReportError("Invalid JSON payload received: expected an object")
            return SandboxResponse(200, self._run(body))
        except ReportError as error:
            return error.response()

    def _run(self, body: Mapping[str, Any]) -> dict[str, Any]:
        start, end = _date_range(body.get("dateRanges"))
        dimensions = _names(body.get("dimensions"), "dimension", DIMENSIONS)
        metrics = _names(body.get("metrics"), "metric", tuple(METRIC_TYPES))
        if not metrics:
            raise ReportError("At least one metric is required.")
        expression = body.get("dimensionFilter")
        filter_fields = _filter_fields(expression) if expression else set()
        cube = next(
            (
                c
                for c in self._cubes
                if {*dimensions, *filter_fields} <= set(c.dimensions) and set(metrics) <= set(c.metrics)
            ),
            None,
        )
        if cube is None:
            raise ReportError(
                f"Please remove {', '.join(metrics)} to make the request compatible. The dimensions and metrics "
                "in this request are incompatible."
            )
        rows = cube.rows[(cube.rows["date"] >= start) & (cube.rows["date"] <= end)]
        if expression:
            rows = rows[_filter_mask(rows, expression)]
        report = (
            rows.groupby(dimensions, sort=False, as_index=False)[metrics].sum()
            if dimensions
            else rows[metrics].sum().to_frame().T
        )
        if not body.get("keepEmptyRows"):
            report = report[(report[metrics] != 0).any(axis=1)]
        report = _ordered(report, body.get("orderBys") or [], dimensions)
        offset, limit = (
            _non_negative(body.get("offset", 0), "offset"),
            _non_negative(body.get("limit", DEFAULT_LIMIT), "limit"),
        )
        if limit == 0:
            limit = DEFAULT_LIMIT
        page = report.iloc[offset : offset + min(limit, MAX_LIMIT)]
        with self._lock:
            self._tokens_used += 1
            used = self._tokens_used
        response: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dimensions],
            "metricHeaders": [{"name": m, "type": METRIC_TYPES[m]} for m in metrics],
            "metadata": {"currencyCode": "CNY", "timeZone": "Asia/Shanghai"},
            "kind": "analyticsData#runReport",
        }
        if len(page):
            response["rows"] = [
                {
                    "dimensionValues": [{"value": str(v)} for v in row[: len(dimensions)]],
                    "metricValues": [{"value": str(int(v))} for v in row[len(dimensions) :]],
                }
                for row in page[[*dimensions, *metrics]].itertuples(index=False)
            ]
        if len(report):
            response["rowCount"] = len(report)
        if body.get("returnPropertyQuota"):
            response["propertyQuota"] = {"tokensPerDay": {"consumed": 1, "remaining": DAILY_TOKENS - used}}
        return response


def _date_range(ranges: object) -> tuple[str, str]:
    if not isinstance(ranges, list) or len(ranges) != 1 or not isinstance(ranges[0], dict):
        raise ReportError("sandbox runReport needs exactly one entry in dateRanges")
    try:
        start = date.fromisoformat(str(ranges[0].get("startDate")))
        end = date.fromisoformat(str(ranges[0].get("endDate")))
    except ValueError as error:
        raise ReportError("Field startDate/endDate must be a date in YYYY-MM-DD format (sandbox)") from error
    if end < start:
        raise ReportError("Field endDate must not be before startDate.")
    return start.strftime("%Y%m%d"), end.strftime("%Y%m%d")


def _names(items: object, kind: str, known: tuple[str, ...]) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        raise ReportError(f"{kind}s must be a list of {{'name': ...}} objects")
    names = [i["name"] for i in items]
    for name in names:
        if name not in known:
            raise ReportError(
                f"Field {name} is not a valid {kind}. For a list of valid dimensions and metrics, see "
                "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
            )
    if len(set(names)) != len(names):
        raise ReportError(f"Duplicate {kind} names in the request.")
    return names


def _non_negative(value: object, field: str) -> int:
    try:
        number = int(str(value))  # int64 fields may arrive as JSON strings
    except ValueError as error:
        raise ReportError(f"Invalid value for {field}: {value!r}") from error
    if number < 0:
        raise ReportError(f"{field} must be non-negative, got {number}")
    return number


def _filter_fields(expression: Mapping[str, Any]) -> set[str]:
    if "filter" in expression:
        return {str(expression["filter"].get("fieldName"))}
    if "notExpression" in expression:
        return _filter_fields(expression["notExpression"])
    group = expression.get("andGroup") or expression.get("orGroup")
    if group is None:
        raise ReportError("sandbox dimensionFilter supports filter, andGroup, orGroup and notExpression")
    return set().union(*(_filter_fields(e) for e in group.get("expressions", [])))


def _filter_mask(rows: pd.DataFrame, expression: Mapping[str, Any]) -> pd.Series:
    if "notExpression" in expression:
        return ~_filter_mask(rows, expression["notExpression"])
    if "andGroup" in expression or "orGroup" in expression:
        masks = [
            _filter_mask(rows, e) for e in (expression.get("andGroup") or expression.get("orGroup"))["expressions"]
        ]
        combined = pd.Series("andGroup" in expression, index=rows.index)
        for mask in masks:
            combined = combined & mask if "andGroup" in expression else combined | mask
        return combined
    spec = expression["filter"]
    values = rows[spec["fieldName"]]
    if "inListFilter" in spec:
        listed = spec["inListFilter"].get("values", [])
        return values.isin(listed)
    string_filter = spec.get("stringFilter")
    if not string_filter:
        raise ReportError("sandbox dimensionFilter supports stringFilter and inListFilter")
    target, match_type = str(string_filter.get("value", "")), string_filter.get("matchType", "EXACT")
    if not string_filter.get("caseSensitive"):
        values, target = values.str.lower(), target.lower()
    tests = {
        "EXACT": lambda: values == target,
        "BEGINS_WITH": lambda: values.str.startswith(target),
        "ENDS_WITH": lambda: values.str.endswith(target),
        "CONTAINS": lambda: values.str.contains(target, regex=False),
        "FULL_REGEXP": lambda: values.str.fullmatch(target),
    }
    if match_type not in tests:
        raise ReportError(f"sandbox stringFilter does not support matchType {match_type}")
    return tests[match_type]().astype(bool)


def _ordered(report: pd.DataFrame, order_bys: list[Mapping[str, Any]], dimensions: list[str]) -> pd.DataFrame:
    keys: list[str] = []
    ascending: list[bool] = []
    for order in order_bys:
        spec = order.get("dimension") or order.get("metric") or {}
        column = spec.get("dimensionName") or spec.get("metricName")
        if column not in report.columns:
            raise ReportError(f"orderBys refers to {column!r}, which is not in the request")
        keys.append(column)
        ascending.append(not order.get("desc", False))
    for dimension in dimensions:
        if dimension not in keys:
            keys.append(dimension)
            ascending.append(True)
    return report.sort_values(keys, ascending=ascending, kind="stable") if keys else report


def build_cubes(tables: Tables) -> list[Cube]:
    page = table(
        tables,
        "page_daily",
        ["date", "page_path", "sessions", "screen_page_views", "user_engagement_seconds", "wishlist_adds"],
    )
    promo = table(tables, "creative_daily", ["date", "creative_id", "impressions", "clicks"])
    page_rows = pd.DataFrame(
        {
            "date": _yyyymmdd(page["date"]),
            "pagePath": page["page_path"].astype(str),
            "sessions": _counts(page["sessions"]),
            "screenPageViews": _counts(page["screen_page_views"]),
            "userEngagementDuration": _counts(page["user_engagement_seconds"]),
        }
    )
    events = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": page_rows["date"],
                    "pagePath": page_rows["pagePath"],
                    "eventName": event,
                    "eventCount": _counts(page[column]),
                }
            )
            for event, column in (
                ("page_view", "screen_page_views"),
                ("session_start", "sessions"),
                ("add_to_wishlist", "wishlist_adds"),
            )
        ],
        ignore_index=True,
    )
    promotions = pd.DataFrame(
        {
            "date": _yyyymmdd(promo["date"]),
            "itemPromotionCreativeName": promo["creative_id"].astype(str),
            "itemsViewedInPromotion": _counts(promo["impressions"]),
            "itemsClickedInPromotion": _counts(promo["clicks"]),
        }
    )
    return [
        Cube(("date", "pagePath"), ("sessions", "screenPageViews", "userEngagementDuration"), page_rows),
        Cube(("date", "pagePath", "eventName"), ("eventCount",), events),
        Cube(("date", "itemPromotionCreativeName"), ("itemsViewedInPromotion", "itemsClickedInPromotion"), promotions),
    ]


def _yyyymmdd(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(str) if values.dtype == object else values).dt.strftime("%Y%m%d").astype(str)


def _counts(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values).round().astype("int64")
