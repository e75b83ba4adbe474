"""DingTalk (钉钉) raw punches for one week: ``gettoken`` + ``attendance/listRecord`` sliced by window x users.

``listRecord`` (打卡详情) returns every punch, not one result per shift, and has no paging: a call is at most 50
userIds over at most 7 days, so the week is cut into windows and the caller's userIds (from the identity crosswalk)
into batches. ``checkDateFrom``/``checkDateTo`` are ``yyyy-MM-dd HH:mm:ss`` wall times that DingTalk reads in its
own zone (``vendor_timezone``, China time for a domestic corp), whatever the company's zone is; we treat
``checkDateTo`` as inclusive to the second and stop each window one second before the next one starts, so no punch
second is fetched twice or skipped (DingTalk punch times are whole seconds, sent as epoch milliseconds).

Every business error is HTTP 200 with ``errcode``. Auth problems on data calls come wrapped as ``errcode 88`` with
the real reason in a string ``sub_code`` (40014 invalid token, 60011 no permission); ``gettoken`` itself answers
unwrapped (40096/40089 bad appkey/appsecret). 40014/42001/40001 refresh the token once, -1 (busy) and the 9000x
rate-limit codes (90018 per app per API per second, 90002 platform-wide) are retried with backoff, anything else
fails the run. An IP ban (``{"punish": "deny"}``, minutes long) fails at once: backing off seconds cannot outlast it.
A client-side limiter keeps us under the per-second quota so throttling stays the exception.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import requests

from connectors.http import (
    Clock,
    JsonBody,
    Outcome,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    Verdict,
    batched,
    classify_http_status,
    query_token_clients,
    records_frame,
    time_windows,
)
from scoring.weeks import week_window_utc

SOURCE = "dingtalk"
TOKEN_PATH = "/gettoken"
LIST_RECORD_PATH = "/attendance/listRecord"
MAX_USERS_PER_CALL = 50
MAX_WINDOW_DAYS = 7
DEFAULT_CALLS_PER_SECOND = 20.0  # standard edition's per-app, per-API quota (professional: 40)
CHECK_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
AUTH_WRAPPER_ERRCODE = 88  # "鉴权异常": the reason is in sub_code
RETRY_CODES = frozenset({"-1", "90001", "90002", "90005", "90006", "90018", "90019"})  # busy, rate limits
REAUTH_CODES = frozenset({"40001", "40014", "42001"})  # token invalid / expired
PUNCH_DTYPES = {
    "record_id": "str",
    "user_id": "str",
    "check_type": "str",
    "source_type": "str",
    "time_result": "str",
    "location_result": "str",
    "user_check_time": "Int64",
    "base_check_time": "Int64",
    "is_legal": "str",
    "device_id": "str",
    "_source_ref": "str",
}


@dataclass(frozen=True)
class DingTalkConfig:
    base_url: str  # https://oapi.dingtalk.com (or the sandbox's /dingtalk)
    appkey: str
    appsecret: Secret  # the internal app's secret; the app needs 查询企业考勤数据 permission
    user_batch_size: int = MAX_USERS_PER_CALL
    window_days: int = MAX_WINDOW_DAYS
    max_calls_per_second: float = DEFAULT_CALLS_PER_SECOND
    vendor_timezone: str = "Asia/Shanghai"  # the zone DingTalk reads checkDateFrom/checkDateTo in
    is_i18n: bool = False  # True for corps on DingTalk's overseas platform
    token_refresh_margin_seconds: float = 300.0
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        if not 1 <= self.user_batch_size <= MAX_USERS_PER_CALL:
            raise ValueError(f"user_batch_size must be in 1..{MAX_USERS_PER_CALL}, got {self.user_batch_size}")
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"window_days must be in 1..{MAX_WINDOW_DAYS}, got {self.window_days}")
        if not self.max_calls_per_second > 0:
            raise ValueError(f"max_calls_per_second must be positive, got {self.max_calls_per_second}")
        try:
            ZoneInfo(self.vendor_timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"vendor_timezone {self.vendor_timezone!r} is not a known time zone") from error


def classify_dingtalk(response: requests.Response, body: JsonBody) -> Outcome:
    """HTTP problems as usual; on HTTP 200 the ``errcode`` (or, under 88, the ``sub_code``) decides."""
    outcome = classify_http_status(response, body)
    if outcome.verdict is not Verdict.OK:
        return outcome
    if isinstance(body, dict) and body.get("punish") == "deny":
        return Outcome(Verdict.FAIL, "ip throttled", "DingTalk blocks this IP for a few minutes (punish=deny)")
    if not isinstance(body, dict) or "errcode" not in body:
        return Outcome(Verdict.FAIL, "no errcode", "response is not a DingTalk JSON body")
    code = body["errcode"]
    if code == 0:
        return Outcome(Verdict.OK)
    label, reason, message = f"errcode {code}", str(code), str(body.get("errmsg", ""))
    if code == AUTH_WRAPPER_ERRCODE and body.get("sub_code") not in (None, ""):
        reason = str(body["sub_code"])
        label, message = f"errcode {code} sub_code {reason}", str(body.get("sub_msg") or message)
    if reason in RETRY_CODES:
        return Outcome(Verdict.RETRY, label, message)
    if reason in REAUTH_CODES:
        return Outcome(Verdict.REAUTH, label, message)
    return Outcome(Verdict.FAIL, label, message)


class PerSecondLimiter:
    """At most ``max_calls`` calls in any rolling second: waits (through ``sleep``) instead of being throttled."""

    def __init__(self, max_calls: float, clock: Clock, sleep: Sleep) -> None:
        self._max_calls, self._clock, self._sleep = max(1, int(max_calls)), clock, sleep
        self._calls: deque[float] = deque()

    def acquire(self) -> None:
        now = self._clock()
        self._forget_before(now - 1.0)
        if len(self._calls) >= self._max_calls:
            self._sleep(self._calls[0] + 1.0 - now)
            now = self._clock()
            self._forget_before(now - 1.0)
        self._calls.append(now)

    def _forget_before(self, cutoff: float) -> None:
        while self._calls and self._calls[0] <= cutoff:
            self._calls.popleft()


class DingTalkClient:
    def __init__(
        self,
        config: DingTalkConfig,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self._http, self.tokens = query_token_clients(
            base_url=config.base_url,
            source=SOURCE,
            classify=classify_dingtalk,
            token_path=TOKEN_PATH,
            credentials=lambda: {"appkey": config.appkey, "appsecret": config.appsecret.reveal()},
            refresh_margin=config.token_refresh_margin_seconds,
            timeout=config.timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            session=session,
        )
        self.limiter = PerSecondLimiter(config.max_calls_per_second, clock, sleep)

    def fetch_week(
        self, week_start: date, tz: str, userids: Sequence[str], lookback_days: int = 0
    ) -> dict[str, pd.DataFrame]:
        """Punches of ``userids`` in the week ``[monday 00:00, next monday 00:00)`` local to ``tz``, starting
        ``lookback_days`` earlier."""
        users = list(dict.fromkeys(u for u in userids if u))
        start, end = week_window_utc(week_start, tz)
        start -= timedelta(days=lookback_days)  # re-read recent days: corrections and late uploads land there
        batches = list(batched(users, self.config.user_batch_size))
        vendor_zone = ZoneInfo(self.config.vendor_timezone)
        records: list[dict[str, object]] = []
        for window_start, window_end in time_windows(start, end, timedelta(days=self.config.window_days)):
            first = _wall_time(window_start, vendor_zone)
            last = _wall_time(window_end - timedelta(seconds=1), vendor_zone)  # checkDateTo is inclusive
            for number, batch in enumerate(batches, start=1):
                self.limiter.acquire()
                body = self._http.request_json(
                    "POST",
                    LIST_RECORD_PATH,
                    json={"userIds": batch, "checkDateFrom": first, "checkDateTo": last, "isI18n": self.config.is_i18n},
                )
                ref = f"POST {LIST_RECORD_PATH} checkDateFrom={first} checkDateTo={last} batch={number}/{len(batches)}"
                records.extend(_punch_row(item, f"{ref}#{i}") for i, item in enumerate(_items(body, ref)))
        return {"dingtalk_punches": records_frame(records, PUNCH_DTYPES)}


def _wall_time(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime(CHECK_DATE_FORMAT)


def _items(body: JsonBody, ref: str) -> list[Any]:
    items = body.get("recordresult", [])
    if not isinstance(items, list):
        raise SourceError(SOURCE, ref, "bad response", "recordresult is not a list")
    return items


def _punch_row(item: Any, ref: str) -> dict[str, object]:
    item = item if isinstance(item, dict) else {}
    return {
        "record_id": _identifier(item.get("id")),
        "user_id": item.get("userId"),
        "check_type": item.get("checkType"),
        "source_type": item.get("sourceType"),
        "time_result": item.get("timeResult"),
        "location_result": item.get("locationResult"),
        "user_check_time": _whole_number(item.get("userCheckTime")),
        "base_check_time": _whole_number(item.get("baseCheckTime")),
        "is_legal": item.get("isLegal"),
        "device_id": item.get("deviceId"),
        "_source_ref": ref,
    }


def _identifier(value: object) -> str | None:
    """DingTalk's numeric ``id`` as text: a key, never arithmetic, and exact whatever reads it later."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) and value else None


def _whole_number(value: object) -> int | None:
    """Epoch milliseconds as sent; anything else becomes missing so validation quarantines the row."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
