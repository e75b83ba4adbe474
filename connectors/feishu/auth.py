"""Feishu/Lark open platform access shared by every Feishu connector: ``tenant_access_token`` and error classes.

A self-built app trades ``app_id``/``app_secret`` for a ``tenant_access_token`` (at most 2 h) at
``POST /open-apis/auth/v3/tenant_access_token/internal``; with under 30 minutes left the same call hands out a new
token while the old one stays valid, so refreshing 30 minutes early never races a request in flight. Data calls
carry ``Authorization: Bearer <token>``.

Feishu says "no" in the body ``code`` whatever the HTTP status (400 for most business errors, 429 or an older 400
for throttling, 500 for its own faults), so the body decides first:

- ``99991400`` or HTTP 429: throttled; wait ``x-ogw-ratelimit-reset`` seconds (else ``Retry-After``), then retry.
- ``99991663``/``99991664``/``99991668``/``99991677``: the token is invalid or expired; refresh once, then retry
  (Feishu does not tell an expired token from a wrong one, so a second refusal fails the run).
- any other non-zero code on HTTP 5xx: retried with backoff (e.g. ``1225000`` internal error).
- any other non-zero code (``1220001`` bad parameter, ``1220004`` unknown user or no permission, ``10014`` bad
  app secret, ...): fails the run with the code and Feishu's message, never the secret or a token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.http import (
    CachedToken,
    Clock,
    HeaderTokenAuth,
    HttpClient,
    JsonBody,
    Outcome,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    Verdict,
    classify_http_status,
    retry_after_seconds,
)

FEISHU_BASE_URL = "https://open.feishu.cn"
LARK_BASE_URL = "https://open.larksuite.com"  # Lark (international) tenants
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
TOKEN_REFRESH_MARGIN_SECONDS = 30 * 60  # Feishu issues a fresh token once fewer than 30 minutes remain
RATE_LIMIT_CODE = 99991400
REAUTH_CODES = frozenset({99991663, 99991664, 99991668, 99991677})  # tenant/app/user token invalid, token expired


def ratelimit_reset_seconds(response: requests.Response) -> float | None:
    """How long Feishu asked us to wait: ``x-ogw-ratelimit-reset`` (seconds), else a standard ``Retry-After``."""
    value = response.headers.get("x-ogw-ratelimit-reset")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    return retry_after_seconds(response)


def classify_feishu(response: requests.Response, body: JsonBody) -> Outcome:
    """The body ``code`` first (Feishu sends it with 200, 400, 429 and 500 alike), then the HTTP status."""
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        if response.status_code == 429:
            return Outcome(Verdict.RETRY, "HTTP 429", "throttled", ratelimit_reset_seconds(response))
        outcome = classify_http_status(response, body)
        if outcome.verdict is Verdict.OK:
            return Outcome(Verdict.FAIL, "no code", "response is not a Feishu JSON body")
        return outcome
    message = str(body.get("msg", ""))
    if code == 0:
        return classify_http_status(response, body)
    if code == RATE_LIMIT_CODE or response.status_code == 429:
        return Outcome(Verdict.RETRY, f"code {code}", message, ratelimit_reset_seconds(response))
    if code in REAUTH_CODES:
        return Outcome(Verdict.REAUTH, f"code {code}", message)
    if response.status_code >= 500:
        return Outcome(Verdict.RETRY, f"code {code}", message, retry_after_seconds(response))
    return Outcome(Verdict.FAIL, f"code {code}", message)


@dataclass
class _AppSecretOnly:
    """No credentials on the token call itself (they are in the body), but its errors are redacted of the secret."""

    app_secret: Secret

    def apply(self, headers: dict[str, str], params: dict[str, str]) -> None:
        return None

    def refresh(self) -> bool:
        return False

    def secrets(self) -> list[str]:
        return [self.app_secret.reveal()]


@dataclass
class TenantBearerAuth(HeaderTokenAuth):
    """``Authorization: Bearer <tenant_access_token>``; redacts the app secret as well as every token seen."""

    app_secret: Secret | None = field(default=None)

    def secrets(self) -> list[str]:
        return [*super().secrets(), *([self.app_secret.reveal()] if self.app_secret else [])]


class TenantAccessToken:
    """Fetches ``(tenant_access_token, expire seconds)`` for a self-built app; plug it into ``CachedToken``."""

    def __init__(self, http: HttpClient, app_id: str, app_secret: Secret) -> None:
        self._http, self._app_id, self._app_secret = http, app_id, app_secret

    def __call__(self) -> tuple[str, float]:
        body = self._http.request_json(
            "POST", TOKEN_PATH, json={"app_id": self._app_id, "app_secret": self._app_secret.reveal()}
        )
        token, expire = body.get("tenant_access_token"), body.get("expire")
        if not isinstance(token, str) or not token or not isinstance(expire, int) or isinstance(expire, bool):
            raise SourceError(self._http.source, f"POST {TOKEN_PATH}", "bad token response", "no token/expire")
        return token, float(expire)


def tenant_http(
    *,
    base_url: str,
    app_id: str,
    app_secret: Secret,
    source: str,
    refresh_margin: float = TOKEN_REFRESH_MARGIN_SECONDS,
    timeout: tuple[float, float] = (5.0, 60.0),
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
) -> tuple[HttpClient, CachedToken]:
    """An ``HttpClient`` for Feishu data calls with a cached tenant token, and that token cache (for inspection)."""
    common: dict[str, Any] = {
        "base_url": base_url,
        "source": source,
        "classify": classify_feishu,
        "retry": retry or RetryPolicy(),
        "timeout": timeout,
        "sleep": sleep,
        "session": session or requests.Session(),
    }
    token_http = HttpClient(auth=_AppSecretOnly(app_secret), **common)
    tokens = CachedToken(TenantAccessToken(token_http, app_id, app_secret), clock, refresh_margin)
    return HttpClient(auth=TenantBearerAuth(tokens, app_secret=app_secret), **common), tokens
