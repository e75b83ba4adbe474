"""The shared HTTP core every API connector is built on.

Vendors disagree on how they say "no": WeCom answers HTTP 200 with ``errcode`` != 0, Shopify answers 200 with a
``THROTTLED`` error, GA4 and Jira use status codes. So each source plugs a *classifier* into one retry loop that
decides OK / RETRY / REAUTH / FAIL from the status **and** the body, waits as the vendor asks (``Retry-After``)
through an injectable ``sleep``, refreshes credentials once when the vendor says they expired, and raises a
``SourceError`` whose text names the vendor's code but never a secret or token.
"""

from __future__ import annotations

import base64
import enum
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import pandas as pd
import requests

from connectors.secret import Secret

JsonBody = Any
Sleep = Callable[[float], None]
Clock = Callable[[], float]

# Query parameters that carry credentials on some vendors (WeCom puts both the secret and the token in the URL).
_SENSITIVE_NAMES = r"access_token|corpsecret|appsecret|app_secret|client_secret|api_token|secret|token|key|password"
_SENSITIVE_QUERY = re.compile(rf"(?<![\w-])((?:{_SENSITIVE_NAMES})=)[^&\s\"']+", re.IGNORECASE)
# The same names as keys of a quoted mapping: a vendor's error body quoting the request's parameters or JSON back.
_SENSITIVE_QUOTED = re.compile(rf"""((['"])(?:{_SENSITIVE_NAMES})\2\s*:\s*(['"]))[^'"]*""", re.IGNORECASE)


# An ``Authorization`` value quoted back by a vendor's error page (Basic carries email:token, merely base64'd).
_SENSITIVE_AUTH_VALUE = re.compile(r"\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove known secret values, credential-looking query parameters and auth header values from ``text``."""
    for value in secrets:
        if value:
            text = text.replace(value, "***")
    text = _SENSITIVE_AUTH_VALUE.sub(r"\1 ***", text)
    text = _SENSITIVE_QUOTED.sub(r"\1***", text)
    return _SENSITIVE_QUERY.sub(r"\1***", text)


class _RedactingFilter(logging.Filter):
    """urllib3 logs full request URLs at DEBUG; WeCom URLs carry ``corpsecret``/``access_token``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactingFilter())


class SourceError(RuntimeError):
    """A source call failed for good. Carries the vendor's code and message, already free of secrets."""

    def __init__(self, source: str, endpoint: str, code: str | None, message: str, attempts: int = 1) -> None:
        self.source, self.endpoint, self.code, self.message, self.attempts = source, endpoint, code, message, attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{source} {endpoint} failed{tries}: [{code}] {message}")


class Verdict(enum.Enum):
    OK = "ok"
    RETRY = "retry"  # transient: wait and send the same request again
    REAUTH = "reauth"  # credentials expired: refresh them once, then retry
    FAIL = "fail"  # retrying cannot help (bad request, bad credentials)


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    code: str | None = None
    message: str = ""
    retry_after: float | None = None  # seconds the vendor asked us to wait


Classifier = Callable[[requests.Response, JsonBody], Outcome]


def retry_after_seconds(response: requests.Response, now: Callable[[], datetime] = datetime.now) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date (RFC 9110)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now(when.tzinfo)).total_seconds())


def classify_http_status(response: requests.Response, body: JsonBody) -> Outcome:
    """The default: 2xx OK, 429/5xx retry (honouring ``Retry-After``), 401 re-auth, other 4xx fail."""
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(Verdict.OK)
    message = _short_text(body if body is not None else response.text)
    if status == 429 or status >= 500:
        return Outcome(Verdict.RETRY, f"HTTP {status}", message, retry_after_seconds(response))
    if status == 401:
        return Outcome(Verdict.REAUTH, "HTTP 401", message)
    return Outcome(Verdict.FAIL, f"HTTP {status}", message)


