"""Feishu (飞书) attendance for one week: raw punches, the shift roster (排班) and approved leave.

Feishu is hrhub's "roster and approved leave from an API" source: people whose attendance is managed in Feishu have
their 排班 and leave only there. Four endpoints, all ``employee_type=employee_id``, none with paging, each taking at
most 50 ``user_ids``, so the week is cut into windows (local calendar days, at most 30) and the caller's user ids
(from the identity crosswalk) into batches of 50:

- ``user_flows/query``: every valid punch, ``check_time_from``/``check_time_to`` as unix-second strings (we treat
  the end as inclusive and stop one second before the next window). Flows carry no in/out: staging pairs them with
  the roster.
- ``user_daily_shifts/query``: one entry per user and day (``month`` yyyyMM + ``day_no``) naming a ``shift_id``;
  ``"0"`` (or ``is_clear_schedule``) is a rest day. **Rest days are left out** of ``feishu_shift_roster``, as in
  hrhub's own roster (a row is a rostered shift); an entry without any ``shift_id`` is kept and quarantined.
- ``shifts/:shift_id``: the shift's name, ``punch_time_rule`` (``on_time``/``off_time``; ``off_time`` past 24:00,
  e.g. ``30:00``, or not after ``on_time`` means the next day) and ``rest_time_rule`` breaks. Fetched once per
  distinct shift per ``fetch_week``. A split shift (several punch rules) is summarised by its first ``on_time``,
  last ``off_time`` and its rest rules.
- ``user_approvals/query`` with ``status=2`` (approved): leave only (outings, trips and overtime are not read).
  ``interval`` is documented as the leave's length in seconds (the doc's example shows ``8``: hedged); it stays
  text as sent, next to ``hours`` = ``interval / 3600`` as ``Decimal`` text (2 dp), the one derived value.

Dates for the roster and leave queries are ``yyyyMMdd`` integers of the company's local calendar: the ISO week is
Monday 00:00 to next Monday 00:00 in ``tz`` (``scoring.weeks.week_window_utc``).

**Users Feishu could not read** (``invalid_user_ids`` / ``unauthorized_user_ids`` in a response) would otherwise
look like people with no punches, no shifts and no leave, i.e. absent all week. Each one becomes a marker row in
the table of the endpoint that reported it, with ``user_issue`` set to the list it came in; the schemas refuse any
``user_issue``, so the row lands in ``raw.quarantine`` with that reason and the blocking quarantine check stops the
week until the crosswalk or the app's data permissions are fixed. They are also logged and kept in
``FeishuAttendanceClient.user_issues``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pandas as pd
import requests

from connectors.feishu.auth import TOKEN_REFRESH_MARGIN_SECONDS, tenant_http
from connectors.http import (
    Clock,
    RetryPolicy,
    Secret,
    Sleep,
    SourceError,
    batched,
    records_frame,
    time_windows,
)
from scoring.weeks import week_window_utc

log = logging.getLogger(__name__)

SOURCE = "feishu"
FLOWS_PATH = "/open-apis/attendance/v1/user_flows/query"
DAILY_SHIFTS_PATH = "/open-apis/attendance/v1/user_daily_shifts/query"
SHIFT_PATH = "/open-apis/attendance/v1/shifts/{shift_id}"
APPROVALS_PATH = "/open-apis/attendance/v1/user_approvals/query"
MAX_USERS_PER_CALL = 50
MAX_WINDOW_DAYS = 30  # user_daily_shifts and user_approvals refuse longer spans
EMPLOYEE_TYPES = ("employee_id", "employee_no")
REST_SHIFT_IDS = frozenset({"0", ""})
APPROVED = 2  # user_approvals status: 0 pending, 1 rejected, 2 approved, 3 withdrawn, 4 revoked
USER_ISSUE_LISTS = ("invalid_user_ids", "unauthorized_user_ids")
MINUTES_PER_DAY = 24 * 60
SECONDS_PER_HOUR = Decimal(3600)
_CLOCK_TEXT = re.compile(r"^(\d{1,2}):(\d{2})$")

PUNCH_DTYPES = {
    "record_id": "str",
    "user_id": "str",
    "check_time": "Int64",
    "type": "str",
    "location_name": "str",
    "device_id": "str",
    "is_wifi": "boolean",
    "user_issue": "str",
    "_source_ref": "str",
}
ROSTER_DTYPES = {
    "user_id": "str",
    "work_date": "str",
    "shift_id": "str",
    "shift_name": "str",
    "on_time": "str",
    "off_time": "str",
    "off_is_next_day": "boolean",
    "rest_minutes": "Int64",
    "user_issue": "str",
    "_source_ref": "str",
}
LEAVE_DTYPES = {
    "approval_id": "str",
    "uniq_id": "str",
    "user_id": "str",
    "leave_date": "str",
    "start_time": "str",
    "end_time": "str",
    "unit": "Int64",
    "interval": "str",
    "hours": "str",
    "leave_type": "str",
    "status": "str",
    "user_issue": "str",
    "_source_ref": "str",
}


@dataclass(frozen=True)
class FeishuAttendanceConfig:
    base_url: str  # https://open.feishu.cn (Lark: https://open.larksuite.com; or the sandbox's /feishu)
    app_id: str  # cli_...
    app_secret: Secret  # the self-built app's secret; it needs attendance:task:readonly and attendance:rule:readonly
    employee_type: str = "employee_id"
    user_batch_size: int = MAX_USERS_PER_CALL
    window_days: int = 7
    token_refresh_margin_seconds: float = TOKEN_REFRESH_MARGIN_SECONDS
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        if self.employee_type not in EMPLOYEE_TYPES:
            raise ValueError(f"employee_type must be one of {EMPLOYEE_TYPES}, got {self.employee_type!r}")
        if not 1 <= self.user_batch_size <= MAX_USERS_PER_CALL:
            raise ValueError(f"user_batch_size must be in 1..{MAX_USERS_PER_CALL}, got {self.user_batch_size}")
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"window_days must be in 1..{MAX_WINDOW_DAYS}, got {self.window_days}")


@dataclass(frozen=True)
class UserIssue:
    """A user id Feishu said it could not read (``kind`` is ``invalid_user_ids`` or ``unauthorized_user_ids``)."""

    endpoint: str
    kind: str
    user_id: str


@dataclass(frozen=True)
class _Window:
    """Local calendar days ``first..last`` and the same span as unix seconds ``[from_s, to_s]`` (inclusive)."""

    first: date
    last: date
    from_s: int
    to_s: int


@dataclass(frozen=True)
class _ShiftTimes:
    shift_name: object
    on_time: object
    off_time: object
    off_is_next_day: bool | None
    rest_minutes: int | None


class FeishuAttendanceClient:
    def __init__(
        self,
        config: FeishuAttendanceConfig,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self._http, self.tokens = tenant_http(
            base_url=config.base_url,
            app_id=config.app_id,
            app_secret=config.app_secret,
            source=SOURCE,
            refresh_margin=config.token_refresh_margin_seconds,
            timeout=config.timeout,
            sleep=sleep,
            clock=clock,
            retry=retry,
            session=session,
        )
        self.user_issues: list[UserIssue] = []

    def fetch_week(
        self, week_start: date, tz: str, user_ids: Sequence[str], lookback_days: int = 0
    ) -> dict[str, pd.DataFrame]:
        """Punches, rostered shifts and approved leave of ``user_ids`` in the ISO week starting ``week_start``,
        from ``lookback_days`` before it (corrections and late approvals land there)."""
        users = list(dict.fromkeys(u for u in user_ids if u))
        batches = list(batched(users, self.config.user_batch_size))
        self.user_issues = []
        punches: list[dict[str, object]] = []
        days: list[dict[str, object]] = []
        leave: list[dict[str, object]] = []
        for window in self._windows(week_start, tz, lookback_days):
            for number, batch in enumerate(batches, start=1):
                tag = f"batch={number}/{len(batches)}"
                punches.extend(self._punches(window, batch, tag))
                days.extend(self._roster_days(window, batch, tag))
                leave.extend(self._leave(window, batch, tag))
        shift_ids = sorted({str(d["shift_id"]) for d in days if d.get("shift_id")})
        shifts = {shift_id: self._shift(shift_id) for shift_id in shift_ids}
        roster = [_with_shift(day, shifts.get(str(day.get("shift_id")))) for day in days]
        return {
            "feishu_punches": records_frame(punches, PUNCH_DTYPES),
            "feishu_shift_roster": records_frame(roster, ROSTER_DTYPES),
            "feishu_leave": records_frame(leave, LEAVE_DTYPES),
        }

    # ---- slicing ------------------------------------------------------------------------------------------------

    def _windows(self, week_start: date, tz: str, lookback_days: int = 0) -> list[_Window]:
        """The week as local-day windows: both slicings (dates and unix seconds) cover exactly the same instants."""
        zone = ZoneInfo(tz)
        start_utc, end_utc = week_window_utc(week_start, tz)
        local_start = start_utc.astimezone(zone).replace(tzinfo=None) - timedelta(days=lookback_days)
        local_end = end_utc.astimezone(zone).replace(tzinfo=None)
        windows = []
        for lower, upper in time_windows(local_start, local_end, timedelta(days=self.config.window_days)):
            windows.append(
                _Window(
                    first=lower.date(),
                    last=(upper - timedelta(days=1)).date(),
                    from_s=int(lower.replace(tzinfo=zone).timestamp()),
                    to_s=int(upper.replace(tzinfo=zone).timestamp()) - 1,
                )
            )
        return windows

    # ---- endpoints ----------------------------------------------------------------------------------------------

    def _query(self, path: str, body: dict[str, object]) -> dict[str, Any]:
        answer = self._http.request_json("POST", path, params={"employee_type": self.config.employee_type}, json=body)
        data = answer.get("data") if isinstance(answer, dict) else None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise SourceError(SOURCE, f"POST {path}", "bad response", "data is not an object")
        return data

    def _punches(self, window: _Window, batch: list[str], tag: str) -> list[dict[str, object]]:
        frm, to = str(window.from_s), str(window.to_s)
        data = self._query(FLOWS_PATH, {"user_ids": batch, "check_time_from": frm, "check_time_to": to})
        ref = f"POST {FLOWS_PATH} check_time_from={frm} check_time_to={to} {tag}"
        rows = [_punch_row(item, f"{ref}#{i}") for i, item in enumerate(_items(data, "user_flow_results", ref))]
        return rows + self._issue_rows(data, f"POST {FLOWS_PATH}", ref)

    def _roster_days(self, window: _Window, batch: list[str], tag: str) -> list[dict[str, object]]:
        frm, to = _yyyymmdd(window.first), _yyyymmdd(window.last)
        data = self._query(DAILY_SHIFTS_PATH, {"user_ids": batch, "check_date_from": frm, "check_date_to": to})
        ref = f"POST {DAILY_SHIFTS_PATH} check_date_from={frm} check_date_to={to} {tag}"
        rows = []
        for i, item in enumerate(_items(data, "user_daily_shifts", ref)):
            item = item if isinstance(item, dict) else {}
            shift_id = item.get("shift_id")
            if item.get("is_clear_schedule") is True or (isinstance(shift_id, str) and shift_id in REST_SHIFT_IDS):
                continue  # a rest day: not a shift (see the module docstring)
            rows.append(
                {
                    "user_id": item.get("user_id"),
                    "work_date": _roster_date(item.get("month"), item.get("day_no")),
                    "shift_id": shift_id if isinstance(shift_id, str) else None,
                    "_source_ref": f"{ref}#{i}",
                }
            )
        return rows + self._issue_rows(data, f"POST {DAILY_SHIFTS_PATH}", ref)

    def _leave(self, window: _Window, batch: list[str], tag: str) -> list[dict[str, object]]:
        frm, to = _yyyymmdd(window.first), _yyyymmdd(window.last)
        body = {"user_ids": batch, "check_date_from": frm, "check_date_to": to, "status": APPROVED}
        data = self._query(APPROVALS_PATH, body)
        ref = f"POST {APPROVALS_PATH} check_date_from={frm} check_date_to={to} status={APPROVED} {tag}"
        rows = []
        for i, day in enumerate(_items(data, "user_approvals", ref)):
            day = day if isinstance(day, dict) else {}
            leaves = day.get("leaves") or []
            if not isinstance(leaves, list):
                raise SourceError(SOURCE, ref, "bad response", "leaves is not a list")
            for j, item in enumerate(leaves):
                rows.append(_leave_row(day, item, f"{ref}#{i}.{j}"))
        return rows + self._issue_rows(data, f"POST {APPROVALS_PATH}", ref)

    def _shift(self, shift_id: str) -> _ShiftTimes:
        path = SHIFT_PATH.format(shift_id=quote(shift_id, safe=""))
        answer = self._http.request_json("GET", path)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise SourceError(SOURCE, f"GET {path}", "bad response", "no shift in the response")
        return _shift_times(data)

    def _issue_rows(self, data: dict[str, Any], endpoint: str, ref: str) -> list[dict[str, object]]:
        """Marker rows for the users Feishu reported it could not read (quarantined by the schemas)."""
        rows: list[dict[str, object]] = []
        for kind in USER_ISSUE_LISTS:
            ids = data.get(kind) or []
            if not isinstance(ids, list):
                raise SourceError(SOURCE, ref, "bad response", f"{kind} is not a list")
            for user_id in ids:
                self.user_issues.append(UserIssue(endpoint, kind, str(user_id)))
                rows.append({"user_id": str(user_id), "user_issue": kind, "_source_ref": f"{ref} {kind}={user_id}"})
            if ids:
                log.warning("%s reported %d user id(s) in %s: %s", ref, len(ids), kind, ", ".join(map(str, ids)))
        return rows


# ---- rows -------------------------------------------------------------------------------------------------------


def _items(data: dict[str, Any], key: str, ref: str) -> list[Any]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise SourceError(SOURCE, ref, "bad response", f"{key} is not a list")
    return items


def _punch_row(item: Any, ref: str) -> dict[str, object]:
    item = item if isinstance(item, dict) else {}
    kind = item.get("type")
    return {
        "record_id": item.get("record_id"),
        "user_id": item.get("user_id"),
        "check_time": _unix_seconds(item.get("check_time")),
        "type": str(kind) if isinstance(kind, (int, str)) and not isinstance(kind, bool) else None,
        "location_name": item.get("location_name"),
        "device_id": item.get("device_id"),
        "is_wifi": item.get("is_wifi") if isinstance(item.get("is_wifi"), bool) else None,
        "_source_ref": ref,
    }


def _leave_row(day: dict[str, Any], item: Any, ref: str) -> dict[str, object]:
    item = item if isinstance(item, dict) else {}
    unit, interval = item.get("unit"), item.get("interval")
    return {
        "approval_id": item.get("approval_id"),
        "uniq_id": item.get("uniq_id"),
        "user_id": day.get("user_id"),
        "leave_date": _iso_date(day.get("date")),
        "start_time": item.get("start_time"),
        "end_time": item.get("end_time"),
        "unit": unit if isinstance(unit, int) and not isinstance(unit, bool) else None,
        "interval": None if interval is None or isinstance(interval, bool) else str(interval),
        "hours": _hours(interval),
        "leave_type": _leave_name(item),
        "status": "approved",  # the query asked for status 2 only; Feishu does not repeat it per leave
        "_source_ref": ref,
    }


def _with_shift(day: dict[str, object], shift: _ShiftTimes | None) -> dict[str, object]:
    if shift is None:
        return day
    return {
        **day,
        "shift_name": shift.shift_name,
        "on_time": shift.on_time,
        "off_time": shift.off_time,
        "off_is_next_day": shift.off_is_next_day,
        "rest_minutes": shift.rest_minutes,
    }


def _shift_times(data: dict[str, Any]) -> _ShiftTimes:
    """Start, end (``HH:MM`` and whether it falls on the next day) and break minutes of a Feishu shift."""
    rules = [r for r in data.get("punch_time_rule") or [] if isinstance(r, dict)]
    on_raw = rules[0].get("on_time") if rules else None
    off_raw = rules[-1].get("off_time") if rules else None
    on, off = _minutes(on_raw), _minutes(off_raw)
    on_time = _hh_mm(on) if on is not None and on < MINUTES_PER_DAY else on_raw
    next_day = None if off is None else off >= MINUTES_PER_DAY or (on is not None and off <= on)
    off_time = _hh_mm(off % MINUTES_PER_DAY) if off is not None else off_raw
    return _ShiftTimes(data.get("shift_name"), on_time, off_time, next_day, _rest_minutes(data.get("rest_time_rule")))


def _rest_minutes(rules: object) -> int | None:
    """Total break minutes; ``None`` (quarantined) when a break is unreadable, 0 when there is none."""
    if rules is None:
        return 0
    if not isinstance(rules, list):
        return None
    total = 0
    for rule in rules:
        begin = _minutes(rule.get("rest_begin_time")) if isinstance(rule, dict) else None
        end = _minutes(rule.get("rest_end_time")) if isinstance(rule, dict) else None
        if begin is None or end is None:
            return None
        total += (end - begin) % MINUTES_PER_DAY
    return total


def _minutes(value: object) -> int | None:
    """``"9:00"`` -> 540, ``"30:00"`` (06:00 the next day, Feishu's notation) -> 1800; anything else -> None."""
    match = _CLOCK_TEXT.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return hours * 60 + minutes if hours < 48 and minutes < 60 else None


def _hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _unix_seconds(value: object) -> int | None:
    """Unix seconds, sent as a digit string (or a number); anything else is missing so validation quarantines it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _hours(interval: object) -> str | None:
    """Leave seconds as hours, ``Decimal`` text to 2 dp (``27000`` -> ``"7.50"``); unreadable or negative -> None."""
    if isinstance(interval, bool) or not isinstance(interval, (int, str, Decimal)):
        return None
    try:
        seconds = Decimal(str(interval))
    except InvalidOperation:
        return None
    if not seconds.is_finite() or seconds < 0:
        return None
    return str((seconds / SECONDS_PER_HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _yyyymmdd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _iso_date(value: object) -> object:
    """``"20260302"`` -> ``"2026-03-02"``; anything unreadable is passed on as sent (and quarantined)."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is None or not text.isdigit() or len(text) != 8:
        return text
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return text


def _roster_date(month: object, day_no: object) -> str | None:
    """``month`` yyyyMM + ``day_no`` -> ``yyyy-mm-dd``; an impossible date is passed on as text (and quarantined)."""
    if not isinstance(month, int) or not isinstance(day_no, int) or isinstance(month, bool) or isinstance(day_no, bool):
        return None
    try:
        return date(month // 100, month % 100, day_no).isoformat()
    except ValueError:
        return f"{month}/{day_no}"


def _leave_name(item: dict[str, Any]) -> object:
    """The leave type's display name: Chinese first (what HR configures), else the default locale's, else English."""
    names = item.get("i18n_names")
    if not isinstance(names, dict):
        return None
    for locale in ("ch", item.get("default_locale"), "en", "ja"):
        name = names.get(locale) if isinstance(locale, str) else None
        if isinstance(name, str) and name:
            return name
    return None
