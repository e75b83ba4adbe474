"""Feishu OKR (open API v1): the objectives and key results of a week's OKR periods, as a snapshot.

Feishu OKR has no "updated since" filter and keeps no history: a read returns every objective and key result as
it is at that moment. So each load is a **snapshot** of the periods overlapping the week, flattened into two raw
frames (``feishu_okr_objectives``, ``feishu_okr_key_results``); the ingestion asset keeps only the rows whose
values (``*_last_updated_time``, progress, content, weights) changed since the last stored snapshot.

- ``GET /open-apis/okr/v1/periods``: paged with ``page_size`` (at most 100) / ``page_token`` / ``has_more``.
  A period overlaps the week when it starts before the week ends and ends at or after the week starts
  (``period_start_time``/``period_end_time``, epoch milliseconds). Invalid periods (``status`` 1) are skipped.
- ``GET /open-apis/okr/v1/users/:user_id/okrs?user_id_type=&offset=&limit=&period_ids=...``: one call per user
  and page, ``limit`` at most 10, paged by ``offset`` until ``total``; ``period_ids`` (at most 10 a call) is a
  repeated query parameter. Each ``okr_list`` entry is the user's OKR of one period.
- The owner of an objective is the user whose OKRs were read (``user_id`` + ``user_id_type`` as queried).
- **Alignments are followed**: an objective's ``aligned_objective_list`` names the objectives it aligns to and
  their owners; owners not read yet are read too (by ``user_id`` when Feishu gives it and that is the configured
  type, else by ``open_id``), so every objective loaded can be placed in the company -> department -> team tree
  even when the caller only knows some users.
- A user Feishu does not know (``1001003``) becomes a marker row in ``feishu_okr_objectives`` with ``user_issue``
  set; the schema refuses it, so it is quarantined with the reason instead of reading as "owns no OKR".
- Ids are 19-digit numbers, kept as text; weights and percents are kept as decimal text as sent (``kr_weight``
  0.5, ``percent`` 55); times as epoch milliseconds (``0`` = never updated).

Rate: Feishu allows 100 calls a minute per OKR API; throttled calls (``99991400``) wait ``x-ogw-ratelimit-reset``
seconds (``connectors.feishu.auth``), so a load of N users takes about N/100 minutes at worst.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pandas as pd
import requests

from connectors.feishu.auth import TOKEN_REFRESH_MARGIN_SECONDS, tenant_http
from connectors.http import Clock, RetryPolicy, Secret, Sleep, SourceError, batched, records_frame
from scoring.weeks import week_window_utc

log = logging.getLogger(__name__)

SOURCE = "feishu"
PERIODS_PATH = "/open-apis/okr/v1/periods"
USER_OKRS_PATH = "/open-apis/okr/v1/users/{user_id}/okrs"
USER_ID_TYPES = ("open_id", "user_id", "union_id")
MAX_LIMIT = 10  # OKRs per page of users/:id/okrs
MAX_PERIODS_PER_CALL = 10
MAX_PERIOD_PAGE_SIZE = 100
INVALID_PERIOD_STATUS = 1
UNKNOWN_USER_CODE = "code 1001003"

OBJECTIVE_DTYPES = {
    "objective_id": "str",
    "okr_id": "str",
    "period_id": "str",
    "period_name": "str",
    "period_start_ms": "Int64",
    "period_end_ms": "Int64",
    "user_id": "str",
    "user_id_type": "str",
    "content": "str",
    "score": "str",
    "weight": "str",
    "progress_percent": "str",
    "progress_status": "str",
    "last_updated_ms": "Int64",
    "aligned_objective_ids": "str",
    "user_issue": "str",
    "_source_ref": "str",
}
KEY_RESULT_DTYPES = {
    "kr_id": "str",
    "objective_id": "str",
    "okr_id": "str",
    "period_id": "str",
    "user_id": "str",
    "user_id_type": "str",
    "content": "str",
    "kr_weight": "str",
    "progress_percent": "str",
    "progress_status": "str",
    "last_updated_ms": "Int64",
    "_source_ref": "str",
}


@dataclass(frozen=True)
class FeishuOkrConfig:
    base_url: str  # https://open.feishu.cn (Lark: https://open.larksuite.com; or the sandbox's /feishu)
    app_id: str
    app_secret: Secret  # the app needs okr:okr:readonly (tenant tokens need Feishu's extra OKR approval)
    user_id_type: str = "user_id"  # what the ids handed to fetch_week are
    limit: int = MAX_LIMIT
    period_page_size: int = MAX_PERIOD_PAGE_SIZE
    follow_alignments: bool = True
    token_refresh_margin_seconds: float = TOKEN_REFRESH_MARGIN_SECONDS
    timeout: tuple[float, float] = (5.0, 60.0)

    def __post_init__(self) -> None:
        if self.user_id_type not in USER_ID_TYPES:
            raise ValueError(f"user_id_type must be one of {USER_ID_TYPES}, got {self.user_id_type!r}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_LIMIT}, got {self.limit}")
        if not 1 <= self.period_page_size <= MAX_PERIOD_PAGE_SIZE:
            raise ValueError(f"period_page_size must be in 1..{MAX_PERIOD_PAGE_SIZE}, got {self.period_page_size}")


@dataclass(frozen=True)
class Period:
    period_id: str
    name: str | None
    start_ms: int
    end_ms: int  # the period's last instant (Feishu sends the end of its last day)
    status: int | None

    def overlaps(self, start_ms: int, end_ms: int) -> bool:
        """Overlaps ``[start_ms, end_ms)``."""
        return self.start_ms < end_ms and self.end_ms >= start_ms


class FeishuOkrClient:
    def __init__(
        self,
        config: FeishuOkrConfig,
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
        self.users_read: list[tuple[str, str]] = []  # (user_id_type, id) in the order they were read

    # ---- periods ------------------------------------------------------------------------------------------------

    def periods(self) -> list[Period]:
        """Every OKR period of the tenant (all pages)."""
        periods: list[Period] = []
        token: str | None = None
        while True:
            params = {"page_size": str(self.config.period_page_size), **({"page_token": token} if token else {})}
            data = _data(self._http.request_json("GET", PERIODS_PATH, params=params), f"GET {PERIODS_PATH}")
            items = data.get("items") or []
            if not isinstance(items, list):
                raise SourceError(SOURCE, f"GET {PERIODS_PATH}", "bad response", "items is not a list")
            periods.extend(_period(item) for item in items)
            token = data.get("page_token") if data.get("has_more") is True else None
            if not token:
                return periods

    def periods_overlapping(self, week_start: date, tz: str) -> list[Period]:
        """The valid periods overlapping the ISO week starting ``week_start`` in ``tz``."""
        start_utc, end_utc = week_window_utc(week_start, tz)
        start_ms, end_ms = int(start_utc.timestamp() * 1000), int(end_utc.timestamp() * 1000)
        return [p for p in self.periods() if p.status != INVALID_PERIOD_STATUS and p.overlaps(start_ms, end_ms)]

    # ---- OKRs ---------------------------------------------------------------------------------------------------

    def fetch_week(self, week_start: date, tz: str, user_ids: Sequence[str]) -> dict[str, pd.DataFrame]:
        """A snapshot of the OKRs of ``user_ids`` (and of the owners their objectives align to) in the periods
        overlapping the week."""
        periods = {p.period_id: p for p in self.periods_overlapping(week_start, tz)}
        objectives: list[dict[str, object]] = []
        key_results: list[dict[str, object]] = []
        self.users_read = []
        if periods:
            queue = deque((self.config.user_id_type, u) for u in dict.fromkeys(u for u in user_ids if u))
            seen = set(queue)
            while queue:
                id_type, user = queue.popleft()
                self.users_read.append((id_type, user))
                for owner in self._read_user(id_type, user, periods, objectives, key_results):
                    if owner not in seen and self.config.follow_alignments:
                        seen.add(owner)
                        queue.append(owner)
        return {
            "feishu_okr_objectives": records_frame(_first_per_key(objectives, "objective_id"), OBJECTIVE_DTYPES),
            "feishu_okr_key_results": records_frame(_first_per_key(key_results, "kr_id"), KEY_RESULT_DTYPES),
        }

    def _read_user(
        self,
        id_type: str,
        user: str,
        periods: dict[str, Period],
        objectives: list[dict[str, object]],
        key_results: list[dict[str, object]],
    ) -> list[tuple[str, str]]:
        """Append the user's objectives and key results; returns the owners of the objectives they align to."""
        path = USER_OKRS_PATH.format(user_id=quote(user, safe=""))
        aligned_owners: list[tuple[str, str]] = []
        for period_batch in batched(sorted(periods), MAX_PERIODS_PER_CALL):
            offset = 0
            while True:
                params: dict[str, Any] = {
                    "user_id_type": id_type,
                    "offset": str(offset),
                    "limit": str(self.config.limit),
                    "period_ids": period_batch,  # repeated: period_ids=1&period_ids=2
                }
                ref = f"GET {path} user_id_type={id_type} offset={offset}"
                try:
                    answer = self._http.request_json("GET", path, params=params)
                except SourceError as error:
                    if error.code != UNKNOWN_USER_CODE:
                        raise
                    log.warning("Feishu OKR does not know %s %s: %s", id_type, user, error.message)
                    issue = "user not found (1001003)"
                    objectives.append(
                        {"user_id": user, "user_id_type": id_type, "user_issue": issue, "_source_ref": ref}
                    )
                    return aligned_owners
                data = _data(answer, ref)
                okrs = data.get("okr_list") or []
                if not isinstance(okrs, list):
                    raise SourceError(SOURCE, ref, "bad response", "okr_list is not a list")
                for i, okr in enumerate(okrs):
                    okr = okr if isinstance(okr, dict) else {}
                    period = periods.get(_id(okr.get("period_id")) or "")
                    for j, objective in enumerate(okr.get("objective_list") or []):
                        objective = objective if isinstance(objective, dict) else {}
                        owner = {"user_id": user, "user_id_type": id_type}
                        objectives.append(_objective_row(okr, period, objective, owner, f"{ref}#{i}.{j}"))
                        for k, kr in enumerate(objective.get("kr_list") or []):
                            key_results.append(_kr_row(okr, objective, kr, owner, f"{ref}#{i}.{j}.{k}"))
                        aligned_owners.extend(self._owners_of(objective.get("aligned_objective_list")))
                offset += len(okrs)
                total = data.get("total")
                if not okrs or not isinstance(total, int) or offset >= total:
                    break
        return aligned_owners

    def _owners_of(self, aligned: object) -> list[tuple[str, str]]:
        owners = []
        for entry in aligned if isinstance(aligned, list) else []:
            owner = entry.get("owner") if isinstance(entry, dict) else None
            if not isinstance(owner, dict):
                continue
            preferred = owner.get(self.config.user_id_type)
            if isinstance(preferred, str) and preferred:
                owners.append((self.config.user_id_type, preferred))
            elif isinstance(owner.get("open_id"), str) and owner["open_id"]:
                owners.append(("open_id", owner["open_id"]))
        return owners


