"""What every vendor emulation shares: the request/response values and reading the sample tables.

A vendor API is a plain callable ``SandboxRequest -> SandboxResponse``, with no HTTP machinery in it, so a
wrapper (fault injection, recording) can sit between the server and any vendor without touching either.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import pandas as pd

Tables = Mapping[str, pd.DataFrame]


class InvalidJsonError(ValueError):
    """The request body is not the JSON the vendor expects."""


@dataclass(frozen=True)
class SandboxRequest:
    method: str
    path: str  # below the vendor prefix: "/cgi-bin/gettoken" for "/wecom/cgi-bin/gettoken"
    query: Mapping[str, str] = field(default_factory=dict)  # first value of each parameter
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    query_lists: Mapping[str, list[str]] = field(default_factory=dict)  # every value (repeated array parameters)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidJsonError(str(error)) from error


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    body: Any  # JSON-able; Decimal is written as a JSON number
    headers: Mapping[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False, default=_json_default).encode("utf-8")


VendorHandler = Callable[[SandboxRequest], SandboxResponse]


class VendorApi(Protocol):
    name: str  # URL prefix: "/<name>/..."

    def handle(self, request: SandboxRequest) -> SandboxResponse: ...


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---- reading sample tables, whatever dtype the generator chose --------------------------------------------------


def table(tables: Tables, name: str, columns: list[str]) -> pd.DataFrame:
    """The named table, or an empty one with ``columns`` when the sample does not have it."""
    frame = tables.get(name)
    if frame is None:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"sample table {name!r} lacks columns {missing}")
    return frame


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def text(value: object) -> str | None:
    return None if is_missing(value) else str(value)


def as_date(value: object) -> date:
    """A calendar date from ``date``, midnight ``datetime64`` or ``YYYY-MM-DD`` text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(str(value)).date()


def as_utc(value: object) -> datetime | None:
    """An aware UTC instant; naive values are taken as UTC (the sample's ``*_utc`` columns)."""
    if is_missing(value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def as_naive(value: object) -> datetime:
    """A naive local wall time (the sample's ``*_local`` columns)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(None).to_pydatetime() if stamp.tzinfo else stamp.to_pydatetime()


def as_number(value: object) -> Decimal:
    """Counts and amounts the sample may hold as int, float or decimal text, without float rounding of text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def iso_z(instant: datetime) -> str:
    """``2026-03-02T03:12:09Z``: how Shopify writes instants."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


SCHEDULE_SLACK = pd.Timedelta(hours=4)  # how far from a shift a punch may be and still belong to it


def unix_seconds(local: pd.Series, zones: pd.Series) -> pd.Series:
    """Naive local wall times read in each row's time zone -> unix seconds."""
    out = pd.Series(0, index=local.index, dtype="int64")
    for zone, index in local.groupby(zones.astype(str)).groups.items():
        wall = pd.DatetimeIndex(local.loc[index])
        standard_time = np.zeros(len(wall), dtype=bool)  # a repeated DST hour reads as standard time
        aware = wall.tz_localize(zone, ambiguous=standard_time, nonexistent="shift_forward")
        out.loc[index] = (aware.tz_convert("UTC").as_unit("s").asi8).astype("int64")
    return out


def scheduled_time(punches: pd.DataFrame, tables: Tables) -> pd.Series:
    """The rostered start (in-punch) or end (out-punch) of the shift each punch belongs to, as local time."""
    roster = table(tables, "roster", ["employee_id", "work_date", "shift_code"])
    shifts = table(tables, "shifts", ["shift_code", "start_time", "end_time"])
    if roster.empty or shifts.empty:
        return pd.Series(pd.NaT, index=punches.index, dtype="datetime64[s]")
    planned = roster.merge(shifts, on="shift_code")
    day = pd.to_datetime(planned["work_date"]).dt.normalize()
    planned = planned.assign(
        start=day + pd.to_timedelta(planned["start_time"].astype(str) + ":00"),
        end=day + pd.to_timedelta(planned["end_time"].astype(str) + ":00"),
        day=day,
    )
    planned.loc[planned["end"] <= planned["start"], "end"] += pd.Timedelta(days=1)  # overnight / ends at 00:00
    probe = punches[["employee_id", "local", "is_in"]].reset_index(names="punch")
    candidates = pd.concat(
        [
            probe.assign(day=probe["local"].dt.normalize() - pd.Timedelta(days=offset))
            for offset in (0, 1)  # a night shift's out-punch falls on the next calendar day
        ]
    ).merge(planned[["employee_id", "day", "start", "end"]], on=["employee_id", "day"])
    candidates = candidates[
        (candidates["local"] >= candidates["start"] - SCHEDULE_SLACK)
        & (candidates["local"] <= candidates["end"] + SCHEDULE_SLACK)
    ]
    candidates = candidates.assign(sch=candidates["start"].where(candidates["is_in"], candidates["end"]))
    candidates = candidates.assign(distance=(candidates["local"] - candidates["sch"]).abs())
    best = candidates.sort_values(["punch", "distance"]).drop_duplicates("punch").set_index("punch")["sch"]
    return best.reindex(punches.index)
