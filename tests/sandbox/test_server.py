"""The sandbox's wire contract, spoken to with plain ``requests``: the vendors' auth, limits, paging and errors."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests

from sandbox.server import SandboxCredentials, SandboxServer
from sandbox.vendors.base import SandboxRequest
from tests.connectors.conftest import FakeClock
from tests.connectors.tiny_company import WEEK, tiny_company

CREDS = SandboxCredentials()
ORDERS_QUERY = (
    "query($c: String) { orders(first: %d, after: $c, sortKey: UPDATED_AT) "
    "{ pageInfo { hasNextPage endCursor } nodes { id } } }"
)


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return tiny_company(40)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(company, clock) -> Iterator[SandboxServer]:
    with SandboxServer(company, clock=clock) as server:
        yield server


def wecom_token(sandbox: SandboxServer) -> str:
    params = {"corpid": CREDS.wecom_corpid, "corpsecret": CREDS.wecom_corpsecret}
    return requests.get(f"{sandbox.wecom_url}/cgi-bin/gettoken", params=params, timeout=5).json()["access_token"]


def checkins(sandbox: SandboxServer, token: str | None, body: dict) -> requests.Response:
    params = {"access_token": token} if token else {}
    return requests.post(f"{sandbox.wecom_url}/cgi-bin/checkin/getcheckindata", params=params, json=body, timeout=5)


def week_seconds(days: int = 7) -> tuple[int, int]:
    start = int(datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    return start, start + days * 86_400 - 1


# ---- server life cycle ------------------------------------------------------------------------------------------


def test_serves_on_an_ephemeral_localhost_port_until_closed(company):
    server = SandboxServer(company)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url
    with server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        assert server.vendor_url("jira") == f"{base}/jira" and server.wecom_url == f"{base}/wecom"
        assert requests.get(f"{base}/nowhere/x", timeout=5).status_code == 404
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/wecom/cgi-bin/gettoken", timeout=2)


def test_interceptors_answer_first_and_a_crashing_handler_is_a_500(sandbox):
    def explode(vendor: str, request: SandboxRequest) -> None:
        raise RuntimeError("boom")

    remove = sandbox.add_interceptor(explode)
    response = requests.get(f"{sandbox.wecom_url}/cgi-bin/gettoken", timeout=5)
    assert response.status_code == 500 and response.json() == {"error": "sandbox internal error"}
    remove()
    assert requests.get(f"{sandbox.wecom_url}/cgi-bin/gettoken", timeout=5).json()["errcode"] == 40013


def test_credentials_repr_hides_the_secrets():
    text = repr(SandboxCredentials(wecom_corpsecret="cs-1", jira_api_token="jt-2"))
    assert "cs-1" not in text and "jt-2" not in text


# ---- WeCom ------------------------------------------------------------------------------------------------------


def test_wecom_errors_come_as_http_200_errcode_bodies(sandbox):
    base = f"{sandbox.wecom_url}/cgi-bin/gettoken"
    wrong_corp = requests.get(base, params={"corpid": "x", "corpsecret": CREDS.wecom_corpsecret}, timeout=5)
    wrong_secret = requests.get(base, params={"corpid": CREDS.wecom_corpid, "corpsecret": "x"}, timeout=5)
    assert (wrong_corp.status_code, wrong_corp.json()["errcode"]) == (200, 40013)
    assert (wrong_secret.status_code, wrong_secret.json()["errcode"]) == (200, 40001)
    start, end = week_seconds()
    body = {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": ["wx0001"]}
    assert checkins(sandbox, None, body).json()["errcode"] == 41001
    assert checkins(sandbox, "forged", body).json()["errcode"] == 40014


def test_wecom_limits_users_per_call_and_window_length(sandbox):
    token = wecom_token(sandbox)
    start, end = week_seconds()
    users = [f"wx{n:04d}" for n in range(1, 102)]
    too_many = checkins(
        sandbox, token, {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": users}
    )
    assert too_many.json()["errcode"] == 301023
    start, end = week_seconds(days=31)
    too_long = checkins(
        sandbox, token, {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": ["wx0001"]}
    )
    assert too_long.json()["errcode"] == 301024


def test_wecom_tokens_expire_after_expires_in(sandbox, clock):
    token = wecom_token(sandbox)
    start, end = week_seconds()
    body = {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": ["wx0001"]}
    assert checkins(sandbox, token, body).json()["errcode"] == 0
    clock.now += CREDS.wecom_token_ttl_seconds
    assert checkins(sandbox, token, body).json()["errcode"] == 42001


def test_wecom_600_calls_a_minute_then_45009(sandbox, clock):
    token = wecom_token(sandbox)
    start, end = week_seconds()
    body = b'{"opencheckindatatype":3,"starttime":%d,"endtime":%d,"useridlist":["nobody"]}' % (start, end)
    request = SandboxRequest("POST", "/cgi-bin/checkin/getcheckindata", {"access_token": token}, {}, body)
    codes = [sandbox.wecom.handle(request).body["errcode"] for _ in range(601)]
    assert codes[:600] == [0] * 600 and codes[600] == 45009
    clock.now += 61
    assert sandbox.wecom.handle(request).body["errcode"] == 0


def test_wecom_records_carry_unix_seconds_and_the_schedule(sandbox):
    start, end = week_seconds()
    body = {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": ["wx0003"]}
    data = checkins(sandbox, wecom_token(sandbox), body).json()["checkindata"]
    assert len(data) == 10
    first = data[0]
    monday_0855 = int(datetime(2026, 3, 2, 8, 55, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    monday_0900 = monday_0855 + 300
    assert (first["userid"], first["checkin_type"], first["exception_type"]) == ("wx0003", "上班打卡", "")
    assert (first["checkin_time"], first["sch_checkin_time"]) == (monday_0855, monday_0900)
    assert {"groupname", "location_title", "wifiname", "notes", "mediaids", "deviceid"} <= set(first)
    assert [d["checkin_type"] for d in data[:2]] == ["上班打卡", "下班打卡"]


# ---- Shopify ----------------------------------------------------------------------------------------------------


def shopify(sandbox: SandboxServer, query: str, variables: dict | None = None, token: str = CREDS.shopify_access_token):
    return requests.post(
        f"{sandbox.shopify_url}/admin/api/2025-10/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5,
    )


def test_shopify_requires_the_access_token_header(sandbox):
    response = shopify(sandbox, ORDERS_QUERY % 5, token="nope")
    assert response.status_code == 401 and "Invalid API key" in response.json()["errors"]


def test_shopify_pages_with_opaque_cursors_and_reports_query_cost(sandbox):
    seen, cursor, pages = [], None, 0
    while True:
        body = shopify(sandbox, ORDERS_QUERY % 4, {"c": cursor}).json()
        pages += 1
        assert set(body["data"]["orders"]["nodes"][0]) == {"id"}  # only what was selected
        seen += [n["id"] for n in body["data"]["orders"]["nodes"]]
        throttle = body["extensions"]["cost"]["throttleStatus"]
        assert {"maximumAvailable", "currentlyAvailable", "restoreRate"} <= set(throttle)
        info = body["data"]["orders"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        cursor = info["endCursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 9


def test_shopify_refuses_pages_over_250_and_unknown_fields(sandbox):
    too_big = shopify(sandbox, ORDERS_QUERY % 251).json()
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_PAGE_SIZE_EXCEEDED" and "data" not in too_big
    unknown = shopify(sandbox, "{ orders(first: 1) { nodes { id secretField } } }").json()
    assert "secretField" in unknown["errors"][0]["message"]
    not_orders = shopify(sandbox, "{ products(first: 1) { nodes { id } } }").json()
    assert "products" in not_orders["errors"][0]["message"]


def test_shopify_search_filters_on_updated_at(sandbox):
    query = "query($q: String) { orders(first: 50, query: $q) { nodes { updatedAt } } }"
    search = "updated_at:>='2026-03-02T00:00:00Z' AND updated_at:<'2026-03-03T00:00:00Z'"
    nodes = shopify(sandbox, query, {"q": search}).json()["data"]["orders"]["nodes"]
    assert [n["updatedAt"] for n in nodes] == ["2026-03-02T22:00:00Z"]
    bad = shopify(sandbox, query, {"q": "updated_at:>2026 OR status:any"}).json()
    assert "errors" in bad


# ---- GA4 --------------------------------------------------------------------------------------------------------


def ga4(sandbox: SandboxServer, body: dict, token: str = CREDS.ga4_access_token, prop: str = CREDS.ga4_property_id):
    return requests.post(
        f"{sandbox.ga4_url}/v1beta/properties/{prop}:runReport",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


PAGE_REPORT = {
    "dateRanges": [{"startDate": "2026-03-02", "endDate": "2026-03-08"}],
    "dimensions": [{"name": "date"}, {"name": "pagePath"}],
    "metrics": [{"name": "sessions"}, {"name": "userEngagementDuration"}],
    "limit": 5,
}


def test_ga4_pages_by_offset_with_row_count_and_string_values(sandbox):
    first = ga4(sandbox, {**PAGE_REPORT, "offset": 0}).json()
    assert first["rowCount"] == 21 and len(first["rows"]) == 5
    assert first["rows"][0] == {
        "dimensionValues": [{"value": "20260302"}, {"value": "/products/cap"}],
        "metricValues": [{"value": "12"}, {"value": "302"}],
    }
    assert first["metricHeaders"][1] == {"name": "userEngagementDuration", "type": "TYPE_SECONDS"}
    beyond = ga4(sandbox, {**PAGE_REPORT, "offset": "40"}).json()  # int64 may come as a string
    assert beyond["rowCount"] == 21 and "rows" not in beyond
    nothing = ga4(sandbox, {**PAGE_REPORT, "dateRanges": [{"startDate": "2025-01-01", "endDate": "2025-01-02"}]}).json()
    assert "rows" not in nothing and "rowCount" not in nothing  # proto3 JSON omits zero values


def test_ga4_aggregates_dimensions_not_asked_for(sandbox):
    body = {**PAGE_REPORT, "dimensions": [{"name": "date"}], "metrics": [{"name": "sessions"}], "limit": 100}
    monday = ga4(sandbox, body).json()["rows"][0]
    assert monday == {"dimensionValues": [{"value": "20260302"}], "metricValues": [{"value": str(10 + 11 + 12)}]}


def test_ga4_errors_use_googles_shape(sandbox):
    unauthenticated = ga4(sandbox, PAGE_REPORT, token="nope")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"
    assert ga4(sandbox, PAGE_REPORT, prop="1").json()["error"]["status"] == "PERMISSION_DENIED"
    unknown = ga4(sandbox, {**PAGE_REPORT, "dimensions": [{"name": "country"}]})
    assert unknown.status_code == 400 and "country is not a valid dimension" in unknown.json()["error"]["message"]
    incompatible = ga4(sandbox, {**PAGE_REPORT, "metrics": [{"name": "itemsViewedInPromotion"}]})
    assert incompatible.status_code == 400 and incompatible.json()["error"]["status"] == "INVALID_ARGUMENT"


# ---- Jira -------------------------------------------------------------------------------------------------------


def jira(sandbox: SandboxServer, body: dict, token: str = CREDS.jira_api_token) -> requests.Response:
    auth = base64.b64encode(f"{CREDS.jira_email}:{token}".encode()).decode()
    return requests.post(
        f"{sandbox.jira_url}/rest/api/3/search/jql", json=body, headers={"Authorization": f"Basic {auth}"}, timeout=5
    )


GOAL_JQL = 'project = GOAL AND cf[10207] >= "2026-03-02" AND cf[10207] < "2026-03-09" ORDER BY key ASC'


def test_jira_refuses_unbounded_jql_with_its_400_body(sandbox):
    for jql in ("ORDER BY key ASC", ""):
        response = jira(sandbox, {"jql": jql, "fields": ["summary"]})
        assert response.status_code == 400
        assert response.json() == {
            "errorMessages": [
                "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
            ],
            "errors": {},
        }


def test_jira_caps_max_results_and_pages_without_a_total(sandbox):
    first = jira(sandbox, {"jql": GOAL_JQL, "fields": ["summary"], "maxResults": 500}).json()
    assert len(first["issues"]) == 100 and first["isLast"] is False and "total" not in first
    second = jira(
        sandbox, {"jql": GOAL_JQL, "fields": ["summary"], "maxResults": 500, "nextPageToken": first["nextPageToken"]}
    ).json()
    assert len(second["issues"]) == 41 * 3 + 1 - 100 and second["isLast"] is True and "nextPageToken" not in second
    keys = [i["key"] for i in first["issues"] + second["issues"]]
    assert len(set(keys)) == len(keys) and keys == sorted(keys, key=lambda k: int(k.split("-")[1]))
    ids_only = jira(sandbox, {"jql": GOAL_JQL, "fields": ["id"], "maxResults": 500}).json()
    assert len(ids_only["issues"]) == 124 and ids_only["isLast"] is True


def test_jira_returns_only_the_requested_fields(sandbox):
    issue = jira(sandbox, {"jql": GOAL_JQL, "fields": ["assignee", "customfield_10203"], "maxResults": 1}).json()[
        "issues"
    ][0]
    assert set(issue) == {"id", "key", "self", "fields"} and set(issue["fields"]) == {"assignee", "customfield_10203"}
    assert issue["fields"]["assignee"]["accountId"].startswith("acc-")


def test_jira_next_page_token_belongs_to_its_query_and_auth_is_checked(sandbox):
    token = jira(sandbox, {"jql": GOAL_JQL, "maxResults": 1}).json()["nextPageToken"]
    other = jira(sandbox, {"jql": "project = GOAL ORDER BY key ASC", "nextPageToken": token})
    assert other.status_code == 400 and "next page token" in other.json()["errorMessages"][0]
    assert jira(sandbox, {"jql": GOAL_JQL}, token="wrong").status_code == 401
    assert jira(sandbox, {"jql": "project = GOAL OR project = X"}).status_code == 400


# ---- a generated sample, end to end -----------------------------------------------------------------------------


def test_every_connector_reads_a_generated_sample_cleanly():
    sample = pytest.importorskip("sandbox.sample")
    if not hasattr(sample, "generate_sample"):
        pytest.skip("sandbox.sample.generate_sample is not available yet")
    from connectors.ga4 import RAW_SCHEMAS as GA4_SCHEMAS
    from connectors.ga4 import Ga4Client, Ga4Config
    from connectors.http import Secret
    from connectors.jira import RAW_SCHEMAS as JIRA_SCHEMAS
    from connectors.jira import JiraClient, JiraConfig
    from connectors.quality import validate_rows
    from connectors.shopify import RAW_SCHEMAS as SHOPIFY_SCHEMAS
    from connectors.shopify import ShopifyClient, ShopifyConfig
    from connectors.wecom import RAW_SCHEMAS as WECOM_SCHEMAS
    from connectors.wecom import WeComClient, WeComConfig

    tables = sample.generate_sample(sample.SampleConfig(seed=7, employees=60, weeks=1, start_week=WEEK))
    employees = tables["employees"]
    userids = list(employees.loc[employees["attendance_source"] == "wecom", "wecom_userid"].dropna())
    with SandboxServer(tables) as server:
        frames = {
            **WeComClient(WeComConfig(server.wecom_url, CREDS.wecom_corpid, Secret(CREDS.wecom_corpsecret))).fetch_week(
                WEEK, "Asia/Shanghai", userids
            ),
            **ShopifyClient(ShopifyConfig(server.shopify_url, Secret(CREDS.shopify_access_token))).fetch_week(
                WEEK, "Asia/Shanghai"
            ),
            **Ga4Client(
                Ga4Config(CREDS.ga4_property_id, Secret(CREDS.ga4_access_token), base_url=server.ga4_url)
            ).fetch_week(WEEK, "Asia/Shanghai"),
            **JiraClient(JiraConfig(server.jira_url, CREDS.jira_email, Secret(CREDS.jira_api_token))).fetch_week(
                WEEK, "Asia/Shanghai"
            ),
        }
    schemas = {**WECOM_SCHEMAS, **SHOPIFY_SCHEMAS, **GA4_SCHEMAS, **JIRA_SCHEMAS}
    for table, frame in frames.items():
        validated = validate_rows(frame, schemas[table])
        assert validated.counts["rows_quarantined"] == 0, (table, validated.quarantine.head().to_dict("records"))
        assert len(frame) > 0, table
    created = pd.to_datetime(frames["shopify_orders"]["updated_at"], utc=True)
    assert created.min() >= datetime(2026, 3, 1, 16, tzinfo=UTC) and created.max() < datetime(
        2026, 3, 8, 16, tzinfo=UTC
    )


def test_run_sandbox_serves_a_sample_directory_until_sigterm(tmp_path):
    sample = pytest.importorskip("sandbox.sample")
    config = sample.SampleConfig(seed=3, employees=40, weeks=1, start_week=WEEK)
    sample_dir = sample.write_sample(sample.generate_sample(config), config, tmp_path / "sample")
    code = (
        "from pathlib import Path; from sandbox.server import run_sandbox; "
        f"run_sandbox(Path({str(sample_dir)!r}), port=0)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HRHUB_")}  # default credentials
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=environment)
    try:
        first_line = process.stdout.readline()
        base_url = first_line.rsplit(" at ", 1)[1].strip()
        params = {"corpid": CREDS.wecom_corpid, "corpsecret": CREDS.wecom_corpsecret}
        assert requests.get(f"{base_url}/wecom/cgi-bin/gettoken", params=params, timeout=5).json()["errcode"] == 0
        process.send_signal(signal.SIGTERM)
        remaining, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "stopped" in remaining
