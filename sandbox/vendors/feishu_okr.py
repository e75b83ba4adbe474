"""Feishu OKR (open API v1) as the sandbox serves it: periods and each user's OKRs, with progress as of a moment.

Behaves like open.feishu.cn/document/server-docs/okr-v1 where our connector can tell the difference:

- Served on the same host (URL prefix ``/feishu``) as the attendance APIs and with the same tenant tokens
  (``FeishuApi.token_refusal``): no token ``99991661``, an unknown or expired one ``99991663``.
- ``GET /open-apis/okr/v1/periods?page_size=&page_token=``: ``data.{items, page_token, has_more}``; ``page_size``
  defaults to 10, over 100 is refused with ``1001001`` (HTTP 400). Items carry ``id``, ``zh_name``, ``en_name``,
  ``status`` (0) and ``period_start_time``/``period_end_time`` (epoch milliseconds as text: the quarter's first
  day 00:00 and last day 23:59:59.999 in the company time zone).
- ``GET /open-apis/okr/v1/users/:user_id/okrs?user_id_type=&offset=&limit=&period_ids=...``: ``user_id_type`` is
  ``open_id`` (the default, everyone's ``feishu_open_id``) or ``user_id`` (``feishu_user_id``, only the people who
  have one); an unknown user is ``1001003``, ``limit`` over 10 (or a bad offset, type or period id) ``1001001``.
  ``period_ids`` is repeated for several periods. ``data.total`` counts the user's OKRs (one per period) and
  ``okr_list`` is the page ``[offset, offset + limit)``.
- Ids are 19-digit numbers as text, times are epoch milliseconds as text (``"0"`` for never), weights numbers.
- Rate: 100 calls a minute per API; the 101st in a rolling minute gets HTTP 429 ``{"code":99991400}`` with
  ``x-ogw-ratelimit-reset`` (whole seconds until a slot frees).

**As of when.** Feishu OKR has no history: a read returns the progress of the moment. The sandbox serves, for
each key result, the sample's latest ``okr_progress`` row updated at or before its clock (``now``, the wall clock
unless a test calls ``freeze_at``); before the first update a key result is at 0 with ``"0"`` as its last update.
An objective's progress is the ``kr_weight``-weighted mean of its key results' (each capped to 0-100, as Feishu
computes it), last updated when its latest key result was.

Simplifications: no ``union_id``, no ``aligning_objective_list`` entries, no progress records, mentions or
reviews; ``lang`` is accepted and ignored (content is the sample's).
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

import pandas as pd

from sandbox.vendors.base import SandboxRequest, SandboxResponse, Tables, as_date, as_utc, is_missing, table, text
from sandbox.vendors.feishu import feishu_error

OKR_PREFIX = "/open-apis/okr/v1/"
PERIODS_PATH = "/open-apis/okr/v1/periods"
_USER_OKRS = re.compile(r"^/open-apis/okr/v1/users/([^/]+)/okrs$")
USER_ID_TYPES = ("open_id", "user_id")
DEFAULT_LIMIT, MAX_LIMIT = 5, 10
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 10, 100
CALLS_PER_MINUTE = 100
DEFAULT_TIMEZONE = "Asia/Shanghai"

OKR_ERRORS = {
    1001001: (400, "Invalid parameters. Please check document and modify accordingly."),
    1001003: (400, "User not found."),
}


class TokenCheck(Protocol):
    def token_refusal(self, request: SandboxRequest) -> SandboxResponse | None: ...


def okr_error(code: int, detail: str = "") -> SandboxResponse:
    status, message = OKR_ERRORS[code]
    return SandboxResponse(status, {"code": code, "msg": f"{message} {detail}".strip()})


@dataclass(frozen=True)
class _Owner:
    open_id: str | None
    user_id: str | None

    def wire(self) -> dict[str, str]:
        return {k: v for k, v in (("open_id", self.open_id), ("user_id", self.user_id)) if v}


@dataclass
class _KeyResult:
    kr_id: str
    content: str
    weight: Decimal
    updates_ms: list[int] = field(default_factory=list)  # ascending
    percents: list[int] = field(default_factory=list)


@dataclass
class _Objective:
    objective_id: str
    content: str
    weight: Decimal
    parent_id: str | None
    key_results: list[_KeyResult] = field(default_factory=list)


@dataclass
class _Okr:
    okr_id: str
    period_id: str
    period_name: str
    period_start_ms: int
    objectives: list[_Objective] = field(default_factory=list)


class FeishuOkrApi:
    """The OKR half of the Feishu open platform; mount it under the attendance API with ``FeishuOpenPlatform``."""

    name = "feishu_okr"

    def __init__(
        self,
        tables: Tables,
        tokens: TokenCheck,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        calls_per_minute: int = CALLS_PER_MINUTE,
    ) -> None:
        self._tokens, self._clock, self._now, self._per_minute = tokens, clock, now, calls_per_minute
        self._frozen: datetime | None = None
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        data = _build(tables)
        self._periods, self._okrs, self._users, self._owners = data.periods, data.okrs, data.users, data.owners
        self._objective_okr, self._objective_owner = data.objective_okr, data.objective_owner

    # ---- test hooks ---------------------------------------------------------------------------------------------

    def freeze_at(self, instant: datetime | None) -> None:
        """Serve progress as of ``instant`` (aware) from now on; ``None`` goes back to the wall clock."""
        self._frozen = instant

    def set_rate_limit(self, calls_per_minute: int) -> None:
        """Allow more calls a minute than Feishu's 100 (the demo replays weeks back to back, which a weekly run
        never does)."""
        with self._lock:
            self._per_minute = calls_per_minute

    def as_of(self) -> datetime:
        return self._frozen if self._frozen is not None else self._now()

    # ---- routing ------------------------------------------------------------------------------------------------

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        user = _USER_OKRS.match(request.path)
        if request.method != "GET" or (request.path != PERIODS_PATH and user is None):
            return SandboxResponse(404, {"code": 404, "msg": f"404 page not found: {request.method} {request.path}"})
        refusal = self._tokens.token_refusal(request) or self._throttled("periods" if user is None else "okrs")
        if refusal is not None:
            return refusal
        return self._list_periods(request) if user is None else self._user_okrs(request, user.group(1))

    def _throttled(self, api: str) -> SandboxResponse | None:
        with self._lock:
            now = self._clock()
            calls = self._calls[api]
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= self._per_minute:
                reset = max(1, math.ceil(calls[0] + 60 - now))
                headers = {"x-ogw-ratelimit-limit": str(self._per_minute), "x-ogw-ratelimit-reset": str(reset)}
                return feishu_error(99991400, headers=headers)
            calls.append(now)
        return None

    # ---- endpoints ----------------------------------------------------------------------------------------------

    def _list_periods(self, request: SandboxRequest) -> SandboxResponse:
        size = _integer(request.query.get("page_size"), DEFAULT_PAGE_SIZE)
        start = _integer(request.query.get("page_token") or None, 0)
        if size is None or not 1 <= size <= MAX_PAGE_SIZE:
            return okr_error(1001001, f"page_size must be 1 to {MAX_PAGE_SIZE}")
        if start is None or not 0 <= start <= len(self._periods):
            return okr_error(1001001, "page_token is invalid")
        items = self._periods[start : start + size]
        has_more = start + size < len(self._periods)
        data = {"items": items, "has_more": has_more, "page_token": str(start + size) if has_more else ""}
        return SandboxResponse(200, {"code": 0, "msg": "success", "data": data})

    def _user_okrs(self, request: SandboxRequest, user_id: str) -> SandboxResponse:
        id_type = request.query.get("user_id_type", "open_id")
        if id_type not in USER_ID_TYPES:
            return okr_error(1001001, f"user_id_type must be one of {', '.join(USER_ID_TYPES)}")
        offset = _integer(request.query.get("offset"), 0)
        limit = _integer(request.query.get("limit"), DEFAULT_LIMIT)
        if offset is None or offset < 0:
            return okr_error(1001001, "offset is invalid")
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            return okr_error(1001001, f"limit must be 1 to {MAX_LIMIT}")
        period_ids = request.query_lists.get("period_ids") or (
            [request.query["period_ids"]] if "period_ids" in request.query else []
        )
        known = {p["id"] for p in self._periods}
        if any(p not in known for p in period_ids):
            return okr_error(1001001, "period_ids holds an unknown period")
        employee = self._users[id_type].get(user_id)
        if employee is None:
            return okr_error(1001003, user_id)
        okrs = [o for o in self._okrs.get(employee, []) if not period_ids or o.period_id in period_ids]
        as_of_ms = int(self.as_of().timestamp() * 1000)
        page = [self._okr_wire(o, as_of_ms) for o in okrs[offset : offset + limit]]
        return SandboxResponse(200, {"code": 0, "msg": "success", "data": {"total": len(okrs), "okr_list": page}})

    # ---- the sample as of a moment ------------------------------------------------------------------------------

    def _okr_wire(self, okr: _Okr, as_of_ms: int) -> dict[str, Any]:
        return {
            "id": okr.okr_id,
            "permission": 1,
            "period_id": okr.period_id,
            "name": okr.period_name,
            "confirm_status": 4,
            "objective_list": [self._objective_wire(o, as_of_ms) for o in okr.objectives],
        }

    def _objective_wire(self, objective: _Objective, as_of_ms: int) -> dict[str, Any]:
        krs = [(kr, *_progress_as_of(kr, as_of_ms)) for kr in objective.key_results]
        total_weight = sum((kr.weight for kr, _, _ in krs), Decimal(0))
        weighted = sum((kr.weight * min(max(percent, 0), 100) for kr, percent, _ in krs), Decimal(0))
        percent = int((weighted / total_weight).quantize(Decimal(1), ROUND_HALF_UP)) if total_weight else 0
        updated = max((ms for _, _, ms in krs), default=0)
        aligned = []
        if objective.parent_id is not None and objective.parent_id in self._objective_okr:
            parent_owner = self._owners[self._objective_owner[objective.parent_id]]
            parent_okr = self._objective_okr[objective.parent_id]
            aligned.append({"id": objective.parent_id, "okr_id": parent_okr, "owner": parent_owner.wire()})
        return {
            "id": objective.objective_id,
            "permission": 1,
            "content": objective.content,
            "progress_report": "",
            "score": 0,
            "weight": objective.weight,
            "progress_rate": {"percent": percent, "status": "0"},
            "progress_rate_percent_last_updated_time": str(updated),
            "progress_rate_status_last_updated_time": str(updated),
            "score_last_updated_time": "0",
            "aligned_objective_list": aligned,
            "aligning_objective_list": [],
            "kr_list": [
                {
                    "id": kr.kr_id,
                    "content": kr.content,
                    "score": 0,
                    "kr_weight": kr.weight,
                    "progress_rate": {"percent": kr_percent, "status": "0"},
                    "progress_rate_percent_last_updated_time": str(kr_updated),
                    "progress_rate_status_last_updated_time": str(kr_updated),
                }
                for kr, kr_percent, kr_updated in krs
            ],
        }


class FeishuOpenPlatform:
    """One Feishu host: ``/open-apis/okr/v1/...`` goes to the OKR API, everything else to attendance."""

    name = "feishu"

    def __init__(self, attendance: Any, okr: FeishuOkrApi) -> None:
        self.attendance, self.okr = attendance, okr

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        api = self.okr if request.path.startswith(OKR_PREFIX) else self.attendance
        return api.handle(request)


def _progress_as_of(kr: _KeyResult, as_of_ms: int) -> tuple[int, int]:
    """(percent, last update ms) of the latest update at or before ``as_of_ms``; (0, 0) before the first."""
    index = bisect.bisect_right(kr.updates_ms, as_of_ms) - 1
    return (kr.percents[index], kr.updates_ms[index]) if index >= 0 else (0, 0)


def _integer(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return int(value) if value.isdigit() else None


@dataclass
class _Data:
    periods: list[dict[str, Any]] = field(default_factory=list)
    okrs: dict[str, list[_Okr]] = field(default_factory=dict)  # employee_id -> OKRs by period start
    users: dict[str, dict[str, str]] = field(default_factory=dict)  # user_id_type -> id -> employee_id
    owners: dict[str, _Owner] = field(default_factory=dict)  # employee_id -> ids
    objective_okr: dict[str, str] = field(default_factory=dict)
    objective_owner: dict[str, str] = field(default_factory=dict)


def _build(tables: Tables) -> _Data:
    """The sample's OKR tables indexed the way the endpoints read them (empty when the sample has none)."""
    employees = table(tables, "employees", ["employee_id", "timezone"])
    data = _Data()
    open_ids = employees["feishu_open_id"] if "feishu_open_id" in employees else pd.Series(None, employees.index)
    user_ids = employees["feishu_user_id"] if "feishu_user_id" in employees else pd.Series(None, employees.index)
    for employee, open_id, user_id in zip(employees["employee_id"], open_ids, user_ids, strict=True):
        data.owners[str(employee)] = _Owner(text(open_id), text(user_id))
    data.users = {
        "open_id": {o.open_id: e for e, o in data.owners.items() if o.open_id},
        "user_id": {o.user_id: e for e, o in data.owners.items() if o.user_id},
    }
    zone = text(employees["timezone"].iloc[0]) if len(employees) else None
    periods = table(tables, "okr_periods", ["period_id", "name", "start_date", "end_date"])
    starts: dict[str, tuple[str, int]] = {}
    for row in periods.sort_values("start_date").itertuples(index=False):
        start_ms = _local_midnight_ms(row.start_date, zone)
        end_ms = _local_midnight_ms(as_date(row.end_date) + timedelta(days=1), zone) - 1
        data.periods.append(
            {
                "id": str(row.period_id),
                "zh_name": str(row.name),
                "en_name": str(row.name),
                "status": 0,
                "period_start_time": str(start_ms),
                "period_end_time": str(end_ms),
            }
        )
        starts[str(row.period_id)] = (str(row.name), start_ms)

    progress = table(tables, "okr_progress", ["kr_id", "week_start", "percent", "updated_at_utc"])
    updates: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in progress.sort_values(["kr_id", "week_start"]).itertuples(index=False):
        instant = as_utc(row.updated_at_utc)
        if instant is not None and not is_missing(row.percent):
            updates[str(row.kr_id)].append((int(instant.timestamp() * 1000), int(row.percent)))
    key_results: dict[str, list[_KeyResult]] = defaultdict(list)
    krs = table(tables, "okr_key_results", ["kr_id", "objective_id", "content", "kr_weight"])
    for row in krs.itertuples(index=False):
        kr = _KeyResult(str(row.kr_id), str(row.content), Decimal(str(row.kr_weight)))
        for ms, percent in updates.get(kr.kr_id, []):  # one row per week: keep each update once, in time order
            if not kr.updates_ms or ms > kr.updates_ms[-1]:
                kr.updates_ms.append(ms)
                kr.percents.append(percent)
            elif ms == kr.updates_ms[-1]:
                kr.percents[-1] = percent
        key_results[str(row.objective_id)].append(kr)

    objectives = table(
        tables,
        "okr_objectives",
        ["objective_id", "okr_id", "period_id", "owner_id", "parent_objective_id", "content", "weight"],
    )
    okrs: dict[str, _Okr] = {}
    for row in objectives.itertuples(index=False):
        objective_id, okr_id = str(row.objective_id), str(row.okr_id)
        name, start_ms = starts.get(str(row.period_id), (str(row.period_id), 0))
        okr = okrs.setdefault(okr_id, _Okr(okr_id, str(row.period_id), name, start_ms))
        okr.objectives.append(
            _Objective(
                objective_id,
                str(row.content),
                Decimal(str(row.weight)),
                text(row.parent_objective_id),
                key_results.get(objective_id, []),
            )
        )
        data.objective_okr[objective_id] = okr_id
        data.objective_owner[objective_id] = str(row.owner_id)
        if len(okr.objectives) == 1:  # first objective of this OKR: the OKR joins its owner's list
            data.okrs.setdefault(str(row.owner_id), []).append(okr)
    for owned in data.okrs.values():
        owned.sort(key=lambda o: o.period_start_ms)
    return data


def _local_midnight_ms(day: object, zone: str | None) -> int:
    stamp = pd.Timestamp(as_date(day)).tz_localize(zone or DEFAULT_TIMEZONE)
    return int(stamp.timestamp() * 1000)
