"""WeCom (企业微信) as the sandbox serves it: ``gettoken`` and ``checkin/getcheckindata``.

Behaves like developer.work.weixin.qq.com/document/path/96497 where our connector can tell the difference:
HTTP 200 for every business error with ``errcode``/``errmsg``; the token rides in the query string and expires
(``expires_in``); windows over 30 days (301024) and user lists over 100 (301023) are refused; over 600 calls a
minute gives 45009. Records are the sample's app punches (``attendance_source = wecom``): ``checkin_time`` is the
local wall time read in the employee's time zone, ``sch_checkin_time`` the rostered shift start/end (0 when no
roster row matches), ``exception_type`` is ``时间异常`` for a late in / early out and ``""`` otherwise.
Simplification: no synthetic ``未打卡`` rows for missed punches, and no outside-work (type 2) punches.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

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

CHECK_IN, CHECK_OUT = "上班打卡", "下班打卡"
LATE_OR_EARLY = "时间异常"
MAX_USERS = 100
MAX_WINDOW_SECONDS = 30 * 86_400
CALLS_PER_MINUTE = 600

# errcode -> errmsg (WeCom global error codes)
ERRORS = {
    40001: "invalid credential, corpsecret is wrong",
    40013: "invalid corpid",
    40014: "invalid access_token",
    41001: "access_token missing",
    42001: "access_token expired",
    45009: "api freq out of limit",
    47001: "data format error",
    40058: "invalid parameter: opencheckindatatype",
    301023: "useridlist非法或超过限额；列表数量不能为0且不超过100",
    301024: "获取打卡记录时间间隔超限；开始时间和结束时间必须大于0，结束时间不早于开始时间，且跨度不超过30天",
}


def wecom_error(code: int) -> SandboxResponse:
    hint = f"{int(time.time())}_sandbox"
    message = f"{ERRORS[code]}, hint: [{hint}], more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
    return SandboxResponse(200, {"errcode": code, "errmsg": message})


class WeComApi:
    name = "wecom"

    def __init__(
        self,
        tables: Tables,
        corpid: str,
        corpsecret: str,
        token_ttl_seconds: int = 7200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._corpid, self._corpsecret, self._ttl, self._clock = corpid, corpsecret, token_ttl_seconds, clock
        self._tokens: dict[str, float] = {}  # every token ever issued -> expiry (expired ones give 42001, not 40014)
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self._by_user = {userid: rows for userid, rows in build_checkins(tables).groupby("userid", sort=True)}

    @property
    def userids(self) -> list[str]:
        return list(self._by_user)

    def expire_tokens(self) -> None:
        """Test hook: every issued token is now expired (the next call gets errcode 42001)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path == "/cgi-bin/gettoken" and request.method == "GET":
            return self._gettoken(request)
        if request.path == "/cgi-bin/checkin/getcheckindata" and request.method == "POST":
            return self._getcheckindata(request)
        return SandboxResponse(404, {"errcode": 404, "errmsg": f"no such api: {request.method} {request.path}"})

    def _gettoken(self, request: SandboxRequest) -> SandboxResponse:
        if request.query.get("corpid") != self._corpid:
            return wecom_error(40013)
        if not secrets.compare_digest(request.query.get("corpsecret", ""), self._corpsecret):
            return wecom_error(40001)
        token = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = self._clock() + self._ttl
        return SandboxResponse(200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self._ttl})

    def _token_error(self, token: str | None) -> int | None:
        if not token:
            return 41001
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is None:
                return 40014
            now = self._clock()
            if now >= expiry:
                return 42001
            while self._calls and self._calls[0] <= now - 60:
                self._calls.popleft()
            if len(self._calls) >= CALLS_PER_MINUTE:
                return 45009
            self._calls.append(now)
        return None

    def _getcheckindata(self, request: SandboxRequest) -> SandboxResponse:
        code = self._token_error(request.query.get("access_token"))
        if code is not None:
            return wecom_error(code)
        try:
            body = request.json()
        except InvalidJsonError:
            return wecom_error(47001)
        if not isinstance(body, dict):
            return wecom_error(47001)
        users = body.get("useridlist")
        if not isinstance(users, list) or not 0 < len(users) <= MAX_USERS:
            return wecom_error(301023)
        start, end = body.get("starttime"), body.get("endtime")
        if not (isinstance(start, int) and isinstance(end, int) and 0 < start <= end):
            return wecom_error(301024)
        if end - start > MAX_WINDOW_SECONDS:
            return wecom_error(301024)
        kind = body.get("opencheckindatatype")
        if kind not in (1, 2, 3):
            return wecom_error(40058)
        records = self._records(users, start, end) if kind in (1, 3) else []
        return SandboxResponse(200, {"errcode": 0, "errmsg": "ok", "checkindata": records})

    def _records(self, users: list[str], start: int, end: int) -> list[dict[str, object]]:
        chosen = [self._by_user[u] for u in dict.fromkeys(users) if u in self._by_user]
        if not chosen:
            return []
        rows = pd.concat(chosen)
        rows = rows[(rows["checkin_time"] >= start) & (rows["checkin_time"] <= end)]
        rows = rows.sort_values(["checkin_time", "userid"], kind="stable")
        return [
            {
                "userid": r.userid,
                "groupname": r.groupname,
                "checkin_type": r.checkin_type,
                "exception_type": r.exception_type,
                "checkin_time": int(r.checkin_time),
                "location_title": r.location_title,
                "location_detail": "",
                "wifiname": "",
                "wifimac": "",
                "notes": "",
                "mediaids": [],
                "lat": 0,
                "lng": 0,
                "deviceid": f"sandbox-{r.userid}",
                "sch_checkin_time": int(r.sch_checkin_time),
                "groupid": 1,
                "schedule_id": 0,
                "timeline_id": 1,
            }
            for r in rows.itertuples(index=False)
        ]


