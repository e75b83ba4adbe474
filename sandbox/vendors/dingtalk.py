"""DingTalk (钉钉) as the sandbox serves it: ``gettoken`` and ``attendance/listRecord`` (打卡详情).

Behaves like oapi.dingtalk.com where our connector can tell the difference: HTTP 200 for every business error with
``errcode``/``errmsg``; ``gettoken`` refuses a bad appkey/appsecret unwrapped (40096, missing ones 40035), while
token problems on data calls come wrapped as ``errcode 88`` with a string ``sub_code`` (40000 blank, 40014
unknown, 42001 expired); over ``calls_per_second`` listRecord calls in a rolling second give 90018; more than 50
userIds, a span over 7 days or unreadable dates are refused (errcode 400002 here; the real code for these is not
documented). ``checkDateFrom``/``checkDateTo`` are wall times in ``timezone`` and both ends are inclusive to the
second. Records are the sample's punches with ``source = dingtalk``: ``userCheckTime`` is the local wall time read
in the employee's own zone, in epoch milliseconds; ``baseCheckTime`` the rostered shift start/end (absent when no
roster row matches); ``timeResult`` Late/Early against it; machine punches (a ``device_sn``) are ``DING_ATM`` with
that ``deviceId``, app punches ``USER`` without one. Simplification: no synthetic NotSigned rows, no invalid records.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from sandbox.vendors.base import (
    InvalidJsonError,
    SandboxRequest,
    SandboxResponse,
    Tables,
    scheduled_time,
    table,
    unix_seconds,
)

ON_DUTY, OFF_DUTY = "OnDuty", "OffDuty"
MAX_USERS = 50
MAX_SPAN = timedelta(days=7)
CALLS_PER_SECOND = 40  # professional edition's per-app, per-API quota
VENDOR_TIMEZONE = "Asia/Shanghai"
CHECK_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
FIRST_RECORD_ID = 43_000_000_001
CORP_ID = "dingsandbox0000000000000000000000"

# errcode -> errmsg, answered as they are
ERRORS = {
    40035: "缺少参数 corpid or appkey",
    40096: "不合法的appKey或appSecret",
    90018: "当前企业调用该接口的频率超过每秒上限，请求被暂时限制了",
    400002: "参数错误",
}
# sub_code -> sub_msg, answered inside errcode 88 (鉴权异常)
AUTH_ERRORS = {
    "40000": "access_token is blank",
    "40014": "不合法的access_token",
    "42001": "access_token超时",
    "60011": "没有调用该接口的权限",  # not produced here; for tests that script it
}


def dingtalk_error(code: int, detail: str = "") -> SandboxResponse:
    message = f"{ERRORS[code]}: {detail}" if detail else ERRORS[code]
    return SandboxResponse(200, {"errcode": code, "errmsg": message, "request_id": secrets.token_hex(6)})


def dingtalk_auth_error(sub_code: str) -> SandboxResponse:
    sub_msg = AUTH_ERRORS.get(sub_code, "鉴权异常")
    return SandboxResponse(
        200,
        {
            "errcode": 88,
            "sub_code": sub_code,
            "sub_msg": sub_msg,
            "errmsg": f"ding talk error[subcode={sub_code},submsg={sub_msg}]",
            "request_id": secrets.token_hex(6),
        },
    )


class DingTalkApi:
    name = "dingtalk"

    def __init__(
        self,
        tables: Tables,
        appkey: str,
        appsecret: str,
        token_ttl_seconds: int = 7200,
        clock: Callable[[], float] = time.monotonic,
        calls_per_second: int = CALLS_PER_SECOND,
        timezone: str = VENDOR_TIMEZONE,
    ) -> None:
        self._appkey, self._appsecret, self._ttl, self._clock = appkey, appsecret, token_ttl_seconds, clock
        self.calls_per_second = calls_per_second  # tests lower it to provoke 90018
        self._zone = ZoneInfo(timezone)
        self._tokens: dict[str, float] = {}  # every token ever issued -> expiry (expired ones give 42001, not 40014)
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self._by_user = {userid: rows for userid, rows in build_records(tables).groupby("userId", sort=True)}

    @property
    def userids(self) -> list[str]:
        return list(self._by_user)

    def expire_tokens(self) -> None:
        """Test hook: every issued token is now expired (the next call gets errcode 88, sub_code 42001)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path == "/gettoken" and request.method == "GET":
            return self._gettoken(request)
        if request.path == "/attendance/listRecord" and request.method == "POST":
            return self._list_record(request)
        return SandboxResponse(404, {"errcode": 404, "errmsg": "请求的URI地址不存在"})

    def _gettoken(self, request: SandboxRequest) -> SandboxResponse:
        appkey, appsecret = request.query.get("appkey", ""), request.query.get("appsecret", "")
        if not appkey or not appsecret:
            return dingtalk_error(40035)
        if appkey != self._appkey or not secrets.compare_digest(appsecret, self._appsecret):
            return dingtalk_error(40096)
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = self._clock() + self._ttl
        return SandboxResponse(200, {"errcode": 0, "access_token": token, "errmsg": "ok", "expires_in": self._ttl})

    def _admit(self, token: str | None) -> SandboxResponse | None:
        """The token check and the per-second quota; None when the call may proceed."""
        if not token:
            return dingtalk_auth_error("40000")
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is None:
                return dingtalk_auth_error("40014")
            now = self._clock()
            if now >= expiry:
                return dingtalk_auth_error("42001")
            while self._calls and self._calls[0] <= now - 1.0:
                self._calls.popleft()
            if len(self._calls) >= self.calls_per_second:
                return dingtalk_error(90018)
            self._calls.append(now)
        return None

    def _list_record(self, request: SandboxRequest) -> SandboxResponse:
        refusal = self._admit(request.query.get("access_token"))
        if refusal is not None:
            return refusal
        try:
            body = request.json()
        except InvalidJsonError:
            return dingtalk_error(400002, "请求体不是合法的JSON")
        if not isinstance(body, dict):
            return dingtalk_error(400002, "请求体不是合法的JSON")
        users = body.get("userIds")
        if not isinstance(users, list) or not users or not all(isinstance(u, str) for u in users):
            return dingtalk_error(400002, "userIds不能为空")
        if len(users) > MAX_USERS:
            return dingtalk_error(400002, f"userIds最多不能超过{MAX_USERS}个")
        start, end = self._instant(body.get("checkDateFrom")), self._instant(body.get("checkDateTo"))
        if start is None or end is None:
            return dingtalk_error(400002, "checkDateFrom/checkDateTo格式应为yyyy-MM-dd HH:mm:ss")
        if end < start:
            return dingtalk_error(400002, "checkDateTo不能早于checkDateFrom")
        if end - start > MAX_SPAN:
            return dingtalk_error(400002, "起始与结束工作日最多相隔7天")
        if body.get("isI18n", False) not in (True, False, "true", "false"):
            return dingtalk_error(400002, "isI18n取值为true或false")
        first_ms = int(start.timestamp()) * 1000
        last_ms = int(end.timestamp()) * 1000 + 999  # the whole checkDateTo second
        return SandboxResponse(
            200, {"errcode": 0, "errmsg": "ok", "recordresult": self._records(users, first_ms, last_ms)}
        )

    def _instant(self, value: object) -> datetime | None:
        if not isinstance(value, str):
            return None
        try:
            return datetime.strptime(value, CHECK_DATE_FORMAT).replace(tzinfo=self._zone)
        except ValueError:
            return None

    def _records(self, users: list[str], first_ms: int, last_ms: int) -> list[dict[str, object]]:
        chosen = [self._by_user[u] for u in dict.fromkeys(users) if u in self._by_user]
        if not chosen:
            return []
        rows = pd.concat(chosen)
        rows = rows[rows["userCheckTime"].between(first_ms, last_ms)]
        rows = rows.sort_values(["userCheckTime", "userId"], kind="stable")
        return [_record(row) for row in rows.to_dict("records")]


