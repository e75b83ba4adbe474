"""Feishu (飞书) attendance as the sandbox serves it: tenant token, punches, 排班, shifts and approved leave.

Behaves like open.feishu.cn/document/server-docs/attendance-v1 where our connector can tell the difference:

- ``POST /open-apis/auth/v3/tenant_access_token/internal`` with ``{"app_id", "app_secret"}`` answers
  ``{"code":0,"tenant_access_token":"t-...","expire":<seconds left>}``; the same token comes back until fewer than
  30 minutes remain, then a new one (the old one stays valid until it expires).
- Data calls need ``Authorization: Bearer <token>``: none gives ``99991661``, an unknown or expired one ``99991663``
  (HTTP 400; Feishu cannot tell them apart either). Each endpoint allows 50 calls a second; the 51st gets HTTP 429,
  ``{"code":99991400}`` and ``x-ogw-ratelimit-reset`` (whole seconds until a slot frees).
- ``user_flows/query``, ``user_daily_shifts/query`` and ``user_approvals/query`` take ``employee_type=employee_id``
  (the sample's ``feishu_user_id``), at most 50 ``user_ids`` (more, or none: ``1220001``), and refuse user ids the
  tenant does not know with ``1220004`` (HTTP 400), as the docs describe. Date spans over 30 days give ``1220001``.
- Punches are the sample's ``source == "feishu"`` punches (local wall times read in the employee's zone) as
  ``user_flow_results`` with ``type`` 0 (self punch in the app); flows carry no in/out, as on Feishu.
- Every queried day gets a ``user_daily_shifts`` entry: the rostered shift's ``shift_id`` (``shift_id_for`` the
  sample's shift code), or ``"0"`` (rest) when the sample has no roster row. ``shifts/:id`` writes times the way
  Feishu does: ``9:00``, and ends after midnight past 24:00 (``NIGHT`` ends ``30:00``, ``EVENING`` ``24:00``); the
  break sits 4 h into the shift.
- Approved leave is one approval per ``leave_date`` in ``leaves`` (``unit`` 2 = hours, ``interval`` = the hours in
  seconds, start/end = that day's rostered shift or 09:00-18:00 local), names ``年假``/``病假``.

Simplifications: no ``invalid_user_ids``/``unauthorized_user_ids`` lists (unknown ids fail with 1220004 as the docs
say; tests script those lists), no outings, trips or overtime, ``employee_no`` is not served.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from sandbox.vendors.base import (
    InvalidJsonError,
    SandboxRequest,
    SandboxResponse,
    Tables,
    as_date,
    table,
    unix_seconds,
)

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
FLOWS_PATH = "/open-apis/attendance/v1/user_flows/query"
DAILY_SHIFTS_PATH = "/open-apis/attendance/v1/user_daily_shifts/query"
SHIFT_PATH_PREFIX = "/open-apis/attendance/v1/shifts/"
APPROVALS_PATH = "/open-apis/attendance/v1/user_approvals/query"
MAX_USERS = 50
MAX_SPAN_DAYS = 30
CALLS_PER_SECOND = 50
TOKEN_RENEW_WHEN_LEFT = 30 * 60
REST_SHIFT_ID = "0"
GROUP_ID = "7100000000000000001"
BREAK_AFTER_MINUTES = 4 * 60
DEFAULT_LEAVE_HOURS = ("09:00", "18:00")
STATUS_CODES = {"pending": 0, "rejected": 1, "approved": 2, "withdrawn": 3, "revoked": 4}
LEAVE_TYPES = {
    "annual": ("7000000000001", {"ch": "年假", "en": "Annual Leave", "ja": "年次有給休暇"}),
    "sick": ("7000000000002", {"ch": "病假", "en": "Sick Leave", "ja": "病気休暇"}),
}

# code -> (HTTP status, msg)
ERRORS = {
    10003: (400, "invalid param"),
    10014: (400, "app secret invalid"),
    99991400: (429, "request trigger frequency limit"),
    99991661: (400, "Missing access token for authorization. Please make a request with token attached."),
    99991663: (400, "Invalid access token for authorization. Please make a request with token attached."),
    1220001: (400, "param is invalid"),
    1220004: (400, "user_id is not exist or does not have permission"),
    1225000: (500, "internal server error"),
}


def feishu_error(code: int, detail: str = "", headers: dict[str, str] | None = None) -> SandboxResponse:
    status, message = ERRORS[code]
    body = {"code": code, "msg": f"{message}: {detail}" if detail else message, "error": {"log_id": _log_id()}}
    return SandboxResponse(status, body, headers or {})


def rate_limited(reset_seconds: int = 1) -> SandboxResponse:
    """What Feishu's gateway answers when a per-API quota is used up."""
    headers = {"x-ogw-ratelimit-limit": str(CALLS_PER_SECOND), "x-ogw-ratelimit-reset": str(reset_seconds)}
    return feishu_error(99991400, headers=headers)