def _short_text(value: object, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


class TokenProvider(Protocol):
    def token(self) -> str: ...
    def invalidate(self) -> bool:
        """Forget the current token; True when a fresh one can be obtained (a static token cannot)."""
        ...

    def known_values(self) -> list[str]: ...


class StaticToken:
    """A long-lived token handed in by configuration (Shopify, Jira, a pre-minted GA4 bearer)."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def token(self) -> str:
        return self._secret.reveal()

    def invalidate(self) -> bool:
        return False

    def known_values(self) -> list[str]:
        return [self._secret.reveal()]


class CachedToken:
    """A token fetched on demand and reused until ``refresh_margin`` seconds before it expires.

    ``fetch`` returns ``(token, expires_in_seconds)``. Refreshing early avoids a request failing mid-flight; a
    token the vendor still rejects as expired is dropped through ``invalidate`` (the HTTP client does that once).
    """

    def __init__(
        self, fetch: Callable[[], tuple[str, float]], clock: Clock = time.monotonic, refresh_margin: float = 300.0
    ) -> None:
        self._fetch, self._clock, self._margin = fetch, clock, refresh_margin
        self._value: str | None = None
        self._expires_at = 0.0
        self._seen: list[str] = []
        self.fetch_count = 0

    def token(self) -> str:
        if self._value is None or self._clock() >= self._expires_at - self._margin:
            value, expires_in = self._fetch()
            self.fetch_count += 1
            self._value, self._expires_at = value, self._clock() + expires_in
            self._seen = [*self._seen[-4:], value]
        return self._value

    def invalidate(self) -> bool:
        self._value = None
        return True

    def known_values(self) -> list[str]:
        return list(self._seen)


class Auth(Protocol):
    """How credentials ride on a request. ``refresh`` drops cached credentials; False when that cannot help."""

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None: ...
    def refresh(self) -> bool: ...
    def secrets(self) -> list[str]: ...


class NoAuth:
    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        return None

    def refresh(self) -> bool:
        return False

    def secrets(self) -> list[str]:
        return []


@dataclass
class SentCredentials:
    """Adds nothing to a request (the caller sends the credentials as its parameters) but names them for
    redaction: a token endpoint refusing them may quote them back in its error."""

    values: Callable[[], Iterable[str]]

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        return None

    def refresh(self) -> bool:
        return False

    def secrets(self) -> list[str]:
        return [value for value in self.values() if value]


@dataclass
class QueryTokenAuth:
    """Token as a query parameter (WeCom ``?access_token=``)."""

    provider: TokenProvider
    param: str = "access_token"

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        params[self.param] = self.provider.token()

    def refresh(self) -> bool:
        return self.provider.invalidate()

    def secrets(self) -> list[str]:
        return self.provider.known_values()


def query_token_clients(
    *,
    base_url: str,
    source: str,
    classify: Classifier,
    token_path: str,
    credentials: Callable[[], dict[str, str]],
    refresh_margin: float,
    timeout: tuple[float, float],
    retry: RetryPolicy | None = None,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    session: requests.Session | None = None,
) -> tuple[HttpClient, CachedToken]:
    """An HTTP client for vendors that issue a token from ``GET token_path?<credentials>`` answering
    ``{"access_token", "expires_in"}`` and take it as ``?access_token=`` (WeCom, DingTalk), plus its token cache.

    ``credentials`` is called for each token fetch, so a secret is revealed only for that request.
    """
    common: dict[str, Any] = {
        "base_url": base_url,
        "source": source,
        "classify": classify,
        "retry": retry or RetryPolicy(),
        "timeout": timeout,
        "sleep": sleep,
        "session": session or requests.Session(),
    }
    token_http = HttpClient(auth=SentCredentials(lambda: credentials().values()), **common)

    def fetch() -> tuple[str, float]:
        body = token_http.request_json("GET", token_path, params=credentials())
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise SourceError(source, f"GET {token_path}", "bad token response", "no access_token/expires_in")
        return token, float(expires_in)

    tokens = CachedToken(fetch, clock, refresh_margin)
    return HttpClient(auth=QueryTokenAuth(tokens), **common), tokens


@dataclass
class HeaderTokenAuth:
    """Token in a header: ``Authorization: Bearer <t>`` (GA4) or a vendor header (``X-Shopify-Access-Token``)."""

    provider: TokenProvider
    header: str = "Authorization"
    scheme: str = "Bearer"

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        token = self.provider.token()
        headers[self.header] = f"{self.scheme} {token}" if self.scheme else token

    def refresh(self) -> bool:
        return self.provider.invalidate()

    def secrets(self) -> list[str]:
        return self.provider.known_values()


@dataclass
class BasicAuth:
    """HTTP Basic (Jira Cloud: account email + API token)."""

    username: str
    password: Secret

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        headers["Authorization"] = "Basic " + self._encoded()

    def refresh(self) -> bool:
        return False

    def secrets(self) -> list[str]:
        """The token and the header value carrying it: base64 hides nothing, a vendor may quote either back."""
        return [self.password.reveal(), self._encoded()]

    def _encoded(self) -> str:
        return base64.b64encode(f"{self.username}:{self.password.reveal()}".encode()).decode("ascii")


@dataclass(frozen=True)
class RetryPolicy:
    # 8: under a 20% transient fault rate a call still fails for good only once in ~400,000 (0.2**8), where 5 tries
    # failed one call in ~3,000, so a weekly run of a few thousand calls would often die of bad luck.
    max_attempts: int = 8
    backoff_base: float = 1.0  # first wait; doubles per attempt
    backoff_cap: float = 60.0
    max_wait: float = 300.0  # a vendor asking for longer than this is treated as a failure
    max_reauth: int = 1

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))


@dataclass
class HttpClient:
    """One source's HTTP access: base URL, auth, timeouts, and the retry loop driven by ``classify``."""

    base_url: str
    source: str
    auth: Auth = field(default_factory=NoAuth)
    classify: Classifier = classify_http_status
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: tuple[float, float] = (5.0, 60.0)  # (connect, read) seconds
    sleep: Sleep = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: JsonBody = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonBody:
        """Send until the classifier says OK and return the decoded body (floats as ``Decimal``)."""
        endpoint = f"{method.upper()} {path}"
        attempt, reauths = 0, 0
        while True:
            attempt += 1
            outcome, body = self._send_once(method, path, params, json, headers)
            if outcome.verdict is Verdict.OK:
                return body
            if outcome.verdict is Verdict.REAUTH and reauths < self.retry.max_reauth and self.auth.refresh():
                reauths += 1
                continue
            if outcome.verdict is Verdict.RETRY and attempt < self.retry.max_attempts:
                wait = outcome.retry_after if outcome.retry_after is not None else self.retry.backoff(attempt)
                if wait <= self.retry.max_wait:
                    self.sleep(wait)
                    continue
                outcome = Outcome(outcome.verdict, outcome.code, f"{outcome.message} (asked to wait {wait:.0f}s)")
            raise SourceError(self.source, endpoint, outcome.code, self._redact(outcome.message), attempt)

    def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json: JsonBody,
        headers: Mapping[str, str] | None,
    ) -> tuple[Outcome, JsonBody]:
        request_headers, request_params = dict(headers or {}), dict(params or {})
        self.auth.apply(request_headers, request_params)
        try:
            response = self.session.request(
                method,
                self.base_url.rstrip("/") + path,
                params=request_params,
                json=json,
                headers=request_headers,
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            # The exception text contains the full URL (with WeCom's secret): keep only its type.
            return Outcome(Verdict.RETRY, type(error).__name__, "no response from the server"), None
        body = _decode(response)
        if body is None and response.content and 200 <= response.status_code < 300:
            # A success whose body is not JSON was cut short (or mangled) on the way: ask again.
            message = f"HTTP {response.status_code} body is not complete JSON"
            return Outcome(Verdict.RETRY, "invalid JSON", message), None
        return self.classify(response, body), body

    def _redact(self, text: str) -> str:
        return redact(text, self.auth.secrets())


def _decode(response: requests.Response) -> JsonBody:
    """JSON with floats kept exact (``Decimal``): money and targets must not pass through binary floats."""
    if not response.content:
        return None
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        return None


# ---- slicing: windows x id batches are how sources without paging are split into units of work --------------


def batched(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """Consecutive batches of at most ``size`` items (WeCom: 100 userids per call)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def time_windows(start: datetime, end: datetime, max_span: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """Split ``[start, end)`` into consecutive windows no longer than ``max_span``."""
    cursor = start
    while cursor < end:
        upper = min(end, cursor + max_span)
        yield cursor, upper
        cursor = upper


def records_frame(records: Sequence[Mapping[str, object]], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Rows as a frame with exactly ``dtypes``' columns, in order, typed the same whether empty or not."""
    frame = pd.DataFrame.from_records(list(records), columns=list(dtypes))
    return frame.astype(dict(dtypes))