# ---- rows -----------------------------------------------------------------------------------------------------


def _data(answer: Any, ref: str) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(SOURCE, ref, "bad response", "data is not an object")
    return data


def _period(item: Any) -> Period:
    item = item if isinstance(item, dict) else {}
    period_id = _id(item.get("id"))
    start, end = _millis(item.get("period_start_time")), _millis(item.get("period_end_time"))
    if period_id is None or start is None or end is None:
        detail = f"period {item.get('id')!r} has no readable id, period_start_time or period_end_time"
        raise SourceError(SOURCE, f"GET {PERIODS_PATH}", "bad response", detail)
    status, name = item.get("status"), item.get("zh_name") or item.get("en_name")
    return Period(
        period_id, name if isinstance(name, str) else None, start, end, status if isinstance(status, int) else None
    )


def _objective_row(
    okr: dict[str, Any], period: Period | None, objective: dict[str, Any], owner: dict[str, str], ref: str
) -> dict[str, object]:
    progress = objective.get("progress_rate") if isinstance(objective.get("progress_rate"), dict) else {}
    aligned = [_id(a.get("id")) for a in objective.get("aligned_objective_list") or [] if isinstance(a, dict)]
    return {
        "objective_id": _id(objective.get("id")),
        "okr_id": _id(okr.get("id")),
        "period_id": _id(okr.get("period_id")),
        "period_name": period.name if period else okr.get("name"),
        "period_start_ms": period.start_ms if period else None,
        "period_end_ms": period.end_ms if period else None,
        **owner,
        "content": objective.get("content"),
        "score": _number_text(objective.get("score")),
        "weight": _number_text(objective.get("weight")),
        "progress_percent": _number_text(progress.get("percent")),
        "progress_status": _code_text(progress.get("status")),
        "last_updated_ms": _millis(objective.get("progress_rate_percent_last_updated_time")),
        "aligned_objective_ids": ",".join(a for a in aligned if a) or None,  # an unreadable id fails the pattern
        "_source_ref": ref,
    }


