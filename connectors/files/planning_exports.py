"""Planning inputs dropped in the weekly inbox (seed 003): hourly customer-service inquiries, the promotion
calendar and flexible-shift requests.

The service desk exports inquiries per local hour; marketing keeps the promotion calendar in Excel (dates like
``2026/3/30``, uplifts like ``40%``); the attendance module exports shift requests in GBK with Chinese headers
and the submission time in local wall-clock time (or ISO-8601 with an offset). Uplifts are turned into decimal
text (``40%`` -> ``0.40``) here so that staging can cast them exactly; everything else stays as exported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from connectors.files.column_maps import _column_map
from connectors.files.inbox import RowProblem, problems_frame, read_mapped_csv, read_mapped_records
from connectors.files.schemas import raw_frame, validate_table
from connectors.quality import Validated

SERVICE_INQUIRIES = _column_map(
    "cs_inquiries",
    {
        "hour_start_local": ("hour_start", "hour", "时段", "时段开始", "开始时间", "统计时段", "小时"),
        "inquiries": ("inquiries", "contacts", "咨询量", "进线量", "会话量", "咨询数"),
    },
    timestamps=("hour_start_local",),
)

PROMOTION_CALENDAR = _column_map(
    "promotion_calendar",
    {
        "promotion_id": ("活动编号", "活动id", "promotion"),
        "name": ("活动名称", "名称", "promotion_name"),
        "start_date": ("开始日期", "活动开始", "start"),
        "end_date": ("结束日期", "活动结束", "end"),
        "uplift": ("预计增幅", "预计咨询增幅", "增幅", "expected_uplift"),
    },
    ignored=("负责人", "备注", "owner", "notes"),
    dates=("start_date", "end_date"),
)

SHIFT_REQUESTS = _column_map(
    "shift_requests",
    {
        "request_id": ("申请单号", "单号", "审批单号", "request"),
        "employee_id": ("工号", "员工编号"),
        "requested_week_start": ("申请周", "排班周", "week_start", "week"),
        "requested_shift_code": ("申请班次", "期望班次", "班次", "shift_code", "shift"),
        "submitted_at": ("提交时间", "申请时间", "submitted_at_utc", "submitted"),
    },
    ignored=("姓名", "部门", "申请原因", "reason"),
    dates=("requested_week_start",),
    timestamps=("submitted_at",),
)

_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def percent_to_decimal_text(text: str) -> str:
    """``"40%"`` -> ``"0.40"``, ``"12.5%"`` -> ``"0.125"``; anything else comes back unchanged for validation."""
    match = _PERCENT.match(text)
    if not match:
        return text
    return f"{Decimal(match.group(1)).scaleb(-2):f}"


def read_service_inquiries(path: Path) -> Validated:
    """``cs_inquiries.csv`` (hour start, inquiries) -> ``service_inquiries_hourly``."""
    return read_mapped_csv(path, SERVICE_INQUIRIES, "service_inquiries_hourly")


def read_promotion_calendar(path: Path) -> Validated:
    """``promotion_calendar.csv`` (活动编号, 活动名称, 开始日期, 结束日期, 预计增幅) -> ``promotion_calendar``.

    A promotion that ends before it starts is quarantined here (the row checks see one column at a time).
    """
    records, problems = read_mapped_records(path, PROMOTION_CALENDAR)
    kept = []
    for record in records:
        if record.get("uplift"):
            record["uplift"] = percent_to_decimal_text(record["uplift"])
        start, end = (record.get(column) or "" for column in ("start_date", "end_date"))
        if _ISO_DATE.match(start) and _ISO_DATE.match(end) and end < start:
            payload = {k: v for k, v in record.items() if k != "_source_ref"}
            problems.append(
                RowProblem(str(record["_source_ref"]), f"end_date {end} is before start_date {start}", payload)
            )
            continue
        kept.append(record)
    table = "promotion_calendar"
    return validate_table(table, raw_frame(table, kept), problems_frame(problems))


def read_shift_requests(path: Path) -> Validated:
    """``shift_requests.csv`` (申请单号, 工号, 申请周, 申请班次, 提交时间) -> ``shift_requests``."""
    return read_mapped_csv(path, SHIFT_REQUESTS, "shift_requests")
