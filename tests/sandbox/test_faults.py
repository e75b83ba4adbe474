"""The fault injector: seeded and reproducible, in each vendor's own shape, and connectors read through it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import requests

from connectors.ga4 import Ga4Client, Ga4Config
from connectors.http import Secret
from connectors.jira import JiraClient, JiraConfig
from connectors.shopify import ShopifyClient, ShopifyConfig
from connectors.wecom import WeComClient, WeComConfig
from sandbox.faults import KINDS, FaultConfig, FaultInjector, install_from_env
from sandbox.server import DropConnection, SandboxServer
from sandbox.vendors.base import SandboxRequest, SandboxResponse
from tests.connectors.conftest import FakeClock
from tests.connectors.tiny_company import TZ, WEEK, tiny_company

pytestmark = pytest.mark.trust("fault", "sandbox fault injector")

WECOM_USERS = [f"wx{n:04d}" for n in range(1, 9)]


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return tiny_company(len(WECOM_USERS))


@pytest.fixture
def sandbox(company: dict[str, pd.DataFrame]) -> Iterator[SandboxServer]:
    with SandboxServer(company) as server:
        yield server


def _echo(vendor: str, request: SandboxRequest) -> SandboxResponse:
    return SandboxResponse(200, {"errcode": 0, "vendor": vendor, "path": request.path})


def _outcomes(injector: FaultInjector, requests_: list[tuple[str, str]]) -> list[str]:
    """What the injector did to each (vendor, path) request: a kind, or "-" when the vendor answered."""
    seen = []
    for vendor, path in requests_:
        before = injector.summary()
        try:
            answer = injector(vendor, SandboxRequest("POST", path))
        except DropConnection:
            answer = None
        after = injector.summary()
        kind = next((k for k in KINDS if after[k] > before[k]), "-")
        assert (kind == "-") == (answer is None) or kind == "timeout"
        seen.append(kind)
    return seen


TRAFFIC = [("wecom", "/cgi-bin/checkin/getcheckindata"), ("dingtalk", "/attendance/listRecord")] * 300


def test_the_same_seed_fails_the_same_requests_the_same_way():
    config = FaultConfig(rate=0.3, seed=11, timeout_stall_seconds=0)
    first = _outcomes(FaultInjector(config, _echo), TRAFFIC)
    again = _outcomes(FaultInjector(config, _echo), TRAFFIC)
    other = _outcomes(FaultInjector(FaultConfig(rate=0.3, seed=12, timeout_stall_seconds=0), _echo), TRAFFIC)
    assert first == again
    assert first != other


def test_rate_and_mix_decide_how_many_faults_of_which_kind():
    injector = FaultInjector(FaultConfig(rate=0.2, seed=3, timeout_stall_seconds=0), _echo)
    outcomes = _outcomes(injector, TRAFFIC)
    faults = [o for o in outcomes if o != "-"]
    assert 0.15 < len(faults) / len(outcomes) < 0.25
    counts = injector.summary()
    assert counts["requests"] == len(TRAFFIC) and sum(counts[k] for k in KINDS) == len(faults)
    # Non-paged endpoints get every kind but duplicate pages, in equal shares (dealt round robin).
    shares = [counts[k] for k in KINDS if k != "duplicate_page"]
    assert min(shares) > 0 and max(shares) - min(shares) <= 1
    assert counts["duplicate_page"] == 0

    only_throttle = FaultInjector(FaultConfig(rate=1.0, mix={"throttle": 1.0}), _echo)
    assert set(_outcomes(only_throttle, TRAFFIC[:20])) == {"throttle"}
    assert _outcomes(FaultInjector(FaultConfig(rate=0.0), _echo), TRAFFIC[:50]) == ["-"] * 50


@pytest.mark.parametrize(
    ("vendor", "status", "expected"),
    [
        ("wecom", 200, {"errcode"}),
        ("dingtalk", 200, {"errcode"}),
        ("feishu", 200, {"code"}),
        ("shopify", 200, {"errors"}),
        ("ga4", 503, {"error"}),
        ("jira", 503, {"errorMessages"}),
    ],
)
def test_vendor_errors_come_in_each_vendors_own_shape(vendor, status, expected):
    injector = FaultInjector(FaultConfig(rate=1.0, mix={"vendor_error": 1.0}), _echo)
    answer = injector(vendor, SandboxRequest("POST", "/anything"))
    assert answer is not None and answer.status == status and set(answer.body) >= expected
    if vendor in ("wecom", "dingtalk"):
        assert answer.body["errcode"] in (-1, 45033, 90018)
    if vendor == "feishu":
        assert answer.body["code"] == 99991400 and answer.headers["x-ogw-ratelimit-reset"] == "0"
    if vendor == "shopify":
        assert answer.body["errors"][0]["extensions"]["code"] == "THROTTLED"


def test_faults_on_the_wire(sandbox):
    """Over real HTTP: 429 asks for a short wait, 5xx is not JSON, a timeout hangs up, truncated JSON is cut."""
    injector = FaultInjector(FaultConfig(rate=1.0, seed=1, mix={"throttle": 1.0}, max_retry_after=0.5))
    remove = injector.install(sandbox)
    url = f"{sandbox.jira_url}/rest/api/3/search/jql"
    throttled = requests.post(url, json={"jql": "project = GOAL"}, timeout=5)
    assert throttled.status_code == 429 and 0 <= float(throttled.headers["Retry-After"]) <= 0.5
    remove()

    remove = FaultInjector(FaultConfig(rate=1.0, mix={"server_error": 1.0})).install(sandbox)
    failed = requests.post(url, json={}, timeout=5)
    assert failed.status_code >= 500 and failed.headers["Content-Type"] == "text/html"
    remove()

    remove = FaultInjector(FaultConfig(rate=1.0, mix={"timeout": 1.0}, timeout_stall_seconds=0.01)).install(sandbox)
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={}, timeout=5)
    remove()

    FaultInjector(FaultConfig(rate=1.0, mix={"truncated_json": 1.0})).install(sandbox)
    params = {"corpid": sandbox.credentials.wecom_corpid, "corpsecret": sandbox.credentials.wecom_corpsecret}
    cut = requests.get(f"{sandbox.wecom_url}/cgi-bin/gettoken", params=params, timeout=5)
    assert cut.status_code == 200 and cut.content.startswith(b"{")
    with pytest.raises(ValueError):
        cut.json()


def test_a_duplicate_page_announces_a_cursor_that_serves_the_same_page_again(sandbox):
    FaultInjector(FaultConfig(rate=1.0, mix={"duplicate_page": 1.0})).install(sandbox)
    url = f"{sandbox.jira_url}/rest/api/3/search/jql"
    auth = (sandbox.credentials.jira_email, sandbox.credentials.jira_api_token)
    request = {"jql": 'project = "GOAL"', "fields": ["summary"], "maxResults": 100}
    first = requests.post(url, json=request, auth=auth, timeout=5).json()
    assert first["isLast"] is False and first["issues"]
    again = requests.post(url, json={**request, "nextPageToken": first["nextPageToken"]}, auth=auth, timeout=5).json()
    assert [i["id"] for i in again["issues"]] == [i["id"] for i in first["issues"]] and again.get("isLast", True)


# ---- connectors read the same rows through faults ------------------------------------------------------------------


def _read_everything(sandbox: SandboxServer) -> dict[str, pd.DataFrame]:
    sleep = FakeClock().sleep  # Retry-After and backoff waits are recorded, not slept
    creds = sandbox.credentials
    wecom = WeComClient(
        WeComConfig(sandbox.wecom_url, creds.wecom_corpid, Secret(creds.wecom_corpsecret), user_batch_size=3),
        sleep=sleep,
    )
    shopify = ShopifyClient(
        ShopifyConfig(sandbox.shopify_url, Secret(creds.shopify_access_token), page_size=2), sleep=sleep
    )
    ga4 = Ga4Client(
        Ga4Config(creds.ga4_property_id, Secret(creds.ga4_access_token), sandbox.ga4_url, page_size=4), sleep=sleep
    )
    jira = JiraClient(
        JiraConfig(sandbox.jira_url, creds.jira_email, Secret(creds.jira_api_token), page_size=5), sleep=sleep
    )
    return {
        **wecom.fetch_week(WEEK, TZ, WECOM_USERS),
        **shopify.fetch_week(WEEK, TZ),
        **ga4.fetch_week(WEEK, TZ),
        **jira.fetch_week(WEEK, TZ),
    }


def test_connectors_read_the_same_rows_through_faults_of_every_kind(sandbox):
    clean = _read_everything(sandbox)
    injector = FaultInjector(FaultConfig(rate=0.3, seed=5, timeout_stall_seconds=0.01))
    injector.install(sandbox)
    faulted = _read_everything(sandbox)
    counts = injector.summary()
    assert all(counts[kind] > 0 for kind in KINDS), counts
    assert clean.keys() == faulted.keys()
    for table, frame in clean.items():
        assert len(frame) > 0, table
        pd.testing.assert_frame_equal(faulted[table], frame, obj=table)


def test_configured_from_the_environment_and_reports_counts_as_json(sandbox, tmp_path: Path):
    assert install_from_env(sandbox, {}) is None
    report = tmp_path / "faults.json"
    env = {
        "HRHUB_SANDBOX_FAULT_RATE": "0.5",
        "HRHUB_SANDBOX_FAULT_SEED": "9",
        "HRHUB_SANDBOX_FAULT_MIX": "throttle=3,server_error",
        "HRHUB_SANDBOX_FAULT_REPORT": str(report),
    }
    injector = install_from_env(sandbox, env)
    assert injector is not None and injector.config.seed == 9
    assert injector.config.mix == {**dict.fromkeys(KINDS, 0.0), "throttle": 3.0, "server_error": 1.0}
    for _ in range(40):
        requests.get(f"{sandbox.ga4_url}/v1beta/anything", timeout=5)
    assert injector.write_summary() == report
    written = json.loads(report.read_text())
    assert written["rate"] == 0.5 and written["injected"] == injector.summary()
    assert written["injected"]["throttle"] > written["injected"]["server_error"] > 0
    with pytest.raises(ValueError, match="unknown fault kind"):
        install_from_env(sandbox, {"HRHUB_SANDBOX_FAULT_RATE": "0.1", "HRHUB_SANDBOX_FAULT_MIX": "gremlins=1"})
    with pytest.raises(ValueError, match=r"0\.\.1"):
        FaultConfig(rate=1.5)
