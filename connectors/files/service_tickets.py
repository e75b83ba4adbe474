"""The helpdesk's ticket export (``helpdesk_tickets*.csv``): who solved which ticket when, for ``tickets_resolved``.

A typical helpdesk "tickets" export (Zendesk-style ``Ticket ID, Subject, Status, Assignee, Created at, Solved at``;
Chinese UIs write 工单编号, 状态, 创建时间, 解决时间). The agent is identified by the *external id* the helpdesk
keeps for each agent, which companies set to the HR 工号 (our ``employee_id``): the identity crosswalk has no
helpdesk system, and agent e-mail addresses are not in the HR exports. Instants must carry a UTC offset
(``2026-03-02T09:15:00+08:00``, ``2026-03-02 09:15:00 +0800`` or ``...Z``); they are rewritten as ISO-8601 with the
same offset, so no information is lost. Statuses are the helpdesk lifecycle (new, open, pending, hold, solved,
closed; Chinese labels accepted).

Quarantined with the reason: an unparseable or offset-less time, an unknown status, a ticket solved before it was
created, a solved ticket without a solved time or without an assignee (nobody to credit). Exports overlap (a
ticket solved on Sunday is in two weekly exports; a re-export repeats a week): raw keeps every row, and staging
counts a ticket once (``int_helpdesk_goal_actuals_weekly``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from connectors.files.column_maps import _column_map, normalize_date, normalize_header
from connectors.files.inbox import problems_frame, read_mapped_records
from connectors.files.schemas import raw_frame, validate_table
from connectors.quality import Validated, quarantine_rows

TABLE = "helpdesk_tickets"
SOLVED_STATUSES = ("solved", "closed")
TICKET_EXPORT = _column_map(
    "helpdesk_tickets",
    {
        "ticket_id": ("id", "ticket id", "ticket", "工单编号", "工单号", "工单id"),
        "assignee_employee_id": (
            "assignee external id",
            "assignee employee id",
            "agent external id",
            "处理人工号",
            "受理人工号",
            "客服工号",
        ),
        "status": ("ticket status", "状态", "工单状态"),
        "created_at": ("created", "ticket created at", "创建时间"),
        "solved_at": ("solved", "ticket solved at", "解决时间"),
    },
    ignored=(
        "subject", "主题", "标题", "priority", "优先级", "group", "分组", "assignee", "处理人", "受理人",
        "requester", "请求者", "客户", "channel", "渠道", "tags", "标签", "updated at", "更新时间",
    ),
)  # fmt: skip
STATUS_LABELS = {
    "新建": "new",
    "开放": "open",
    "已开启": "open",
    "处理中": "open",
    "待回应": "pending",
    "等待中": "pending",
    "暂停": "hold",
    "挂起": "hold",
    "已解决": "solved",
    "已关闭": "closed",
}
_INSTANT = re.compile(
    r"^(?P<day>\S+?)[T ]\s*(?P<clock>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)
# What most exports write (``2026-03-02 09:15:00 +0800``, or ISO already), rewritten without a Python loop.
_COMMON_INSTANT = r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?([+-]\d{2}):?(\d{2})$"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalize_instant(text: str) -> str:
    """``YYYY-MM-DDTHH:MM:SS+HH:MM`` (the sender's offset kept) from ISO-8601 or ``date time +HHMM``; text without
    an offset, or not a time at all, comes back unchanged so validation shows it. Only the spelling changes:
    whether the date exists is validation's question."""
    match = _INSTANT.match(text.strip())
    if not match:
        return text
    day = normalize_date(match["day"])
    if not _ISO_DAY.match(day):
        return text
    hours, rest = match["clock"].split(":", 1)
    offset = match["offset"].upper()
    if offset == "Z":
        offset = "+00:00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:] or '00'}"
    return f"{day}T{int(hours):02d}:{rest if len(rest) > 2 else rest + ':00'}{offset}"


def normalize_instants(values: pd.Series) -> pd.Series:
    """``normalize_instant`` over a column: the common spellings by one regex, the rest one by one."""
    common = values.str.fullmatch(_COMMON_INSTANT).fillna(False).astype(bool)
    out = values.str.replace(_COMMON_INSTANT, r"\1T\2\3:\4", regex=True)
    rest = ~common & values.notna()
    out[rest] = values[rest].map(normalize_instant)
    return out


@cache
def _status(text: str) -> str:
    return STATUS_LABELS.get(text, normalize_header(text))


def read_service_tickets(path: Path) -> Validated:
    """``helpdesk_tickets*.csv`` -> ``helpdesk_tickets``; bad rows quarantined with the reason."""
    records, problems = read_mapped_records(path, TICKET_EXPORT)
    frame = raw_frame(TABLE, records)
    frame["status"] = frame["status"].map(_status).astype("string")
    for column in ("created_at", "solved_at"):
        frame[column] = normalize_instants(frame[column])
    validated = validate_table(TABLE, frame, problems_frame(problems))
    return _check_solved_tickets(validated)


def _check_solved_tickets(validated: Validated) -> Validated:
    """What needs two columns at once: solved after created, and a solved ticket has a time and someone to credit."""
    rows = validated.rows
    if rows.empty:
        return validated
    created = pd.to_datetime(rows["created_at"], utc=True, format="ISO8601")
    solved = pd.to_datetime(rows["solved_at"], utc=True, format="ISO8601")
    is_solved = rows["status"].isin(SOLVED_STATUSES)
    reasons = pd.Series("", index=rows.index, dtype="string")
    early = solved.notna() & (solved < created)
    reasons[early] = "solved_at " + rows["solved_at"][early] + " is before created_at " + rows["created_at"][early]
    no_time = is_solved & rows["solved_at"].isna()
    reasons[no_time] = "status " + rows["status"][no_time] + " but solved_at is empty"
    unassigned = is_solved & rows["assignee_employee_id"].isna() & ~early & ~no_time
    reasons[unassigned] = "a solved ticket without an assignee: there is nobody to credit it to"
    reasons = reasons[reasons != ""]
    if reasons.empty:
        return validated
    quarantine = pd.concat([validated.quarantine, quarantine_rows(rows, reasons)], ignore_index=True)
    return Validated(rows.drop(index=reasons.index).reset_index(drop=True), quarantine)
