"""How the headers and cells of exported files map onto the raw tables.

HR and attendance software name the same column differently (工号, 考勤号码, PIN ...) and write dates in
several ways (ISO, ``2026/3/2``, Excel serial numbers). Each file type gets a :class:`ColumnMap`: a header
synonym dictionary plus which columns hold dates or clock times. A header that is not in the dictionary is
an error naming it, never a silently dropped column: a new column in an export is a change someone must see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

IGNORED = ""
"""Canonical name of a known header whose column the raw table does not keep (e.g. 姓名 in a punch export)."""

EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel serials are naive local dates
EXCEL_FIRST_SAFE_SERIAL = 61  # serials below 61 are shifted by Excel's fictitious 1900-02-29
EXCEL_LAST_SERIAL = 2958465  # 9999-12-31


class HeaderError(ValueError):
    """A file's header row cannot be mapped onto its raw table; no row of the file can be trusted."""


@dataclass(frozen=True)
class ColumnMap:
    """One file type's header synonyms (normalised header -> canonical column) and cell formats."""

    name: str
    synonyms: Mapping[str, str]
    required: frozenset[str]
    date_columns: frozenset[str] = frozenset()
    clock_columns: frozenset[str] = frozenset()
    timestamp_columns: frozenset[str] = frozenset()
    alternatives: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """A required column that may instead be built from others (``punch_time_local`` <- 日期 + 时间)."""


def normalize_header(header: str) -> str:
    """Fold the cosmetic differences between exports: full-width forms, case, spaces, ``_``/``-``, a BOM."""
    folded = unicodedata.normalize("NFKC", header).replace("\ufeff", "")
    return re.sub(r"[\s_\-]+", "", folded).lower()


def _column_map(
    name: str,
    synonyms: Mapping[str, Sequence[str]],
    optional: Sequence[str] = (),
    ignored: Sequence[str] = (),
    dates: Sequence[str] = (),
    clocks: Sequence[str] = (),
    timestamps: Sequence[str] = (),
    alternatives: Mapping[str, Sequence[str]] | None = None,
) -> ColumnMap:
    lookup: dict[str, str] = {}
    for canonical, headers in synonyms.items():
        for header in (canonical, *headers):
            lookup[normalize_header(header)] = canonical
    for header in ignored:
        lookup[normalize_header(header)] = IGNORED
    alternative_sets = {column: frozenset(parts) for column, parts in (alternatives or {}).items()}
    parts = {part for group in alternative_sets.values() for part in group}
    required = frozenset(synonyms) - frozenset(optional) - parts
    return ColumnMap(
        name=name,
        synonyms=lookup,
        required=required,
        date_columns=frozenset(dates),
        clock_columns=frozenset(clocks),
        timestamp_columns=frozenset(timestamps),
        alternatives=alternative_sets,
    )


HR_ROSTER = _column_map(
    "hr_roster",
    {
        "employee_id": ("工号", "员工编号", "员工工号"),
        "name": ("姓名", "员工姓名"),
        "department": ("部门",),
        "team": ("团队", "小组"),
        "project_group": ("项目组",),
        "city": ("城市", "工作城市"),
        "role": ("岗位", "角色"),
        "manager_id": ("直属上级工号", "上级工号"),
        "hire_date": ("入职日期",),
        "termination_date": ("离职日期",),
        "timezone": ("时区",),
        "payroll_id": ("薪资编号", "薪酬编号"),
        "variable_base": ("浮动薪资基数", "绩效基数"),
    },
    optional=(
        "team",
        "project_group",
        "city",
        "manager_id",
        "termination_date",
        "timezone",
        "payroll_id",
        "variable_base",
    ),
    dates=("hire_date", "termination_date"),
)

EMPLOYEE_IDENTITY = _column_map(
    "employee_identity",
    {
        "employee_id": ("工号", "员工编号"),
        "system": ("系统", "来源系统"),
        "external_id": ("外部账号", "外部编号", "外部id"),
        "valid_from": ("生效日期",),
        "valid_to": ("失效日期",),
    },
    optional=("valid_to",),
    dates=("valid_from", "valid_to"),
)

SHIFT_ROSTER = _column_map(
    "shift_roster",
    {
        "employee_id": ("工号", "员工编号", "考勤号码"),
        "work_date": ("日期", "排班日期", "工作日期"),
        "shift_code": ("班次", "班次代码", "班次编号"),
        "start_time": ("上班时间",),
        "end_time": ("下班时间",),
        "break_minutes": ("休息分钟", "休息时长(分钟)", "休息(分钟)"),
    },
    ignored=("姓名", "部门"),
    dates=("work_date",),
    clocks=("start_time", "end_time"),
)

