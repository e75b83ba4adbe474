"""WeCom (企业微信) check-ins for one week: ``gettoken`` + ``checkin/getcheckindata`` sliced by window x users.

The API has no paging: a call is one time window (at most 30 days) for at most 100 userids, so the week is cut
into windows and the caller's userids (from the identity crosswalk) into batches. Business errors arrive as HTTP
200 with ``errcode``: 42001 (token expired) refreshes the token once, 45009/-1/301022 are retried with backoff,
anything else (40014 invalid token, 40001 bad secret, 301023/301024 bad request) fails the run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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

SOURCE = "wecom"
TOKEN_PATH = "/cgi-bin/gettoken"
CHECKIN_PATH = "/cgi-bin/checkin/getcheckindata"
MAX_USERS_PER_CALL = 100
MAX_WINDOW_DAYS = 30
RETRY_ERRCODES = frozenset({-1, 45009, 45033, 301022})  # busy, rate limit, concurrency limit, fetch failed
REAUTH_ERRCODES = frozenset({42001})  # token expired
CHECKIN_DTYPES = {
    "userid": "str",
    "checkin_type": "str",
    "exception_type": "str",
    "checkin_time": "Int64",
    "sch_checkin_time": "Int64",
    "groupname": "str",
    "_source_ref": "str",
}


@dataclass(frozen=True)
class WeComConfig:
    base_url: str  # https://qyapi.weixin.qq.com (or the sandbox's /wecom)
    corpid: str
    corpsecret: Secret  # the self-built app's secret (it must be allowed to call 打卡)
    user_batch_size: int = MAX_USERS_PER_CALL
    window_days: int = 7
    checkin_data_type: int = 3  # 1 commute punches, 2 outside work, 3 all
    token_refresh_margin_seconds: float = 300.0
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        if not 1 <= self.user_batch_size <= MAX_USERS_PER_CALL:
            raise ValueError(f"user_batch_size must be in 1..{MAX_USERS_PER_CALL}, got {self.user_batch_size}")
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"window_days must be in 1..{MAX_WINDOW_DAYS}, got {self.window_days}")
        if self.checkin_data_type not in (1, 2, 3):
            raise ValueError(f"checkin_data_type must be 1, 2 or 3, got {self.checkin_data_type}")


def classify_wecom(response: requests.Response, body: JsonBody) -> Outcome:
    """HTTP problems as usual; on HTTP 200 the ``errcode`` decides."""
    outcome = classify_http_status(response, body)
    if outcome.verdict is not Verdict.OK:
        return outcome
    if not isinstance(body, dict) or "errcode" not in body:
        return Outcome(Verdict.FAIL, "no errcode", "response is not a WeCom JSON body")
    code, message = body["errcode"], str(body.get("errmsg", ""))
    if code == 0:
        return Outcome(Verdict.OK)
    if code in RETRY_ERRCODES:
        return Outcome(Verdict.RETRY, f"errcode {code}", message)
    if code in REAUTH_ERRCODES:
        return Outcome(Verdict.REAUTH, f"errcode {code}", message)
    return Outcome(Verdict.FAIL, f"errcode {code}", message)


class WeComClient:
    def __init__(
        self,
        config: WeComConfig,
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
            classify=classify_wecom,
            token_path=TOKEN_PATH,
            credentials=lambda: {"corpid": config.corpid, "corpsecret": config.corpsecret.reveal()},
            refresh_margin=config.token_refresh_margin_seconds,
            timeout=config.timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            session=session,
        )

    def fetch_week(
        self, week_start: date, tz: str, userids: Sequence[str], lookback_days: int = 0
    ) -> dict[str, pd.DataFrame]:
        """Check-ins of ``userids`` in the week ``[monday 00:00, next monday 00:00)`` local to ``tz``, starting
        ``lookback_days`` earlier."""
        users = list(dict.fromkeys(u for u in userids if u))
        start, end = week_window_utc(week_start, tz)
        start -= timedelta(days=lookback_days)  # re-read recent days: corrections and late uploads land there
        batches = list(batched(users, self.config.user_batch_size))
        records: list[dict[str, object]] = []
        for window_start, window_end in time_windows(start, end, timedelta(days=self.config.window_days)):
            # WeCom's endtime is inclusive and in whole seconds: stop one second before the next window.
            first, last = int(window_start.timestamp()), int(window_end.timestamp()) - 1
            for number, batch in enumerate(batches, start=1):
                body = self._http.request_json(
                    "POST",
                    CHECKIN_PATH,
                    json={
                        "opencheckindatatype": self.config.checkin_data_type,
                        "starttime": first,
                        "endtime": last,
                        "useridlist": batch,
                    },
                )
                ref = f"POST {CHECKIN_PATH} starttime={first} endtime={last} batch={number}/{len(batches)}"
                records.extend(_checkin_row(item, f"{ref}#{i}") for i, item in enumerate(_items(body, ref)))
        return {"wecom_checkins": records_frame(records, CHECKIN_DTYPES)}


def _items(body: JsonBody, ref: str) -> list[Any]:
    items = body.get("checkindata", [])
    if not isinstance(items, list):
        raise SourceError(SOURCE, ref, "bad response", "checkindata is not a list")
    return items


def _checkin_row(item: Any, ref: str) -> dict[str, object]:
    item = item if isinstance(item, dict) else {}
    return {
        "userid": item.get("userid"),
        "checkin_type": item.get("checkin_type"),
        "exception_type": item.get("exception_type"),
        "checkin_time": _whole_number(item.get("checkin_time")),
        "sch_checkin_time": _whole_number(item.get("sch_checkin_time")),
        "groupname": item.get("groupname"),
        "_source_ref": ref,
    }


def _whole_number(value: object) -> int | None:
    """Unix seconds as sent; anything else becomes missing so validation quarantines the row."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