def build_checkins(tables: Tables) -> pd.DataFrame:
    """One row per WeCom app punch with the fields the API derives from it."""
    employees = table(
        tables, "employees", ["employee_id", "attendance_source", "wecom_userid", "timezone", "department", "city"]
    )
    punches = table(tables, "punches", ["employee_id", "source", "punch_time_local", "punch_state"])
    app_users = employees[(employees["attendance_source"] == "wecom") & employees["wecom_userid"].notna()]
    merged = punches[punches["source"] == "wecom"].merge(
        app_users[["employee_id", "wecom_userid", "timezone", "department", "city"]], on="employee_id"
    )
    columns = ["userid", "groupname", "checkin_type", "exception_type", "checkin_time", "sch_checkin_time"]
    if merged.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.endswith("time") else "str") for c in columns})
    merged = merged.reset_index(drop=True)
    merged["local"] = pd.to_datetime(merged["punch_time_local"])
    merged["is_in"] = merged["punch_state"].astype(int) == 0
    merged["checkin_time"] = unix_seconds(merged["local"], merged["timezone"])
    merged["sch_local"] = scheduled_time(merged, tables)
    has_schedule = merged["sch_local"].notna()
    merged["sch_checkin_time"] = 0
    merged.loc[has_schedule, "sch_checkin_time"] = unix_seconds(
        merged.loc[has_schedule, "sch_local"], merged.loc[has_schedule, "timezone"]
    )
    late_in = merged["is_in"] & (merged["local"] > merged["sch_local"])
    early_out = ~merged["is_in"] & (merged["local"] < merged["sch_local"])
    return pd.DataFrame(
        {
            "userid": merged["wecom_userid"].astype(str),
            "groupname": merged["department"].fillna("默认").astype(str) + "考勤组",
            "checkin_type": merged["is_in"].map({True: CHECK_IN, False: CHECK_OUT}),
            "exception_type": (has_schedule & (late_in | early_out)).map({True: LATE_OR_EARLY, False: ""}),
            "checkin_time": merged["checkin_time"].astype("int64"),
            "sch_checkin_time": merged["sch_checkin_time"].astype("int64"),
            "location_title": merged["city"].fillna("").astype(str),
        }
    )