LEAVE_REQUESTS = _column_map(
    "leave_requests",
    {
        "employee_id": ("工号", "员工编号"),
        "leave_date": ("请假日期", "日期"),
        "hours": ("时长(小时)", "请假时长(小时)", "小时数"),
        "leave_type": ("假期类型", "请假类型"),
        "status": ("审批状态", "状态"),
    },
    ignored=("姓名", "部门", "审批单号"),
    dates=("leave_date",),
)

PUNCH_EXPORT = _column_map(
    "punch_export",
    {
        "pin": ("考勤号码", "工号", "用户编号", "ac-no."),
        "punch_time_local": ("打卡时间", "签到时间", "datetime"),
        "punch_date": ("日期", "date"),
        "punch_clock": ("时间", "time"),
        "device_sn": ("机器号", "设备号", "设备序列号", "machine"),
        "punch_state": ("出入状态", "考勤状态", "state"),
        "verify_type": ("验证方式", "verify"),
        "work_code": ("工作代码", "workcode"),
    },
    optional=("verify_type", "work_code"),
    ignored=("姓名", "部门", "序号", "name", "department"),
    dates=("punch_date",),
    clocks=("punch_clock",),
    timestamps=("punch_time_local",),
    alternatives={"punch_time_local": ("punch_date", "punch_clock")},
)

CREATIVE_REGISTRY = _column_map(
    "creative_registry",
    {
        "creative_id": ("素材编号", "创意编号"),
        "product_id": ("商品编号",),
        "designer_id": ("设计师工号",),
        "live_from": ("上线日期",),
        "live_to": ("下线日期",),
        "operator_rating": ("运营评分",),
    },
    optional=("live_to", "operator_rating"),
    dates=("live_from", "live_to"),
)

PRODUCT_REGISTRY = _column_map(
    "product_registry",
    {
        "product_id": ("商品编号",),
        "shopify_product_id": ("shopify商品id",),
        "page_path": ("页面路径",),
        "project_id": ("项目编号",),
        "operator_id": ("运营工号",),
    },
    optional=("operator_id",),
)

PROJECT_PNL = _column_map(
    "project_pnl",
    {
        "project_id": ("项目编号",),
        "week_start_reported": ("week", "week_start", "周", "周次"),
        "revenue": ("收入", "营业收入"),
        "cost": ("成本",),
        "ad_spend": ("广告费", "推广费"),
        "currency": ("币种",),
    },
    dates=("week_start_reported",),
)

# 生意参谋 (Sycm) XLSX exports of the Taobao store: 商品 (item) and 页面 (page) metrics per day, Chinese headers.
# Sycm adds metric columns from time to time; a header missing here quarantines the file's rows (see taobao_exports).
TAOBAO_ITEM_METRICS = _column_map(
    "taobao_item_metrics",
    {
        "stat_date": ("统计日期", "日期"),
        "item_id": ("商品ID", "商品编号id", "宝贝ID"),
        "item_name": ("商品名称", "商品标题", "宝贝标题"),
        "outer_id": ("商家编码", "商品商家编码"),
        "visitors": ("商品访客数", "访客数"),
        "page_views": ("商品浏览量", "浏览量"),
        "avg_stay_seconds": ("平均停留时长", "平均停留时长(秒)", "商品平均停留时长"),
        "bounce_rate": ("商品详情页跳出率", "详情页跳出率"),
        "favorite_buyers": ("商品收藏人数", "收藏人数"),
        "cart_units": ("商品加购件数", "加购件数"),
        "pay_buyers": ("支付买家数",),
        "pay_conversion_rate": ("商品支付转化率", "支付转化率"),
    },
    optional=("item_name", "outer_id", "bounce_rate", "cart_units", "pay_buyers", "pay_conversion_rate"),
    ignored=("商品链接", "商品状态", "货号", "主图", "序号"),
    dates=("stat_date",),
)

TAOBAO_PAGE_METRICS = _column_map(
    "taobao_page_metrics",
    {
        "stat_date": ("统计日期", "日期"),
        "page_id": ("页面ID",),
        "page_name": ("页面名称", "页面标题"),
        "page_type": ("页面类型",),
        "page_views": ("浏览量",),
        "visitors": ("访客数",),
        "clicks": ("点击次数",),
        "click_visitors": ("点击人数",),
        "click_rate": ("点击率",),
        "avg_stay_seconds": ("平均停留时长", "平均停留时长(秒)"),
        "bounce_rate": ("跳出率",),
    },
    optional=("page_type", "click_visitors", "click_rate", "avg_stay_seconds", "bounce_rate"),
    ignored=("页面链接", "页面URL", "序号"),
    dates=("stat_date",),
)

