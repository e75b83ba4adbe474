"""Render one week of the sample company as the files its systems would drop in the inbox.

Each file imitates its real producer so that the file connectors meet real-world quirks: the ZK device's
``<SN>_attlog.dat`` (tab-separated, CRLF, PINs with leading zeros), the HR system's UTF-8 exports (with the
BOM Excel-minded exporters write), the Chinese attendance module's GBK files with Chinese headers, a
webhook collector's JSONL that holds about 1% of events twice (at-least-once delivery), the Functional managers'
weekly goal sheets (XLSX with Chinese headers from half the teams, UTF-8-BOM CSV from the others) and the
helpdesk's ticket export (which overlaps the week before by a day, as a re-export does), and the Taobao store's
生意参谋 XLSX exports (``sandbox/taobao.py``). Rendering is
deterministic: the same tables give the same bytes (goal sheets also get a fixed modification time).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.xml.functions import tostring

from sandbox.sample.people import zkbiotime_devices
from sandbox.taobao import render_taobao_files
from scoring.weeks import DEFAULT_TIMEZONE, week_window_utc

REQUIRED_TABLES = (
    "employees",
    "shifts",
    "roster",
    "leave",
    "punches",
    "project_pnl",
    "products",
    "product_operators",
    "creatives",
    "activities",
    "activity_events",
)
HR_ROSTER_COLUMNS = (
    "employee_id",
    "name",
    "department",
    "team",
    "project_group",
    "city",
    "role",
    "manager_id",
    "hire_date",
    "termination_date",
    "timezone",
    "payroll_id",
    "variable_base",
)
IDENTITY_SOURCES = (
    ("zk", "zk_pin"),
    ("wecom", "wecom_userid"),
    ("dingtalk", "dingtalk_userid"),
    ("feishu", "feishu_user_id"),
    ("feishu_open_id", "feishu_open_id"),  # everyone's Feishu OKR identity, whatever they punch with
    ("jira", "jira_account_id"),
)
ROSTERED_IN_FEISHU = "feishu"  # their 排班 and approved leave live in Feishu attendance, not in the HR exports
SHIFT_ROSTER_HEADERS = ("工号", "日期", "班次", "上班时间", "下班时间", "休息分钟")
LEAVE_HEADERS = ("工号", "请假日期", "时长(小时)", "假期类型", "审批状态")
EVENT_KEYS = (
    "event_id",
    "event_type",
    "activity_id",
    "activity_type",
    "employee_id",
    "counterpart_id",
    "story_id",
    "team_id",
    "occurred_at",
)
VERIFY_FINGERPRINT = "1"
REDELIVERED_SHARE = 0.01
_SAFE_DEVICE_SN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Planning inputs (seed 003), rendered only when the tables are present (hand-made test companies may lack them).
INQUIRY_HEADERS = ("hour_start", "inquiries")
PROMOTION_HEADERS = ("活动编号", "活动名称", "开始日期", "结束日期", "预计增幅")
SHIFT_REQUEST_HEADERS = ("申请单号", "工号", "申请周", "申请班次", "提交时间")
# Goal sheets (one per Functional team and week) and the helpdesk's ticket export, rendered when the tables exist.
GOAL_SHEET_CHANNEL = "goal_sheet"
GOAL_SHEET_COLUMNS = ("employee_id", "name", "week_start", "metric", "unit", "target", "actual", "weight", "direction")
GOAL_SHEET_HEADERS_ZH = ("工号", "姓名", "周", "指标", "单位", "目标", "实际", "权重", "方向")
OBJECTIVE_HEADER_ZH = "对齐目标"
DIRECTION_LABELS_ZH = {"higher_is_better": "越高越好", "lower_is_better": "越低越好"}
GOAL_SHEET_SENT = timedelta(days=4, hours=18)  # managers send the sheet on Friday evening
_ZIP_FILE_MODE = 0o600 << 16
_ZIP_UNIX = 3
TICKET_HEADERS = (
    "Ticket ID", "Subject", "Status", "Priority", "Assignee", "Assignee external ID", "Created at", "Solved at",
)  # fmt: skip
TICKET_EXPORT_OVERLAP = timedelta(days=1)  # the export reaches back into the previous week's Sunday
TICKET_CLOSE_AFTER = timedelta(days=4)
TICKET_SUBJECTS = ("退款申请", "物流查询", "修改收货地址", "发票问题", "商品咨询", "优惠券无法使用", "Order late")
TICKET_PRIORITIES = ("normal", "normal", "low", "high", "normal", "urgent", "normal")


def write_inbox_week(
    tables: Mapping[str, pd.DataFrame], week_start: date, inbox_dir: Path, tz: str = DEFAULT_TIMEZONE
) -> list[Path]:
    """Write the week's files into ``inbox_dir/<week_start>/`` (overwriting them); returns their paths.

    Other files already in the folder are left alone.
    """
    folder = Path(inbox_dir) / week_start.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    sent = _goal_sheet_sent_at(week_start, tz).timestamp()
    for name, content in render_inbox_week(tables, week_start, tz).items():
        path = folder / name
        path.write_bytes(content)
        if name.startswith("goal_sheet"):  # the sheet's "file time" orders re-sent corrections downstream
            os.utime(path, (sent, sent))
        paths.append(path)
    return sorted(paths)


def render_inbox_week(
    tables: Mapping[str, pd.DataFrame], week_start: date, tz: str = DEFAULT_TIMEZONE
) -> dict[str, bytes]:
    """File name -> bytes for one week (only that week's rows, by date in ``tz``)."""
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start}")
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise KeyError(f"sample tables missing for the inbox: {missing}")
    week = _Week(week_start, tz)
    employees = _known_by(tables["employees"], week.last_day)
    files = _attlog_files(tables["punches"], tables["employees"], week, set(zkbiotime_devices(tables["employees"])))
    in_feishu = _rostered_in_feishu(tables["employees"])
    files["hr_roster.csv"] = _csv_bytes(HR_ROSTER_COLUMNS, _hr_roster_rows(employees), "utf-8-sig")
    files["employee_identity.csv"] = _csv_bytes(
        ("employee_id", "system", "external_id", "valid_from", "valid_to"), _identity_rows(employees), "utf-8-sig"
    )
    files["shift_roster.csv"] = _csv_bytes(
        SHIFT_ROSTER_HEADERS, _shift_rows(_without(tables["roster"], in_feishu), tables["shifts"], week), "gbk"
    )
    files["leave_requests.csv"] = _csv_bytes(
        LEAVE_HEADERS, _leave_rows(_without(tables["leave"], in_feishu), week), "gbk"
    )
    files["creative_registry.csv"] = _csv_bytes(
        ("creative_id", "product_id", "designer_id", "live_from", "live_to", "operator_rating"),
        _creative_rows(tables["creatives"], week),
        "utf-8",
    )
    files["product_registry.csv"] = _csv_bytes(
        ("product_id", "shopify_product_id", "page_path", "project_id", "operator_id"),
        _product_rows(tables["products"], tables["product_operators"]),
        "utf-8",
    )
    files["project_pnl.csv"] = _csv_bytes(
        ("project_id", "week", "revenue", "cost", "ad_spend", "currency"),
        _pnl_rows(tables["project_pnl"], week),
        "utf-8",
    )
    files["activity_events.jsonl"] = _activity_jsonl(tables["activity_events"], tables["activities"], week)
    files["activity_calendar.csv"] = _activity_calendar(tables["activities"], week)
    files.update(_planning_files(tables, week, tz))
    files.update(_goal_sheet_files(tables, week, tz))
    if "service_tickets" in tables:
        files["helpdesk_tickets.csv"] = _ticket_export(tables["service_tickets"], tables["employees"], week, tz)
    if "redemption_requests" in tables:
        files["redemption_requests.csv"] = _redemption_export(tables["redemption_requests"], week, tz)
    if "activity_feedback" in tables:
        files["activity_feedback.csv"] = _feedback_export(tables["activity_feedback"], week, tz)
    if "training_completions" in tables:
        files["training_completions.csv"] = _training_export(tables["training_completions"], week, tz)
    files.update(render_taobao_files(tables, week.first_day))  # the Taobao store's 生意参谋 exports
    return dict(sorted(files.items()))


