"""Weekly goal sheets that managers fill in by hand (CSV or XLSX) and drop in the inbox.

One header row, English or Chinese headers (工号, 周, 指标, 单位, 目标, 实际, 权重, 方向, 对齐目标), one row per
employee, week and metric. The sheet is typed by a person, so the connector is strict about what it cannot know and
lenient about spelling: directions may be written ``越高越好``/``越低越好``, weights as ``30%``, weeks as
``2026/3/2`` or an Excel date. Rows that cannot be trusted are quarantined with the reason, never dropped:

- a number cell that is not a number, a week that is not a Monday, an unknown direction, an empty employee id;
- the same goal row twice: the copy is quarantined as a ``duplicate`` and the row is loaded once;
- two rows for the same employee, week and metric with different values: both are quarantined (``conflicting
  duplicate goal rows``), as nobody can tell which one the manager meant.

A missing or zero target is *not* refused here: scoring rejects it with its own reason, so raw keeps it as sent.
Each row records the file's modification time (``file_modified_at``): a manager who re-sends a corrected sheet
replaces the earlier rows downstream (``int_goal_sheet_items``). Merged cells and a second header row refuse the
whole file, as for the punch XLSX exports.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from connectors.files.column_maps import _column_map, normalize_header
from connectors.files.inbox import RowProblem, problems_frame, read_mapped_records
from connectors.files.planning_exports import percent_to_decimal_text
from connectors.files.schemas import raw_frame, validate_table
from connectors.files.zk_attlog import read_xlsx_records
from connectors.quality import Validated

TABLE = "goal_sheet_rows"
GOAL_SHEET = _column_map(
    "goal_sheet",
    {
        "employee_id": ("工号", "员工编号", "员工工号", "employee"),
        "goal_week": ("week_start", "week", "周", "周次", "目标周", "周开始日期"),
        "metric": ("指标", "指标名称", "kpi"),
        "unit": ("单位",),
        "target": ("目标", "目标值"),
        "actual": ("实际", "实际值", "完成值"),
        "weight": ("权重",),
        "direction": ("方向", "指标方向"),
        "objective_id": ("对齐目标", "对齐目标编号", "objective", "okr"),
    },
    optional=("objective_id",),
    ignored=("姓名", "name", "部门", "department", "团队", "team", "备注", "notes", "comment"),
    dates=("goal_week",),
)
NUMBER_COLUMNS = ("target", "actual", "weight")
KEY_COLUMNS = ("employee_id", "goal_week", "metric")
DIRECTION_LABELS = {
    "higherisbetter": "higher_is_better",
    "lowerisbetter": "lower_is_better",
    "越高越好": "higher_is_better",
    "越低越好": "lower_is_better",
}


def read_goal_sheet(path: Path) -> Validated:
    """A goal sheet saved as CSV (UTF-8 with or without BOM, or GBK) -> ``goal_sheet_rows``."""
    records, problems = read_mapped_records(path, GOAL_SHEET)
    return _goal_sheet_table(path, records, problems)


def read_goal_sheet_xlsx(path: Path) -> Validated:
    """A goal sheet saved as XLSX: one worksheet, one plain header row in row 1, no merged cells."""
    records, problems = read_xlsx_records(path, GOAL_SHEET, refuse_merged_cells=True)
    return _goal_sheet_table(path, records, problems)


def _goal_sheet_table(path: Path, records: list[dict[str, str | None]], problems: list[RowProblem]) -> Validated:
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for record in records:
        _normalize(record)
        record["file_modified_at"] = modified
    kept, duplicates = split_duplicates(records)
    return validate_table(TABLE, raw_frame(TABLE, kept), problems_frame([*problems, *duplicates]))


def _normalize(record: dict[str, str | None]) -> None:
    """What a person types differently but means the same: full-width digits, ``30%`` weights, Chinese directions."""
    for column in NUMBER_COLUMNS:
        value = record.get(column)
        if value:
            record[column] = unicodedata.normalize("NFKC", value).strip()
    if record.get("weight"):
        record["weight"] = percent_to_decimal_text(str(record["weight"]))
    direction = (record.get("direction") or "").strip()
    record["direction"] = DIRECTION_LABELS.get(normalize_header(direction), direction)


def split_duplicates(
    records: list[dict[str, str | None]],
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    """Rows kept (file order) and rows quarantined for repeating an employee-week-metric of the same file.

    An exact copy (numbers compared as numbers: ``10`` and ``10.0`` agree) is quarantined and the first row kept;
    rows that disagree are all quarantined, naming the columns they disagree on.
    """
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        key = tuple((record.get(column) or "").strip() for column in KEY_COLUMNS)
        if all(key):
            groups[key].append(index)
    rejected: dict[int, str] = {}
    for key, indices in groups.items():
        if len(indices) < 2:
            continue
        refs = [str(records[i]["_source_ref"]) for i in indices]
        values = [_comparable(records[i]) for i in indices]
        if all(value == values[0] for value in values[1:]):
            for index in indices[1:]:
                rejected[index] = f"duplicate of {refs[0]}: the same goal row again (loaded once)"
            continue
        differing = sorted({column for value in values[1:] for column in value if value[column] != values[0][column]})
        reason = (
            f"conflicting duplicate goal rows: {' '.join(key)} appears at {', '.join(refs)} with different "
            f"{', '.join(differing)}; nobody can tell which one was meant: correct the sheet and send it again"
        )
        for index in indices:
            rejected[index] = reason
    kept = [record for index, record in enumerate(records) if index not in rejected]
    problems = [
        RowProblem(
            str(records[index]["_source_ref"]),
            reason,
            {k: v for k, v in records[index].items() if k not in ("_source_ref", "file_modified_at")},
        )
        for index, reason in sorted(rejected.items())
    ]
    return kept, problems


def _comparable(record: dict[str, str | None]) -> dict[str, object]:
    values: dict[str, object] = {}
    for column in GOAL_SHEET.synonyms.values():
        if not column or column in values:
            continue
        text = (record.get(column) or "").strip()
        values[column] = _as_number(text) if column in NUMBER_COLUMNS else text
    return values


def _as_number(text: str) -> object:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text