def shift_id_for(shift_code: str) -> str:
    """The stable 19-digit Feishu ``shift_id`` the sandbox gives a sample shift code."""
    return _stable_id("shift", shift_code)


def _stable_id(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return str(7 * 10**18 + int(digest[:15], 16) % 10**18)


def _log_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(8).upper()


def _ok(data: dict[str, Any]) -> SandboxResponse:
    return SandboxResponse(200, {"code": 0, "msg": "success", "data": data})


class FeishuApi:
    name = "feishu"

    def __init__(
        self,
        tables: Tables,
        app_id: str,
        app_secret: str,
        token_ttl_seconds: int = 7200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app_id, self._app_secret, self._ttl, self._clock = app_id, app_secret, token_ttl_seconds, clock
        self._tokens: dict[str, float] = {}  # every token issued -> expiry
        self._current: str | None = None
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        data = build_attendance(tables)
        self._zones: dict[str, str] = data.zones
        self._flows = data.flows
        self._roster = data.roster
        self._leave = data.leave
        self._shifts = data.shifts

    @property
    def user_ids(self) -> list[str]:
        return sorted(self._zones)

    def expire_tokens(self) -> None:
        """Test hook: every issued token is now expired (the next data call gets code 99991663)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, float("-inf"))
            self._current = None

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        routes: dict[tuple[str, str], Callable[[SandboxRequest], SandboxResponse]] = {
            ("POST", FLOWS_PATH): self._user_flows,
            ("POST", DAILY_SHIFTS_PATH): self._user_daily_shifts,
            ("POST", APPROVALS_PATH): self._user_approvals,
        }
        route = routes.get((request.method, request.path))
        is_shift = request.method == "GET" and request.path.startswith(SHIFT_PATH_PREFIX)
        if route is None and not is_shift:
            return SandboxResponse(404, {"code": 404, "msg": f"404 page not found: {request.method} {request.path}"})
        refusal = self._refusal(request, SHIFT_PATH_PREFIX if is_shift else request.path)
        if refusal is not None:
            return refusal
        return self._shift(request.path.removeprefix(SHIFT_PATH_PREFIX)) if route is None else route(request)

    # ---- auth and rate limit ------------------------------------------------------------------------------------

    def _token(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = request.json()
        except InvalidJsonError:
            return feishu_error(10003, "body is not JSON")
        if not isinstance(body, dict) or body.get("app_id") != self._app_id:
            return feishu_error(10003, "app_id")
        if not secrets.compare_digest(str(body.get("app_secret", "")), self._app_secret):
            return feishu_error(10014)
        with self._lock:
            now = self._clock()
            if self._current is None or self._tokens[self._current] - now < TOKEN_RENEW_WHEN_LEFT:
                self._current = "t-" + secrets.token_hex(20)
                self._tokens[self._current] = now + self._ttl
            left = int(self._tokens[self._current] - now)
            token = self._current
        return SandboxResponse(200, {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": left})

    def token_refusal(self, request: SandboxRequest) -> SandboxResponse | None:
        """Feishu's answer to a missing, unknown or expired tenant token (None: the token is good). Other Feishu
        APIs of the same tenant (OKR) accept the tokens issued here."""
        header = request.header("Authorization") or ""
        if not header.startswith("Bearer ") or not header.removeprefix("Bearer ").strip():
            return feishu_error(99991661)
        with self._lock:
            expiry = self._tokens.get(header.removeprefix("Bearer ").strip())
            if expiry is None or self._clock() >= expiry:
                return feishu_error(99991663)
        return None

    def _refusal(self, request: SandboxRequest, api: str) -> SandboxResponse | None:
        refusal = self.token_refusal(request)
        if refusal is not None:
            return refusal
        with self._lock:
            now = self._clock()
            calls = self._calls[api]
            while calls and calls[0] <= now - 1:
                calls.popleft()
            if len(calls) >= CALLS_PER_SECOND:
                return rate_limited(max(1, math.ceil(calls[0] + 1 - now)))
            calls.append(now)
        return None

    # ---- endpoints ----------------------------------------------------------------------------------------------

    def _users_and_body(self, request: SandboxRequest) -> tuple[list[str], dict[str, Any]] | SandboxResponse:
        if request.query.get("employee_type") != "employee_id":
            return feishu_error(1220001, "employee_type invalid (the sandbox serves employee_id)")
        try:
            body = request.json()
        except InvalidJsonError:
            return feishu_error(1220001, "body is not JSON")
        if not isinstance(body, dict):
            return feishu_error(1220001, "body is not an object")
        users = body.get("user_ids")
        if not isinstance(users, list) or not 0 < len(users) <= MAX_USERS or not all(isinstance(u, str) for u in users):
            return feishu_error(1220001, f"user_ids must hold 1 to {MAX_USERS} ids")
        unknown = [u for u in users if u not in self._zones]
        if unknown:
            return feishu_error(1220004, ", ".join(unknown[:5]))
        return list(dict.fromkeys(users)), body

    def _user_flows(self, request: SandboxRequest) -> SandboxResponse:
        parsed = self._users_and_body(request)
        if isinstance(parsed, SandboxResponse):
            return parsed
        users, body = parsed
        start, end = body.get("check_time_from"), body.get("check_time_to")
        if not (isinstance(start, str) and isinstance(end, str) and start.isdigit() and end.isdigit()):
            return feishu_error(1220001, "check_time_from/check_time_to must be unix seconds as strings")
        if int(start) > int(end):
            return feishu_error(1220001, "check_time_from is after check_time_to")
        records = [
            flow for user in users for flow in self._flows.get(user, []) if int(start) <= flow["_at"] <= int(end)
        ]
        records.sort(key=lambda flow: (flow["_at"], flow["user_id"]))
        return _ok({"user_flow_results": [{k: v for k, v in flow.items() if k != "_at"} for flow in records]})

    def _user_daily_shifts(self, request: SandboxRequest) -> SandboxResponse:
        parsed = self._users_and_body(request)
        if isinstance(parsed, SandboxResponse):
            return parsed
        users, body = parsed
        days = _date_span(body)
        if isinstance(days, SandboxResponse):
            return days
        entries = []
        for user in users:
            for day in days:
                code = self._roster.get((user, day))
                entries.append(
                    {
                        "group_id": GROUP_ID,
                        "shift_id": shift_id_for(code) if code is not None else REST_SHIFT_ID,
                        "month": day.year * 100 + day.month,
                        "user_id": user,
                        "day_no": day.day,
                    }
                )
        return _ok({"user_daily_shifts": entries})

    def _shift(self, shift_id: str) -> SandboxResponse:
        shift = self._shifts.get(shift_id)
        if shift is None:
            return feishu_error(1220001, f"shift {shift_id} not found")
        return _ok(shift)

    def _user_approvals(self, request: SandboxRequest) -> SandboxResponse:
        parsed = self._users_and_body(request)
        if isinstance(parsed, SandboxResponse):
            return parsed
        users, body = parsed
        days = _date_span(body)
        if isinstance(days, SandboxResponse):
            return days
        status = body.get("status", STATUS_CODES["approved"])
        if status not in STATUS_CODES.values():
            return feishu_error(1220001, "status invalid")
        first, last = days[0], days[-1]
        answer = []
        for user in users:
            by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
            for leave in self._leave.get(user, []):
                if first <= leave["_day"] <= last and leave["_status"] == status:
                    by_day[leave["_day"]].append({k: v for k, v in leave.items() if not k.startswith("_")})
            for day in sorted(by_day):
                answer.append(
                    {
                        "user_id": user,
                        "date": day.strftime("%Y%m%d"),
                        "outs": [],
                        "leaves": by_day[day],
                        "overtime_works": [],
                        "trips": [],
                        "time_zone": self._zones[user],
                    }
                )
        return _ok({"user_approvals": answer})


def _date_span(body: dict[str, Any]) -> list[date] | SandboxResponse:
    """The days ``check_date_from..check_date_to`` (yyyyMMdd integers, inclusive, at most 30 days apart)."""
    start, end = _yyyymmdd(body.get("check_date_from")), _yyyymmdd(body.get("check_date_to"))
    if start is None or end is None:
        return feishu_error(1220001, "check_date_from/check_date_to must be yyyyMMdd integers")
    if not 0 <= (end - start).days <= MAX_SPAN_DAYS:
        return feishu_error(1220001, f"the date span must be 0 to {MAX_SPAN_DAYS} days")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _yyyymmdd(value: object) -> date | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    text = str(value)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])) if len(text) == 8 else None
    except ValueError:
        return None


# ---- the sample company as Feishu data ------------------------------------------------------------------------


class _Attendance:
    def __init__(self) -> None:
        self.zones: dict[str, str] = {}
        self.flows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.roster: dict[tuple[str, date], str] = {}
        self.leave: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.shifts: dict[str, dict[str, Any]] = {}


def build_attendance(tables: Tables) -> _Attendance:
    """The Feishu people's punches, roster, shifts and leave, indexed the way the endpoints read them."""
    out = _Attendance()
    people = feishu_people(tables)
    out.zones = dict(zip(people["feishu_user_id"], people["timezone"], strict=True))
    user_of = dict(zip(people["employee_id"], people["feishu_user_id"], strict=True))
    shifts = table(tables, "shifts", ["shift_code", "start_time", "end_time", "break_minutes"])
    spans = {str(s.shift_code): (str(s.start_time), str(s.end_time)) for s in shifts.itertuples(index=False)}
    out.shifts = {shift_id_for(str(s.shift_code)): _shift_payload(s) for s in shifts.itertuples(index=False)}

    roster = table(tables, "roster", ["employee_id", "work_date", "shift_code"])
    roster = roster[roster["employee_id"].isin(user_of)]
    for row in roster.itertuples(index=False):
        out.roster[(user_of[row.employee_id], as_date(row.work_date))] = str(row.shift_code)

    punches = table(tables, "punches", ["employee_id", "source", "punch_time_local", "punch_state"])
    punches = punches[(punches["source"] == "feishu") & punches["employee_id"].isin(user_of)]
    merged = punches.merge(people, on="employee_id")
    if not merged.empty:
        at = unix_seconds(pd.to_datetime(merged["punch_time_local"]), merged["timezone"])
        for row, when in zip(merged.itertuples(index=False), at.tolist(), strict=True):
            user = str(row.feishu_user_id)
            out.flows[user].append(
                {
                    "_at": when,
                    "user_id": user,
                    "creator_id": user,
                    "location_name": str(row.city),
                    "check_time": str(when),
                    "comment": "",
                    "record_id": _stable_id("flow", user, row.punch_time_local, row.punch_state, len(out.flows[user])),
                    "ssid": "",
                    "bssid": "",
                    "is_field": False,
                    "is_wifi": False,
                    "type": 0,
                    "photo_urls": [],
                    "device_id": f"sandbox-{user}",
                    "check_result": "",
                    "external_id": "",
                    "idempotent_id": "",
                }
            )

    leave = table(tables, "leave", ["employee_id", "leave_date", "hours", "leave_type", "status"])
    for row in leave[leave["employee_id"].isin(user_of)].itertuples(index=False):
        user, day = user_of[row.employee_id], as_date(row.leave_date)
        on, off = spans.get(out.roster.get((user, day), ""), DEFAULT_LEAVE_HOURS)
        start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=_minutes(on))
        end = datetime.combine(day, datetime.min.time()) + timedelta(minutes=_minutes(off))
        end += timedelta(days=1) if end <= start else timedelta(0)
        uniq_id, names = LEAVE_TYPES.get(str(row.leave_type), ("7000000000009", {"ch": str(row.leave_type)}))
        applied = datetime.combine(day - timedelta(days=3), datetime.min.time()) + timedelta(hours=10)
        out.leave[user].append(
            {
                "_day": day,
                "_status": STATUS_CODES.get(str(row.status), -1),
                "approval_id": _stable_id("leave", user, day),
                "uniq_id": uniq_id,
                "unit": 2,
                "interval": int(Decimal(str(row.hours)) * 3600),
                "start_time": start.strftime("%Y-%m-%d %H:%M:%S"),
                "end_time": end.strftime("%Y-%m-%d %H:%M:%S"),
                "i18n_names": names,
                "default_locale": "ch",
                "reason": "",
                "approve_pass_time": (applied + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"),
                "approve_apply_time": applied.strftime("%Y-%m-%d %H:%M:%S"),
                "idempotent_id": "",
            }
        )
    return out


def feishu_people(tables: Tables) -> pd.DataFrame:
    """Employees whose attendance is managed in Feishu (none when the sample has no ``feishu_user_id`` column)."""
    employees = table(tables, "employees", ["employee_id", "attendance_source", "timezone", "city"])
    columns = ["employee_id", "feishu_user_id", "timezone", "city"]
    if "feishu_user_id" not in employees.columns:
        return pd.DataFrame({column: pd.Series(dtype="str") for column in columns})
    chosen = employees[(employees["attendance_source"] == "feishu") & employees["feishu_user_id"].notna()]
    return chosen[columns].astype("str").reset_index(drop=True)


def _shift_payload(shift: Any) -> dict[str, Any]:
    """A sample shift as ``shifts/:id`` describes it (Feishu writes 9:00, and 30:00 for 06:00 the next day)."""
    start, end = _minutes(str(shift.start_time)), _minutes(str(shift.end_time))
    end += 24 * 60 if end <= start else 0
    rest = int(shift.break_minutes)
    rest_begin = start + min(BREAK_AFTER_MINUTES, max(0, (end - start - rest) // 2))
    return {
        "shift_id": shift_id_for(str(shift.shift_code)),
        "shift_name": str(shift.shift_code),
        "punch_times": 1,
        "is_flexible": False,
        "flexible_minutes": 0,
        "flexible_rule": [],
        "no_need_off": False,
        "punch_time_rule": [
            {
                "on_time": _feishu_clock(start),
                "off_time": _feishu_clock(end),
                "late_minutes_as_late": 1,
                "late_minutes_as_lack": 120,
                "on_advance_minutes": 120,
                "early_minutes_as_early": 1,
                "early_minutes_as_lack": 120,
                "off_delay_minutes": 240,
                "late_minutes_as_serious_late": 30,
                "no_need_on": True,  # the shift/get doc: true here means the punch IS required
                "no_need_off": True,
            }
        ],
        "late_off_late_on_rule": [],
        "rest_time_rule": (
            [{"rest_begin_time": _feishu_clock(rest_begin), "rest_end_time": _feishu_clock(rest_begin + rest)}]
            if rest
            else []
        ),
        "day_type": 1,
        "id": shift_id_for(str(shift.shift_code)),
    }


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _feishu_clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"