def _redemption_export(requests: pd.DataFrame, week: _Week, tz: str) -> bytes:
    """The recognition portal's requests made in the week: UTF-8, times in company time with their offset."""
    rows = []
    for row in _records(requests):
        requested = _utc(row["requested_at_utc"])
        if week.start_utc <= requested < week.end_utc:
            ids = [_text(row[c]) for c in ("request_id", "employee_id", "item_code")]
            rows.append([*ids, requested.tz_convert(tz).isoformat()])
    return _csv_bytes(("request_id", "employee_id", "item_code", "requested_at"), rows, "utf-8")


def _feedback_export(feedback: pd.DataFrame, week: _Week, tz: str) -> bytes:
    """The engagement platform's ratings submitted in the week: UTF-8, times in company time with their offset."""
    rows = []
    for row in _records(feedback):
        submitted = _utc(row["submitted_at_utc"])
        if week.start_utc <= submitted < week.end_utc:
            ids = [_text(row[c]) for c in ("activity_id", "employee_id", "score")]
            rows.append([*ids, submitted.tz_convert(tz).isoformat()])
    return _csv_bytes(("activity_id", "employee_id", "score", "submitted_at"), rows, "utf-8")


def _training_export(completions: pd.DataFrame, week: _Week, tz: str) -> bytes:
    """The learning platform's completions of the week: UTF-8, times in company time with their offset."""
    rows = []
    for row in _records(completions):
        completed = _utc(row["completed_at_utc"])
        if week.start_utc <= completed < week.end_utc:
            rows.append([_text(row["employee_id"]), _text(row["course_code"]), completed.tz_convert(tz).isoformat()])
    return _csv_bytes(("employee_id", "course_code", "completed_at"), rows, "utf-8")


