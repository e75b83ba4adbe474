"""ZKTeco punches from files: the device's USB ``<SN>_attlog.dat`` and the vendor software's CSV export.

``attlog.dat`` is tab-separated ``PIN, YYYY-MM-DD HH:MM:SS, verify, state, workcode, reserved`` in naive
device-local time. A USB copy pulled out mid-write ends in a cut line; that line is quarantined, never a
crash. Values stay as the device wrote them (PIN ``00012`` keeps its zeros); dbt maps codes and time zones.
The device log is a snapshot of everything it holds, so rows outside the week are kept for dbt to filter.
"""

from __future__ import annotations

from pathlib import Path

from connectors.files.column_maps import PUNCH_EXPORT, PUNCH_STATE_LABELS, VERIFY_TYPE_LABELS, normalize_timestamp
from connectors.files.inbox import (
    ATTLOG_NAME,
    RowProblem,
    decode_text,
    numbered_lines,
    problems_frame,
    read_mapped_records,
)
from connectors.files.schemas import raw_frame, validate_table
from connectors.quality import Validated

TABLE = "zk_punches"
ATTLOG_FIELDS = 6  # PIN, time, verify, state, workcode, reserved


def device_sn_from_name(file_name: str) -> str:
    match = ATTLOG_NAME.match(file_name)
    if not match:
        raise ValueError(f"{file_name}: an attlog file must be named <device serial>_attlog.dat")
    return match.group("device_sn")


def read_attlog(path: Path) -> Validated:
    """Parse one device's attlog into ``zk_punches`` rows; short or cut lines are quarantined."""
    device_sn = device_sn_from_name(path.name)
    text = decode_text(path.read_bytes(), path.name)
    records: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for number, line, terminated in numbered_lines(text):
        if not line.strip():
            continue
        ref = f"{path.name}:{number}"
        fields = line.split("\t")
        if len(fields) < ATTLOG_FIELDS:
            cut = "" if terminated else " (last line has no line break: the file was cut mid-write)"
            reason = f"expected {ATTLOG_FIELDS} tab-separated fields, got {len(fields)}{cut}"
            problems.append(RowProblem(ref, reason, {"device_sn": device_sn, "line": line}))
            continue
        pin, punch_time, verify, state, work_code = (field.strip() for field in fields[:5])
        records.append(
            {
                "device_sn": device_sn,
                "pin": pin,
                "punch_time_local": punch_time,
                "verify_type": verify,
                "punch_state": state,
                "work_code": work_code,
                "_source_ref": ref,
            }
        )
    return validate_table(TABLE, raw_frame(TABLE, records), problems_frame(problems))


def read_punch_export(path: Path) -> Validated:
    """Parse the attendance software's CSV export (考勤号码, 打卡时间 or 日期 + 时间, 机器号, 出入状态 ...)."""
    records, problems = read_mapped_records(path, PUNCH_EXPORT)
    for record in records:
        if not record.get("punch_time_local"):
            day, clock = record.pop("punch_date", None) or "", record.pop("punch_clock", None) or ""
            record["punch_time_local"] = normalize_timestamp(f"{day} {clock}") if day and clock else ""
        state, verify = (record.get("punch_state") or "").strip(), (record.get("verify_type") or "").strip()
        record["punch_state"] = PUNCH_STATE_LABELS.get(state.lower(), state)
        record["verify_type"] = VERIFY_TYPE_LABELS.get(verify.lower(), verify)
    return validate_table(TABLE, raw_frame(TABLE, records), problems_frame(problems))
