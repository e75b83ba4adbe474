"""The shared HTTP core over real HTTP: retries, Retry-After, re-auth, token caching, and no leaked secrets."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest
import requests

from connectors.http import (
    BasicAuth,
    CachedToken,
    HeaderTokenAuth,
    HttpClient,
    JsonBody,
    Outcome,
    QueryTokenAuth,
    RetryPolicy,
    Secret,
    SourceError,
    StaticToken,
    Verdict,
    batched,
    classify_http_status,
    query_token_clients,
    records_frame,
    redact,
    time_windows,
)
from sandbox.server import DropConnection, SandboxServer
from sandbox.vendors.base import SandboxResponse
from tests.connectors.conftest import FakeClock, Recorder


@pytest.fixture
def scripted() -> Recorder:
    return Recorder("script")


@pytest.fixture
def server(scripted: Recorder):
    with SandboxServer({}) as running:
        running.add_interceptor(scripted)
        yield running


def client(server: SandboxServer, clock: FakeClock, **overrides: object) -> HttpClient:
    return HttpClient(base_url=f"{server.base_url}/script", source="test", sleep=clock.sleep, **overrides)


def ok(body: JsonBody = None) -> SandboxResponse:
    return SandboxResponse(200, body if body is not None else {"ok": True})


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_retries_server_errors_with_exponential_backoff(server, scripted, clock):
    scripted.script = [SandboxResponse(503, {"e": 1}), SandboxResponse(502, {"e": 2}), ok({"n": 3})]
    assert client(server, clock).request_json("GET", "/thing") == {"n": 3}
    assert clock.sleeps == [1.0, 2.0]
    assert len(scripted.requests) == 3


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_429_waits_exactly_as_long_as_retry_after_says(server, scripted, clock):
    scripted.script = [SandboxResponse(429, {"e": "slow down"}, {"Retry-After": "7"}), ok()]
    client(server, clock).request_json("POST", "/thing", json={"a": 1})
    assert clock.sleeps == [7.0]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_retry_after_may_be_an_http_date(server, scripted, clock):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    scripted.script = [SandboxResponse(503, {}, {"Retry-After": when}), ok()]
    client(server, clock).request_json("GET", "/thing")
    assert 25 <= clock.sleeps[0] <= 30


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_gives_up_after_max_attempts_with_the_vendor_code(server, scripted, clock):
    scripted.script = [SandboxResponse(500, {"error": "boom"})] * 3
    with pytest.raises(SourceError) as raised:
        client(server, clock, retry=RetryPolicy(max_attempts=3)).request_json("GET", "/thing")
    assert raised.value.code == "HTTP 500"
    assert raised.value.attempts == 3
    assert "after 3 attempts" in str(raised.value) and "boom" in str(raised.value)
    assert clock.sleeps == [1.0, 2.0]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_a_wait_longer_than_max_wait_fails_instead_of_sleeping(server, scripted, clock):
    scripted.script = [SandboxResponse(429, {}, {"Retry-After": "3600"})]
    with pytest.raises(SourceError, match="asked to wait 3600s"):
        client(server, clock, retry=RetryPolicy(max_wait=60)).request_json("GET", "/thing")
    assert clock.sleeps == []


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_client_errors_fail_at_once(server, scripted, clock):
    scripted.script = [SandboxResponse(400, {"error": "bad request"})]
    with pytest.raises(SourceError, match=r"\[HTTP 400\]"):
        client(server, clock).request_json("GET", "/thing")
    assert clock.sleeps == [] and len(scripted.requests) == 1


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_body_classifier_decides_on_http_200(server, scripted, clock):
    def errcode(response: requests.Response, body: JsonBody) -> Outcome:
        code = body.get("errcode", 0)
        return Outcome(Verdict.OK) if code == 0 else Outcome(Verdict.RETRY, f"errcode {code}", body["errmsg"])

    scripted.script = [ok({"errcode": 45009, "errmsg": "api freq out of limit"}), ok({"errcode": 0, "v": 1})]
    assert client(server, clock, classify=errcode).request_json("GET", "/thing")["v"] == 1
    assert clock.sleeps == [1.0]


@dataclass
class CountingProvider:
    """Hands out ``token-1``, ``token-2``, ... and counts refreshes."""

    issued: int = 0
    current: str | None = None

    def token(self) -> str:
        if self.current is None:
            self.issued += 1
            self.current = f"token-{self.issued}"
        return self.current

    def invalidate(self) -> bool:
        self.current = None
        return True

    def known_values(self) -> list[str]:
        return [f"token-{n}" for n in range(1, self.issued + 1)]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_reauth_refreshes_the_token_once_then_retries(server, scripted, clock):
    provider = CountingProvider()
    scripted.script = [SandboxResponse(401, {"error": "expired"}), ok({"done": True})]
    http = client(server, clock, auth=HeaderTokenAuth(provider))
    assert http.request_json("GET", "/thing") == {"done": True}
    assert [r.header("Authorization") for r in scripted.requests] == ["Bearer token-1", "Bearer token-2"]
    assert clock.sleeps == []


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_reauth_happens_only_once(server, scripted, clock):
    provider = CountingProvider()
    scripted.script = [SandboxResponse(401, {"error": "expired"})] * 2
    with pytest.raises(SourceError, match="HTTP 401"):
        client(server, clock, auth=HeaderTokenAuth(provider)).request_json("GET", "/thing")
    assert provider.issued == 2


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_a_static_token_cannot_be_refreshed_so_401_fails(server, scripted, clock):
    scripted.script = [SandboxResponse(401, {"error": "no"})]
    with pytest.raises(SourceError):
        client(server, clock, auth=HeaderTokenAuth(StaticToken(Secret("static")))).request_json("GET", "/thing")
    assert len(scripted.requests) == 1


def test_cached_token_is_reused_and_refreshed_before_it_expires(clock):
    fetched: list[int] = []

    def fetch() -> tuple[str, float]:
        fetched.append(1)
        return f"t{len(fetched)}", 7200.0

    tokens = CachedToken(fetch, clock, refresh_margin=300)
    assert tokens.token() == "t1" and tokens.token() == "t1"
    clock.now += 7200 - 301
    assert tokens.token() == "t1"
    clock.now += 2  # now inside the margin: refresh before the vendor would reject it
    assert tokens.token() == "t2"
    assert tokens.invalidate() and tokens.token() == "t3"
    assert tokens.fetch_count == 3


@pytest.mark.trust("security", "connectors: HTTP client")
def test_secret_never_shows_in_repr_str_or_formatting():
    secret = Secret("s3cr3t-value")
    assert repr(secret) == "'***'" and str(secret) == "'***'" and "s3cr3t" not in f"{secret} {[secret]}"
    assert secret.reveal() == "s3cr3t-value"
    with pytest.raises(ValueError):
        Secret("")


@pytest.mark.trust("security", "connectors: HTTP client")
def test_error_text_is_scrubbed_of_tokens_the_vendor_echoes(server, scripted, clock):
    provider = CountingProvider()
    scripted.script = [SandboxResponse(400, {"error": "bad token token-1 in access_token=token-1"})]
    with pytest.raises(SourceError) as raised:
        client(server, clock, auth=QueryTokenAuth(provider)).request_json("GET", "/thing")
    assert "token-1" not in str(raised.value)
    assert scripted.requests[0].query["access_token"] == "token-1"  # it was sent, just never reported


@pytest.mark.trust("security", "connectors: HTTP client")
@pytest.mark.parametrize("auth_kind", ["basic", "bearer"])
def test_an_authorization_header_the_vendor_quotes_back_is_scrubbed(server, scripted, clock, auth_kind):
    """Basic auth is only base64 of ``email:token``: quoting the header back would hand out the token."""
    if auth_kind == "basic":
        auth = BasicAuth("bot@example.com", Secret("jira-token-123"))
    else:
        auth = HeaderTokenAuth(StaticToken(Secret("ya29.bearer-token-456")))
    headers: dict[str, str] = {}
    auth.apply(headers, {})
    scripted.script = [SandboxResponse(401, {"message": f"rejected Authorization: {headers['Authorization']}"})]
    with pytest.raises(SourceError) as raised:
        client(server, clock, auth=auth).request_json("GET", "/thing")
    text = str(raised.value)
    assert headers["Authorization"].split()[1] not in text and "token-" not in text
    assert "rejected Authorization" in text


@pytest.mark.trust("security", "connectors: HTTP client")
def test_a_token_endpoint_quoting_the_refused_secret_back_is_scrubbed(server, scripted, clock):
    """WeCom and DingTalk send the app secret as a query parameter of the token call; an error body may echo it."""
    scripted.script = [
        SandboxResponse(400, {"errmsg": "invalid credential {'corpid': 'ww1', 'corpsecret': 'the-app-secret'}"})
    ]
    http, _ = query_token_clients(
        base_url=f"{server.base_url}/script",
        source="wecom",
        classify=classify_http_status,
        token_path="/gettoken",
        credentials=lambda: {"corpid": "ww1", "corpsecret": Secret("the-app-secret").reveal()},
        refresh_margin=300,
        timeout=(5.0, 5.0),
        sleep=clock.sleep,
    )
    with pytest.raises(SourceError) as raised:
        http.request_json("GET", "/thing")
    assert "the-app-secret" not in str(raised.value) and "invalid credential" in str(raised.value)
    assert scripted.requests[0].query["corpsecret"] == "the-app-secret"  # sent, never reported


@pytest.mark.trust("security", "connectors: HTTP client")
@pytest.mark.parametrize(
    "echo",
    [
        "bad request to /gettoken?appkey=k&appsecret=s3cr3t-x",
        'body {"app_secret": "s3cr3t-x", "app_id": "cli_1"}',
        "params {'client_secret': 's3cr3t-x'}",
    ],
)
def test_credential_shaped_fields_are_scrubbed_even_when_the_value_is_unknown(echo):
    assert "s3cr3t-x" not in redact(echo)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_connection_errors_are_retried_and_never_echo_the_url(clock):
    http = HttpClient(
        base_url=f"http://127.0.0.1:{_free_port()}",
        source="test",
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=2),
        timeout=(0.5, 0.5),
    )
    with pytest.raises(SourceError) as raised:
        http.request_json("GET", "/cgi-bin/gettoken", params={"corpid": "c", "corpsecret": "super-secret"})
    assert raised.value.code == "ConnectionError" and raised.value.attempts == 2
    assert "super-secret" not in str(raised.value) and raised.value.__cause__ is None
    assert clock.sleeps == [1.0]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_a_success_whose_json_was_cut_short_is_retried(server, scripted, clock):
    whole = SandboxResponse(200, {"checkindata": [{"userid": "wx0001"}], "errcode": 0})
    scripted.script = [SandboxResponse(200, whole.encode()[:25]), whole]
    assert client(server, clock).request_json("POST", "/thing") == whole.body
    assert len(scripted.requests) == 2 and clock.sleeps == [1.0]


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_a_cut_short_body_that_never_heals_fails_naming_it(server, scripted, clock):
    scripted.script = [SandboxResponse(200, b'{"errcode": 0, "check')] * 2
    with pytest.raises(SourceError) as raised:
        client(server, clock, retry=RetryPolicy(max_attempts=2)).request_json("GET", "/thing")
    assert raised.value.code == "invalid JSON" and raised.value.attempts == 2


@pytest.mark.trust("fault", "connectors: HTTP client")
def test_a_dropped_connection_and_an_html_gateway_page_are_retried(server, clock):
    answers: list[str] = []

    def hang_up_then_gateway(vendor: str, request: object) -> SandboxResponse | None:
        answers.append(vendor)
        if len(answers) == 1:
            raise DropConnection("no answer")
        if len(answers) == 2:
            return SandboxResponse(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
        return ok({"n": 1})

    server.add_interceptor(hang_up_then_gateway)
    assert client(server, clock).request_json("GET", "/thing") == {"n": 1}
    assert len(answers) == 3 and clock.sleeps == [1.0, 2.0]


@pytest.mark.trust("security", "connectors: HTTP client")
def test_debug_logging_of_urls_hides_credentials(server, scripted, clock, caplog):
    scripted.script = [ok()]
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        client(server, clock).request_json("GET", "/cgi-bin/gettoken", params={"corpsecret": "super-secret"})
    assert "gettoken" in caplog.text and "super-secret" not in caplog.text


def test_json_numbers_are_decoded_as_exact_decimals(server, scripted, clock):
    scripted.script = [SandboxResponse(200, {"amount": Decimal("0.1"), "n": 3})]
    body = client(server, clock).request_json("GET", "/thing")
    assert body == {"amount": Decimal("0.1"), "n": 3} and isinstance(body["n"], int)


def test_default_classifier_reads_status_codes():
    def response(status: int) -> requests.Response:
        r = requests.Response()
        r.status_code = status
        return r

    assert classify_http_status(response(204), None).verdict is Verdict.OK
    assert classify_http_status(response(503), None).verdict is Verdict.RETRY
    assert classify_http_status(response(401), None).verdict is Verdict.REAUTH
    assert classify_http_status(response(404), None).verdict is Verdict.FAIL


def test_batches_and_windows_cover_everything_without_overlap():
    assert list(batched([str(i) for i in range(205)], 100)) == [
        [str(i) for i in range(100)],
        [str(i) for i in range(100, 200)],
        [str(i) for i in range(200, 205)],
    ]
    start = datetime(2026, 3, 1, 16, tzinfo=UTC)
    windows = list(time_windows(start, start + timedelta(days=7), timedelta(days=3)))
    assert [(b - a).days for a, b in windows] == [3, 3, 1]
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    with pytest.raises(ValueError):
        list(batched(["a"], 0))


def test_records_frame_has_the_same_columns_and_types_when_empty():
    dtypes = {"a": "str", "n": "Int64"}
    empty, full = records_frame([], dtypes), records_frame([{"n": 1, "a": "x"}], dtypes)
    assert list(empty.columns) == list(full.columns) == ["a", "n"]
    assert empty.dtypes.equals(full.dtypes)