class _Week:
    """The week's local calendar days and its UTC window (for instants such as webhook events)."""

    def __init__(self, week_start: date, tz: str) -> None:
        self.first_day = week_start
        self.last_day = week_start + timedelta(days=6)
        start, end = week_window_utc(week_start, tz)
        self.start_utc, self.end_utc = pd.Timestamp(start), pd.Timestamp(end)

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first_day <= day <= self.last_day


# ---------- cell formatting: one canonical text per value, whatever dtype the sample used


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: object) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _day(value: object) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _date_text(value: object) -> str:
    day = _day(value)
    return day.isoformat() if day else ""


def _clock_text(value: object) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = _text(value)
    return text[:5] if re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", text) else text


def _local_timestamp(value: object) -> str:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        raise ValueError(f"punch_time_local must be naive device time, got {value!r}")
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


def _utc(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _iso_utc(stamp: pd.Timestamp) -> str:
    pattern = "%Y-%m-%dT%H:%M:%SZ" if stamp.microsecond == 0 else "%Y-%m-%dT%H:%M:%S.%fZ"
    return stamp.strftime(pattern)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return frame.to_dict("records")


def _csv_bytes(header: Sequence[str], rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(sorted(rows))
    try:
        return buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as error:
        raise ValueError(f"cannot render {error.object[error.start : error.end]!r} as {encoding}") from None


# ---------- files


def _known_by(employees: pd.DataFrame, last_day: date) -> list[dict[str, object]]:
    """The HR snapshot as of the week: everyone hired by its last day (leavers keep their termination)."""
    return [row for row in _records(employees) if (_day(row["hire_date"]) or date.max) <= last_day]


def _rostered_in_feishu(employees: pd.DataFrame) -> set[str]:
    if "attendance_source" not in employees:
        return set()
    return set(employees.loc[employees["attendance_source"] == ROSTERED_IN_FEISHU, "employee_id"].astype(str))


def _without(frame: pd.DataFrame, employee_ids: set[str]) -> pd.DataFrame:
    return frame[~frame["employee_id"].astype(str).isin(employee_ids)] if employee_ids else frame


def _attlog_files(
    punches: pd.DataFrame, employees: pd.DataFrame, week: _Week, server_devices: set[str]
) -> dict[str, bytes]:
    """One ``<SN>_attlog.dat`` per USB-read device (devices uploading to the ZKBioTime server are not in files)."""
    pins = {row["employee_id"]: row.get("zk_pin") for row in _records(employees)}
    lines_by_device: dict[str, list[tuple[str, str, str]]] = {}
    for punch in _records(punches):
        if punch["source"] != "zk" or _text(punch["device_sn"]) in server_devices:
            continue
        stamp = _local_timestamp(punch["punch_time_local"])
        if not week.holds(date.fromisoformat(stamp[:10])):
            continue
        pin = pins.get(punch["employee_id"])
        if _missing(pin) or not str(pin):
            raise ValueError(f"zk punch of {punch['employee_id']} but the employee has no zk_pin")
        device_sn = _text(punch["device_sn"])
        if not _SAFE_DEVICE_SN.match(device_sn):
            raise ValueError(f"device_sn {device_sn!r} cannot be used in a file name")
        lines_by_device.setdefault(device_sn, []).append((stamp, str(pin), _text(punch["punch_state"])))
    files = {}
    for device_sn, lines in lines_by_device.items():
        body = "".join(
            f"{pin}\t{stamp}\t{VERIFY_FINGERPRINT}\t{state}\t0\t0\r\n" for stamp, pin, state in sorted(lines)
        )
        files[f"{device_sn}_attlog.dat"] = body.encode("ascii")
    return files


def _hr_roster_rows(employees: list[dict[str, object]]) -> list[list[str]]:
    dates = {"hire_date", "termination_date"}
    return [
        [_date_text(row.get(c)) if c in dates else _text(row.get(c)) for c in HR_ROSTER_COLUMNS] for row in employees
    ]


def _identity_rows(employees: list[dict[str, object]]) -> list[list[str]]:
    rows = []
    for row in employees:
        for system, column in IDENTITY_SOURCES:
            external_id = _text(row.get(column))
            if external_id:
                valid = [_date_text(row.get("hire_date")), _date_text(row.get("termination_date"))]
                rows.append([_text(row["employee_id"]), system, external_id, *valid])
    return rows


def _shift_rows(roster: pd.DataFrame, shifts: pd.DataFrame, week: _Week) -> list[list[str]]:
    by_code = {row["shift_code"]: row for row in _records(shifts)}
    rows = []
    for entry in _records(roster):
        if not week.holds(_day(entry["work_date"])):
            continue
        shift = by_code.get(entry["shift_code"])
        if shift is None:
            raise ValueError(f"roster uses unknown shift_code {entry['shift_code']!r}")
        rows.append(
            [
                _text(entry["employee_id"]),
                _date_text(entry["work_date"]),
                _text(entry["shift_code"]),
                _clock_text(shift["start_time"]),
                _clock_text(shift["end_time"]),
                _text(shift["break_minutes"]),
            ]
        )
    return rows


def _leave_rows(leave: pd.DataFrame, week: _Week) -> list[list[str]]:
    columns = ("employee_id", "leave_date", "hours", "leave_type", "status")
    return [
        [_date_text(row[c]) if c == "leave_date" else _text(row[c]) for c in columns]
        for row in _records(leave)
        if week.holds(_day(row["leave_date"]))
    ]


def _creative_rows(creatives: pd.DataFrame, week: _Week) -> list[list[str]]:
    """Creatives live at some point of the week."""
    rows = []
    for row in _records(creatives):
        live_from, live_to = _day(row["live_from"]), _day(row["live_to"])
        if live_from is None or live_from > week.last_day or (live_to is not None and live_to < week.first_day):
            continue
        ids = [_text(row[c]) for c in ("creative_id", "product_id", "designer_id")]
        rows.append([*ids, live_from.isoformat(), _date_text(live_to), _text(row["operator_rating"])])
    return rows


def _product_rows(products: pd.DataFrame, operators: pd.DataFrame) -> list[list[str]]:
    """One row per product-operator pair; a product nobody operates still appears (operator blank)."""
    operators_of: dict[str, list[str]] = {}
    for row in _records(operators):
        operators_of.setdefault(_text(row["product_id"]), []).append(_text(row["employee_id"]))
    rows = []
    for product in _records(products):
        product_id = _text(product["product_id"])
        fixed = [product_id, _text(product["shopify_product_id"]), _text(product["page_path"])]
        for operator_id in operators_of.get(product_id) or [""]:
            rows.append([*fixed, _text(product["project_id"]), operator_id])
    return rows


def _pnl_rows(pnl: pd.DataFrame, week: _Week) -> list[list[str]]:
    return [
        [_text(row["project_id"]), week.first_day.isoformat()]
        + [_text(row[c]) for c in ("revenue", "cost", "ad_spend", "currency")]
        for row in _records(pnl)
        if _day(row["week_start"]) == week.first_day
    ]


ACTIVITY_CALENDAR_COLUMNS = ("activity_id", "activity_type", "title", "start_date", "end_date", "prerequisite_course")


def _activity_calendar(activities: pd.DataFrame, week: _Week) -> bytes:
    """The engagement team's calendar of the activities running in the week (UTF-8 with BOM, as Excel saves it).

    A sample activity runs its whole week (``week_start`` to Sunday) unless the table gives its own
    ``start_date``/``end_date``; events for an activity that never appears here are refused by scoring.
    """
    rows = []
    for row in _records(activities):
        start = _day(row.get("start_date")) or _day(row.get("week_start"))
        end = _day(row.get("end_date")) or (start + timedelta(days=6) if start else None)
        if start is None or end is None or start > week.last_day or end < week.first_day:
            continue
        ids = [_text(row.get(c)) for c in ("activity_id", "activity_type", "title")]
        rows.append([*ids, start.isoformat(), end.isoformat(), _text(row.get("prerequisite_course"))])
    return _csv_bytes(ACTIVITY_CALENDAR_COLUMNS, rows, "utf-8-sig")


def _activity_jsonl(events: pd.DataFrame, activities: pd.DataFrame, week: _Week) -> bytes:
    type_of = {_text(row["activity_id"]): _text(row["activity_type"]) for row in _records(activities)}
    # The platform sends a challenge's prerequisite course with its events (older sample tables have none).
    course_of = {_text(row["activity_id"]): _text(row.get("prerequisite_course")) for row in _records(activities)}
    payloads = []
    for event in _records(events):
        occurred = _utc(event["occurred_at_utc"])
        if not week.start_utc <= occurred < week.end_utc:
            continue
        payload = {key: _text(event.get(key)) or None for key in EVENT_KEYS}
        payload["activity_type"] = type_of.get(_text(event["activity_id"])) or None
        if course_of.get(_text(event["activity_id"])):
            payload["prerequisite_course"] = course_of[_text(event["activity_id"])]
        payload["occurred_at"] = _iso_utc(occurred)
        payloads.append(payload)
    payloads.sort(key=lambda p: (p["occurred_at"], p["event_id"]))
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in payloads]
    lines += [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in _redelivered(payloads)]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _redelivered(payloads: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """About 1% of events (at least one when there are any), chosen by a hash of their id, as redeliveries
    arriving after the originals."""
    if not payloads:
        return []
    count = max(1, round(len(payloads) * REDELIVERED_SHARE))
    ranked = sorted(payloads, key=lambda p: hashlib.sha256(str(p["event_id"]).encode()).hexdigest())
    chosen = {id(p) for p in ranked[:count]}
    return [p for p in payloads if id(p) in chosen]


def _planning_files(tables: Mapping[str, pd.DataFrame], week: _Week, tz: str) -> dict[str, bytes]:
    """The service desk's hourly inquiries (UTF-8, ``YYYY-MM-DD HH:MM``), marketing's promotion calendar (the
    whole calendar each week, Excel-minded: BOM, ``2026/3/30`` dates, ``40%`` uplifts) and the attendance
    module's flexible-shift requests filed in the week (GBK, Chinese headers, local submission time)."""
    files = {}
    if "cs_inquiries" in tables:
        rows = [
            [pd.Timestamp(row["hour_start_local"]).strftime("%Y-%m-%d %H:%M"), _text(row["inquiries"])]
            for row in _records(tables["cs_inquiries"])
            if week.holds(_day(row["hour_start_local"]))
        ]
        files["cs_inquiries.csv"] = _csv_bytes(INQUIRY_HEADERS, rows, "utf-8")
    if "promotions" in tables:
        rows = [
            [_text(row["promotion_id"]), _text(row["name"]), _slash_date(row["start_date"]),
             _slash_date(row["end_date"]), f"{(Decimal(_text(row['uplift'])) * 100).normalize():f}%"]
            for row in _records(tables["promotions"])
        ]  # fmt: skip
        files["promotion_calendar.csv"] = _csv_bytes(PROMOTION_HEADERS, rows, "utf-8-sig")
    if "shift_requests" in tables:
        rows = []
        for row in _records(tables["shift_requests"]):
            submitted = _utc(row["submitted_at_utc"])
            if week.start_utc <= submitted < week.end_utc:
                ids = [_text(row[c]) for c in ("request_id", "employee_id")]
                local = submitted.tz_convert(tz).strftime("%Y-%m-%d %H:%M:%S")
                rows.append([*ids, _date_text(row["week_start"]), _text(row["requested_shift_code"]), local])
        files["shift_requests.csv"] = _csv_bytes(SHIFT_REQUEST_HEADERS, rows, "gbk")
    return files


def _slash_date(value: object) -> str:
    day = _day(value)
    return f"{day.year}/{day.month}/{day.day}" if day else ""


# ---------- goal sheets and the helpdesk export


def _goal_sheet_sent_at(week_start: date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.combine(week_start, time()) + GOAL_SHEET_SENT).tz_localize(tz)


def _goal_sheet_files(tables: Mapping[str, pd.DataFrame], week: _Week, tz: str) -> dict[str, bytes]:
    """One sheet per Functional team holding its members' ``goal_sheet`` goals of the week (its manager fills it):
    XLSX with Chinese headers and labels for every other team in name order, UTF-8-BOM CSV for the rest."""
    goals = tables.get("goals")
    if goals is None or "channel" not in goals:
        return {}
    in_week = pd.to_datetime(goals["week_start"]) == pd.Timestamp(week.first_day)
    mine = goals[(goals["channel"] == GOAL_SHEET_CHANNEL) & in_week]
    if mine.empty:
        return {}
    people = tables["employees"].set_index("employee_id")[["name", "team"]]
    mine = mine.join(people, on="employee_id")
    with_objective = "objective_id" in mine
    files = {}
    for position, (team, rows) in enumerate(sorted(mine.groupby("team", dropna=False), key=lambda g: str(g[0]))):
        rows = rows.sort_values(["employee_id", "metric"], kind="stable")
        name = "goal_sheet_" + re.sub(r"[^A-Za-z0-9_.-]", "_", str(team))
        if position % 2 == 0:
            files[f"{name}.xlsx"] = _goal_sheet_xlsx(rows, with_objective, _goal_sheet_sent_at(week.first_day, tz))
        else:
            header = (*GOAL_SHEET_COLUMNS, *(("objective_id",) if with_objective else ()))
            body = [
                [_date_text(row[c]) if c == "week_start" else _text(row.get(c)) for c in header]
                for row in _records(rows)
            ]
            files[f"{name}.csv"] = _csv_bytes(header, body, "utf-8-sig")
    return files


def _goal_sheet_xlsx(rows: pd.DataFrame, with_objective: bool, sent: pd.Timestamp) -> bytes:
    """The sheet as a manager keeps it in Excel: a date cell for the week, numbers as numbers, ids as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "周目标"
    sheet.append([*GOAL_SHEET_HEADERS_ZH, *((OBJECTIVE_HEADER_ZH,) if with_objective else ())])
    for row in _records(rows):
        numbers = [Decimal(_text(row[c])) if _text(row[c]) else None for c in ("target", "actual", "weight")]
        cells: list[object] = [_text(row["employee_id"]), _text(row["name"]), _day(row["week_start"])]
        cells += [_text(row["metric"]), _text(row["unit"]) or None, *numbers]
        cells.append(DIRECTION_LABELS_ZH.get(_text(row["direction"]), _text(row["direction"])))
        if with_objective:
            cells.append(_text(row["objective_id"]) or None)
        sheet.append(cells)
        sheet.cell(row=sheet.max_row, column=3).number_format = "yyyy-mm-dd"
    stamp = sent.tz_localize(None).to_pydatetime()
    workbook.properties.creator = "hrhub sandbox"
    workbook.properties.created = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    workbook.properties.modified = stamp  # save() has just set it to the wall clock
    return _reproducible_xlsx(buffer.getvalue(), tostring(workbook.properties.to_tree()), stamp)


def _reproducible_xlsx(raw: bytes, core_xml: bytes, stamp: datetime) -> bytes:
    """openpyxl stamps the wall clock into docProps/core.xml and every zip entry: re-zip with fixed values."""
    output = io.BytesIO()
    with ZipFile(io.BytesIO(raw)) as source, ZipFile(output, "w", ZIP_DEFLATED) as archive:
        for name in sorted(source.namelist()):
            entry = ZipInfo(name, date_time=stamp.timetuple()[:6])
            entry.compress_type = ZIP_DEFLATED
            entry.create_system = _ZIP_UNIX
            entry.external_attr = _ZIP_FILE_MODE
            archive.writestr(entry, core_xml if name == "docProps/core.xml" else source.read(name))
    return output.getvalue()


def _ticket_export(tickets: pd.DataFrame, employees: pd.DataFrame, week: _Week, tz: str) -> bytes:
    """Every ticket opened or solved from the previous Sunday to the end of the week, as the helpdesk showed it at
    the end of the week: a ticket solved later is still ``open`` there, one solved four days before is ``closed``.
    Times in the company zone with their offset (``2026-03-02 09:15:00 +0800``), UTF-8 with BOM."""
    start, end = week.start_utc - pd.Timedelta(TICKET_EXPORT_OVERLAP), week.end_utc
    created, solved = _utc_series(tickets["created_at_utc"]), _utc_series(tickets["solved_at_utc"])
    shown = tickets[((created >= start) & (created < end)) | ((solved >= start) & (solved < end))]
    created, solved = created[shown.index], solved[shown.index]
    solved_by_end = solved.notna() & (solved < end)
    status = np.where(
        solved_by_end,
        np.where(solved <= end - pd.Timedelta(TICKET_CLOSE_AFTER), "closed", "solved"),
        np.where(solved.isna(), shown["status"].astype(str), "open"),
    )
    names = employees.set_index("employee_id")["name"]
    number = pd.to_numeric(shown["ticket_id"]).to_numpy()
    columns = [
        shown["ticket_id"].astype(str).to_numpy(),
        np.asarray(TICKET_SUBJECTS, dtype=object)[number % len(TICKET_SUBJECTS)],
        status,
        np.asarray(TICKET_PRIORITIES, dtype=object)[number // 7 % len(TICKET_PRIORITIES)],
        shown["employee_id"].map(names).fillna("").to_numpy(),
        shown["employee_id"].fillna("").to_numpy(),
        _offset_text(created, tz),
        np.where(solved_by_end, _offset_text(solved, tz), ""),
    ]
    rows = [list(row) for row in zip(*columns, strict=True)]
    return _csv_bytes(TICKET_HEADERS, rows, "utf-8-sig")


def _utc_series(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def _offset_text(instants: pd.Series, tz: str) -> np.ndarray:
    """``YYYY-MM-DD HH:MM:SS +0800`` in ``tz`` (empty for a missing instant), formatted by Arrow for speed."""
    local = pa.array(instants.dt.tz_convert(tz).dt.as_unit("s"))
    return np.asarray(pc.fill_null(pc.strftime(local, format="%Y-%m-%d %H:%M:%S %z"), ""), dtype=object)