def _record(row: dict[str, object]) -> dict[str, object]:
    """One ``recordresult`` item; absent fields are left out, as DingTalk does."""
    base = row["baseCheckTime"]
    record: dict[str, object] = {
        "id": int(row["id"]),
        "userId": row["userId"],
        "checkType": row["checkType"],
        "timeResult": row["timeResult"],
        "locationResult": "Normal",
        "sourceType": row["sourceType"],
        "userCheckTime": int(row["userCheckTime"]),
        "workDate": int(row["workDate"]),
        "isLegal": "Y" if row["timeResult"] == "Normal" else "N",
        "locationMethod": "MAP",
        "userAddress": row["userAddress"],
        "corpId": CORP_ID,
        "groupId": 1,
        "gmtCreate": int(row["userCheckTime"]),
        "gmtModified": int(row["userCheckTime"]),
    }
    if not pd.isna(base):
        record["baseCheckTime"] = record["planCheckTime"] = int(base)
    if isinstance(row["deviceId"], str) and row["deviceId"]:
        record["deviceId"] = row["deviceId"]
    return record


def build_records(tables: Tables) -> pd.DataFrame:
    """One row per DingTalk punch with the fields the API derives from it (empty before DingTalk joined the sample)."""
    columns = ["id", "userId", "checkType", "timeResult", "sourceType", "userCheckTime", "baseCheckTime"]
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in [*columns, "workDate", "deviceId", "userAddress"]})
    employees = table(tables, "employees", ["employee_id", "attendance_source", "timezone", "city"])
    if "dingtalk_userid" not in employees.columns:
        return empty
    punches = table(tables, "punches", ["employee_id", "source", "device_sn", "punch_time_local", "punch_state"])
    app_users = employees[(employees["attendance_source"] == "dingtalk") & employees["dingtalk_userid"].notna()]
    merged = punches[punches["source"] == "dingtalk"].merge(
        app_users[["employee_id", "dingtalk_userid", "timezone", "city"]], on="employee_id"
    )
    if merged.empty:
        return empty
    merged["local"] = pd.to_datetime(merged["punch_time_local"])
    merged = merged.sort_values(["local", "dingtalk_userid", "punch_state"], kind="stable").reset_index(drop=True)
    merged["is_in"] = merged["punch_state"].astype(int) == 0
    scheduled = scheduled_time(merged, tables)
    has_schedule = scheduled.notna()
    base_ms = pd.Series(pd.NA, index=merged.index, dtype="Int64")
    base_ms[has_schedule] = unix_seconds(scheduled[has_schedule], merged.loc[has_schedule, "timezone"]) * 1000
    late_in = has_schedule & merged["is_in"] & (merged["local"] > scheduled)
    early_out = has_schedule & ~merged["is_in"] & (merged["local"] < scheduled)
    device = merged["device_sn"].fillna("").astype(str)
    return pd.DataFrame(
        {
            "id": FIRST_RECORD_ID + np.arange(len(merged), dtype=np.int64),
            "userId": merged["dingtalk_userid"].astype(str),
            "checkType": merged["is_in"].map({True: ON_DUTY, False: OFF_DUTY}),
            "timeResult": late_in.map({True: "Late", False: "Normal"}).where(~early_out, "Early"),
            "sourceType": device.map(lambda sn: "DING_ATM" if sn else "USER"),
            "userCheckTime": unix_seconds(merged["local"], merged["timezone"]) * 1000,
            "baseCheckTime": base_ms,
            "workDate": unix_seconds(merged["local"].dt.normalize(), merged["timezone"]) * 1000,
            "deviceId": device,
            "userAddress": merged["city"].fillna("").astype(str),
        }
    )