# Labels the vendor attendance software shows instead of the device's integer codes (pyzk: punch 0-5,
# verify 1 finger / 3 password / 4 card / 15 face). Digits pass through unchanged.
PUNCH_STATE_LABELS = {
    "上班签到": "0",
    "签到": "0",
    "check-in": "0",
    "下班签退": "1",
    "签退": "1",
    "check-out": "1",
    "外出": "2",
    "break-out": "2",
    "外出返回": "3",
    "break-in": "3",
    "加班签到": "4",
    "ot-in": "4",
    "加班签退": "5",
    "ot-out": "5",
}
VERIFY_TYPE_LABELS = {"指纹": "1", "finger": "1", "密码": "3", "password": "3", "卡": "4", "刷卡": "4", "card": "4"}
VERIFY_TYPE_LABELS |= {"人脸": "15", "面部": "15", "face": "15"}


def map_header(header: Sequence[str], column_map: ColumnMap, file_name: str) -> list[str]:
    """Canonical column per header cell (``IGNORED`` for known-but-unkept); raise naming every problem."""
    canonical: list[str] = []
    unknown: list[str] = []
    for position, cell in enumerate(header, start=1):
        key = normalize_header(cell)
        if not key:
            raise HeaderError(
                f"{file_name}: header cell {position} is empty (merged or blank header cells are not supported)"
            )
        if key not in column_map.synonyms:
            unknown.append(cell.strip())
            continue
        canonical.append(column_map.synonyms[key])
    if unknown:
        raise HeaderError(
            f"{file_name}: unknown header(s) {unknown} for a {column_map.name} file; "
            f"add them to connectors/files/column_maps.py if they are legitimate"
        )
    kept = [c for c in canonical if c != IGNORED]
    repeated = sorted({c for c in kept if kept.count(c) > 1})
    if repeated:
        raise HeaderError(f"{file_name}: several headers map to the same column(s) {repeated}")
    present = set(kept)

    def is_missing(column: str) -> bool:
        parts = column_map.alternatives.get(column)
        return column not in present and not (parts and parts <= present)

    missing = sorted(column for column in column_map.required if is_missing(column))
    if missing:
        raise HeaderError(f"{file_name}: missing required column(s) {missing} for a {column_map.name} file")
    return canonical


def excel_serial_to_datetime(serial: float) -> datetime:
    """Convert an Excel (1900 system) serial day number to a naive datetime."""
    if not EXCEL_FIRST_SAFE_SERIAL <= serial <= EXCEL_LAST_SERIAL:
        raise ValueError(f"{serial} is outside the Excel serial date range this connector accepts")
    moment = EXCEL_EPOCH + timedelta(days=serial)
    # Excel stores times as binary fractions of a day: round to the second the user typed.
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")  # 10000-99999: 1927-2173, never a year or a compact date
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _parse_date(text: str) -> date | None:
    for pattern in (_DATE, _COMPACT_DATE):
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    if _SERIAL.match(text):
        try:
            return excel_serial_to_datetime(float(text)).date()
        except ValueError:
            return None
    return None


def normalize_date(text: str) -> str:
    """``YYYY-MM-DD`` from ISO, ``2026/3/2``, ``2026年3月2日``, ``20260302`` or an Excel serial.

    Text that is not a date is returned unchanged so that validation quarantines it with the value shown.
    """
    parsed = _parse_date(text.strip())
    return parsed.isoformat() if parsed else text


def _parse_clock(text: str) -> tuple[int, int, int] | None:
    match = _CLOCK.match(text)
    if match:
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return (hours, minutes, seconds) if hours < 24 and minutes < 60 and seconds < 60 else None
    try:
        fraction = float(text)
    except ValueError:
        return None
    if not 0 <= fraction < 1:
        return None
    total = round(fraction * 86400)
    return (total // 3600 % 24, total // 60 % 60, total % 60)


def normalize_clock(text: str) -> str:
    """``HH:MM`` from ``9:00``, ``09:00:00`` or an Excel day fraction (``0.375``); others unchanged."""
    parsed = _parse_clock(text.strip())
    return f"{parsed[0]:02d}:{parsed[1]:02d}" if parsed else text


def normalize_timestamp(text: str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` from a date and clock (any of the forms above) or an Excel serial."""
    stripped = text.strip()
    if _SERIAL.match(stripped):
        try:
            return excel_serial_to_datetime(float(stripped)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return text
    day_part, _, clock_part = stripped.replace("T", " ").partition(" ")
    day, clock = _parse_date(day_part), _parse_clock(clock_part.strip())
    if day is None or clock is None:
        return text
    return f"{day.isoformat()} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"


def normalize_cells(record: dict[str, str | None], column_map: ColumnMap) -> dict[str, str | None]:
    """Apply the map's date / clock / timestamp normalisation to one record (blank cells stay blank)."""
    out = dict(record)
    for columns, normalizer in (
        (column_map.date_columns, normalize_date),
        (column_map.clock_columns, normalize_clock),
        (column_map.timestamp_columns, normalize_timestamp),
    ):
        for column in columns:
            value = out.get(column)
            if value:
                out[column] = normalizer(value)
    return out
