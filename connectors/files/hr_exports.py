"""The HR system's weekly exports: employee roster, identity crosswalk, shift roster and leave requests.

The roster and identity files come as UTF-8 with English headers; the shift roster and leave files come
from the Chinese attendance module as GBK with Chinese headers. Both go through the same header synonym
dictionary, so either spelling of either file lands in the same raw columns.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import EMPLOYEE_IDENTITY, HR_ROSTER, LEAVE_REQUESTS, SHIFT_ROSTER
from connectors.files.inbox import read_mapped_csv
from connectors.quality import Validated


def read_hr_roster(path: Path) -> Validated:
    """``hr_roster.csv`` -> ``hris_employees``."""
    return read_mapped_csv(path, HR_ROSTER, "hris_employees")


def read_employee_identity(path: Path) -> Validated:
    """``employee_identity.csv`` -> ``hris_identities`` (one row per employee, system and external id)."""
    return read_mapped_csv(path, EMPLOYEE_IDENTITY, "hris_identities")


def read_shift_roster(path: Path) -> Validated:
    """``shift_roster.csv`` (工号, 日期, 班次, 上班时间, 下班时间, 休息分钟) -> ``roster_shifts``."""
    return read_mapped_csv(path, SHIFT_ROSTER, "roster_shifts")


def read_leave_requests(path: Path) -> Validated:
    """``leave_requests.csv`` (工号, 请假日期, 时长(小时), 假期类型, 审批状态) -> ``leave_requests``."""
    return read_mapped_csv(path, LEAVE_REQUESTS, "leave_requests")