def _kr_row(
    okr: dict[str, Any], objective: dict[str, Any], kr: Any, owner: dict[str, str], ref: str
) -> dict[str, object]:
    kr = kr if isinstance(kr, dict) else {}
    progress = kr.get("progress_rate") if isinstance(kr.get("progress_rate"), dict) else {}
    return {
        "kr_id": _id(kr.get("id")),
        "objective_id": _id(objective.get("id")),
        "okr_id": _id(okr.get("id")),
        "period_id": _id(okr.get("period_id")),
        **owner,
        "content": kr.get("content"),
        "kr_weight": _number_text(kr.get("kr_weight")),
        "progress_percent": _number_text(progress.get("percent")),
        "progress_status": _code_text(progress.get("status")),
        "last_updated_ms": _millis(kr.get("progress_rate_percent_last_updated_time")),
        "_source_ref": ref,
    }


def _first_per_key(rows: list[dict[str, object]], key: str) -> list[dict[str, object]]:
    """One row per id (a user read twice, by two id types, repeats their objectives); markers (no id) all stay."""
    seen: set[object] = set()
    kept = []
    for row in rows:
        value = row.get(key)
        if value is None or value not in seen:
            kept.append(row)
        if value is not None:
            seen.add(value)
    return kept


def _id(value: object) -> str | None:
    """Feishu ids are 19-digit numbers: sent as text, or as JSON integers by some clients; never as floats."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    return None


def _millis(value: object) -> int | None:
    """Epoch milliseconds as a digit string or an integer (``0``/``"0"``: never)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _number_text(value: object) -> str | None:
    """A number as decimal text, exactly as sent (floats arrive as ``Decimal``); anything else is missing."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        try:
            return value if Decimal(value).is_finite() else None
        except ArithmeticError:
            return None
    return None


def _code_text(value: object) -> str | None:
    return str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
