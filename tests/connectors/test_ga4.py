"""GA4 connector against the sandbox over real HTTP: offset paging, the wishlist filter, quota and auth errors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from connectors.ga4 import RAW_SCHEMAS, Ga4Client, Ga4Config
from connectors.http import Secret, SourceError
from connectors.quality import validate_rows
from sandbox.server import SandboxServer
from sandbox.vendors.base import SandboxResponse
from tests.connectors.conftest import FakeClock, Recorder
from tests.connectors.tiny_company import TZ, WEEK

WEEK_DATES = [f"202603{d:02d}" for d in range(2, 9)]


def make_client(sandbox: SandboxServer, clock: FakeClock, **config: object) -> Ga4Client:
    settings = {
        "base_url": sandbox.ga4_url,
        "property_id": sandbox.credentials.ga4_property_id,
        "access_token": Secret(sandbox.credentials.ga4_access_token),
        **config,
    }
    return Ga4Client(Ga4Config(**settings), sleep=clock.sleep)


def record(sandbox: SandboxServer) -> Recorder:
    recorder = Recorder("ga4")
    sandbox.add_interceptor(recorder)
    return recorder


def test_three_reports_paged_by_offset_with_raw_column_names(sandbox, clock):
    calls = record(sandbox)
    frames = make_client(sandbox, clock, page_size=4).fetch_week(WEEK, TZ)

    assert {t: list(f.columns) for t, f in frames.items()} == {
        "ga4_page_daily": [
            "report_date", "page_path", "sessions", "screen_page_views", "user_engagement_duration", "_source_ref",
        ],
        "ga4_page_events": ["report_date", "page_path", "event_name", "event_count", "_source_ref"],
        "ga4_creative_daily": [
            "report_date", "creative_name", "items_viewed_in_promotion", "items_clicked_in_promotion", "_source_ref",
        ],
    }  # fmt: skip
    page_daily = frames["ga4_page_daily"]
    assert len(page_daily) == 3 * 7 and sorted(page_daily["report_date"].unique()) == WEEK_DATES
    assert not page_daily.duplicated(["report_date", "page_path"]).any()
    offsets = [
        body["offset"]
        for body in calls.bodies()
        if "pagePath" in str(body["dimensions"]) and "dimensionFilter" not in body
    ]
    assert offsets == [0, 4, 8, 12, 16, 20]  # 21 rows in pages of 4
    assert {body["limit"] for body in calls.bodies()} == {4}
    assert {tuple(body["dateRanges"][0].values()) for body in calls.bodies()} == {("2026-03-02", "2026-03-08")}


def test_values_stay_strings_exactly_as_ga4_sent_them(sandbox, clock):
    frames = make_client(sandbox, clock).fetch_week(WEEK, TZ)
    monday_tee = frames["ga4_page_daily"].query("report_date == '20260302' and page_path == '/products/tee'")
    assert monday_tee[["sessions", "screen_page_views", "user_engagement_duration"]].values.tolist() == [
        ["10", "20", "300"]
    ]
    creatives = frames["ga4_creative_daily"]
    assert len(creatives) == 2 * 7 and set(creatives["creative_name"]) == {"CR0001", "CR0002"}
    for table, frame in frames.items():
        assert frame.drop(columns="_source_ref").map(lambda v: isinstance(v, str)).all().all()
        assert validate_rows(frame, RAW_SCHEMAS[table]).counts["rows_quarantined"] == 0


def test_page_events_are_only_wishlist_adds_and_zero_rows_are_absent(sandbox, clock):
    calls = record(sandbox)
    events = make_client(sandbox, clock).fetch_week(WEEK, TZ)["ga4_page_events"]
    assert set(events["event_name"]) == {"add_to_wishlist"}
    assert len(events) == 14 and (events["event_count"] != "0").all()  # 7 of the 21 page-days had none
    filtered = [body for body in calls.bodies() if "dimensionFilter" in body]
    assert filtered[0]["dimensionFilter"]["filter"]["stringFilter"]["value"] == "add_to_wishlist"


@pytest.mark.trust("fault", "connectors: GA4")
def test_quota_exhaustion_429_is_retried_with_backoff(sandbox, clock):
    calls = record(sandbox)
    exhausted = {
        "error": {"code": 429, "message": "Exhausted property tokens per hour.", "status": "RESOURCE_EXHAUSTED"}
    }
    calls.script = [SandboxResponse(429, exhausted), SandboxResponse(429, exhausted, {"Retry-After": "30"})]
    frames = make_client(sandbox, clock).fetch_week(WEEK, TZ)
    assert clock.sleeps == [1.0, 30.0]
    assert len(frames["ga4_page_daily"]) == 21


@dataclass
class RotatingToken:
    """A provider whose first token the vendor rejects (as an expired OAuth token would be)."""

    tokens: list[str]
    refreshed: int = 0

    def token(self) -> str:
        return self.tokens[0]

    def invalidate(self) -> bool:
        self.tokens.pop(0)
        self.refreshed += 1
        return bool(self.tokens)

    def known_values(self) -> list[str]:
        return list(self.tokens)


@pytest.mark.trust("fault", "connectors: GA4")
def test_a_rejected_bearer_is_refreshed_through_the_token_provider(sandbox, clock):
    provider = RotatingToken(["ya29.expired", sandbox.credentials.ga4_access_token])
    config = Ga4Config(property_id="123456789", access_token=Secret("unused"), base_url=sandbox.ga4_url)
    frames = Ga4Client(config, token_provider=provider, sleep=clock.sleep).fetch_week(WEEK, TZ)
    assert provider.refreshed == 1 and len(frames["ga4_creative_daily"]) == 14


@pytest.mark.trust("security", "connectors: GA4")
def test_a_static_bad_token_fails_with_googles_status_and_no_token_in_the_text(sandbox, clock):
    client = make_client(sandbox, clock, access_token=Secret("ya29.bad-token-77"))
    with pytest.raises(SourceError) as raised:
        client.fetch_week(WEEK, TZ)
    assert raised.value.code == "HTTP 401 UNAUTHENTICATED"
    assert "ya29.bad-token-77" not in str(raised.value) + repr(client.config)


@pytest.mark.trust("fault", "connectors: GA4")
def test_the_wrong_property_is_permission_denied(sandbox, clock):
    with pytest.raises(SourceError) as raised:
        make_client(sandbox, clock, property_id="999").fetch_week(WEEK, TZ)
    assert raised.value.code == "HTTP 403 PERMISSION_DENIED" and clock.sleeps == []


@pytest.mark.trust("bad input", "connectors: GA4")
def test_unexpected_headers_are_a_schema_drift_error(sandbox, clock):
    calls = record(sandbox)
    calls.script = [
        SandboxResponse(
            200,
            {
                "dimensionHeaders": [{"name": "date"}],
                "metricHeaders": [{"name": "sessions"}],
                "rowCount": 1,
                "rows": [],
            },
        )
    ]
    with pytest.raises(SourceError, match="unexpected headers"):
        make_client(sandbox, clock).fetch_week(WEEK, TZ)
