"""The inbox: one folder per week (``<inbox>/<week_start>/``) into which exports are dropped.

This module decides *which* files of a week are read and *how their bytes become text rows*: names are
checked so that nothing outside the inbox can be read (a name like ``../../etc/passwd`` or a symlink that
leads out is refused), byte-identical copies dropped under a second name are skipped (people re-upload),
and text is decoded as UTF-8 (with or without BOM) or, failing that, GBK (what Chinese Windows software
writes). Mapping rows onto raw tables happens in the per-source readers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from connectors.files.column_maps import IGNORED, ColumnMap, map_header, normalize_cells
from connectors.files.schemas import raw_frame, validate_table
from connectors.quality import QUARANTINE_COLUMNS, Validated, empty_quarantine

log = logging.getLogger(__name__)

ATTLOG_NAME = re.compile(r"^(?P<device_sn>[A-Za-z0-9][A-Za-z0-9_.-]*)_attlog\.dat$")
PUNCH_EXPORT_NAME = re.compile(r"^attendance_export[A-Za-z0-9_.-]*\.csv$")
PUNCH_EXPORT_XLSX_NAME = re.compile(r"^attendance_export[A-Za-z0-9_.-]*\.xlsx$")
# One sheet per manager and week (``goal_sheet_<team>.xlsx``); a corrected re-send may be saved as ``... (2).csv``.
GOAL_SHEET_NAME = re.compile(r"^goal_sheet[^/\\\x00-\x1f]*\.(?P<ext>csv|xlsx)$")
HELPDESK_TICKETS_NAME = re.compile(r"^helpdesk_tickets[^/\\\x00-\x1f]*\.csv$")
REDEMPTION_REQUESTS_NAME = re.compile(r"^redemption_requests[^/\\\x00-\x1f]*\.csv$")
TRAINING_COMPLETIONS_NAME = re.compile(r"^training_completions[^/\\\x00-\x1f]*\.csv$")
ACTIVITY_FEEDBACK_NAME = re.compile(r"^activity_feedback[^/\\\x00-\x1f]*\.csv$")
# 生意参谋 exports: the hub's own name, or the name Sycm gives its downloads (【生意参谋平台】商品_全部_<dates>.xlsx).
TAOBAO_ITEM_METRICS_NAME = re.compile(r"^(?:taobao_item_metrics|【生意参谋平台】商品)[^/\\\x00-\x1f]*\.xlsx$")
TAOBAO_PAGE_METRICS_NAME = re.compile(r"^(?:taobao_page_metrics|【生意参谋平台】页面)[^/\\\x00-\x1f]*\.xlsx$")
FIXED_NAMES = {
    "hr_roster.csv": "hr_roster",
    "employee_identity.csv": "employee_identity",
    "shift_roster.csv": "shift_roster",
    "leave_requests.csv": "leave_requests",
    "creative_registry.csv": "creative_registry",
    "product_registry.csv": "product_registry",
    "project_pnl.csv": "project_pnl",
    "activity_events.jsonl": "activity_events",
    "cs_inquiries.csv": "cs_inquiries",
    "promotion_calendar.csv": "promotion_calendar",
    "shift_requests.csv": "shift_requests",
    "activity_calendar.csv": "activity_calendar",
}


class UnsafePathError(ValueError):
    """A file name that would read outside the inbox."""


class InboxEncodingError(ValueError):
    """A file that is neither UTF-8 nor GBK text."""


@dataclass(frozen=True)
class InboxFile:
    path: Path
    kind: str
    sha256: str


@dataclass(frozen=True)
class SkippedFile:
    name: str
    reason: str
    sha256: str


@dataclass(frozen=True)
class WeekListing:
    """What a week's folder holds: files to read (sorted by name) and files set aside, with why."""

    folder: Path
    files: list[InboxFile]
    skipped: list[SkippedFile]


@dataclass(frozen=True)
class RowProblem:
    """A line that could not even be split into the table's columns: quarantined as it was."""

    source_ref: str
    reason: str
    payload: dict[str, object]


def file_kind(name: str) -> str | None:
    """The reader a file name calls for, or ``None`` when the name is not one the inbox expects."""
    if name in FIXED_NAMES:
        return FIXED_NAMES[name]
    if ATTLOG_NAME.match(name):
        return "zk_attlog"
    if PUNCH_EXPORT_NAME.match(name):
        return "punch_export"
    if PUNCH_EXPORT_XLSX_NAME.match(name):
        return "punch_export_xlsx"
    goal_sheet = GOAL_SHEET_NAME.match(name)
    if goal_sheet:
        return "goal_sheet" if goal_sheet["ext"] == "csv" else "goal_sheet_xlsx"
    if HELPDESK_TICKETS_NAME.match(name):
        return "helpdesk_tickets"
    if REDEMPTION_REQUESTS_NAME.match(name):
        return "redemption_requests"
    if ACTIVITY_FEEDBACK_NAME.match(name):
        return "activity_feedback"
    if TRAINING_COMPLETIONS_NAME.match(name):
        return "training_completions"
    if TAOBAO_ITEM_METRICS_NAME.match(name):
        return "taobao_item_metrics_xlsx"
    if TAOBAO_PAGE_METRICS_NAME.match(name):
        return "taobao_page_metrics_xlsx"
    return None


def week_folder(inbox_dir: Path, week_start: date) -> Path:
    if not isinstance(week_start, date) or week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday date, got {week_start!r}")
    return Path(inbox_dir) / week_start.isoformat()


def safe_inbox_path(folder: Path, name: str) -> Path:
    """``folder / name`` if that names a file directly inside ``folder``; otherwise refuse."""
    if not name or name in {".", ".."} or any(sep in name for sep in ("/", "\\", "\x00")):
        raise UnsafePathError(f"refusing inbox file name {name!r}: it is not a plain file name")
    candidate = Path(folder) / name
    if not candidate.resolve().is_relative_to(Path(folder).resolve()):
        raise UnsafePathError(f"refusing inbox file {name!r}: it resolves outside {folder}")
    return candidate


def unsafe_archive_members(path: Path) -> list[str]:
    """Names inside a zip (an XLSX is one) that would land outside it if extracted: absolute, drive-qualified or
    with a ``..`` part. No reader extracts to disk, but such a file is crafted, never exported by real software.
    A file that is not a zip gives ``[]``: its reader reports that with a clearer message."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    unsafe = []
    for name in names:
        parts = re.split(r"[/\\]", name)
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\x00" in name:
            unsafe.append(name)
    return unsafe


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def list_week_files(inbox_dir: Path, week_start: date) -> WeekListing:
    """The week's readable files; byte-identical copies and unexpected names are skipped and reported.

    Of identical copies the one with an expected name (then the shorter, then the first by name) is kept.
    """
    folder = week_folder(inbox_dir, week_start)
    if not folder.is_dir():
        raise FileNotFoundError(f"no inbox folder for week {week_start}: {folder}")
    paths: list[Path] = []
    skipped: list[SkippedFile] = []
    for name in sorted(entry.name for entry in folder.iterdir()):
        try:
            paths.append(safe_inbox_path(folder, name))
        except UnsafePathError as error:  # a symlink leading out: set aside, the week's other files still load
            skipped.append(SkippedFile(name, f"{error}; not read", ""))
    regular = [p for p in paths if p.is_file()]
    skipped += [SkippedFile(p.name, "not a regular file", "") for p in paths if not p.is_file()]
    digests = {p.name: sha256_of(p) for p in regular}
    preference = sorted(regular, key=lambda p: (file_kind(p.name) is None, len(p.name), p.name))
    kept_by_digest: dict[str, str] = {}
    files: list[InboxFile] = []
    for path in preference:
        digest = digests[path.name]
        if digest in kept_by_digest:
            reason = f"duplicate of {kept_by_digest[digest]} (identical sha256); skipped"
            skipped.append(SkippedFile(path.name, reason, digest))
            continue
        kept_by_digest[digest] = path.name
        kind = file_kind(path.name)
        if kind is None:
            skipped.append(SkippedFile(path.name, "unrecognised file name; not read", digest))
            continue
        escaping = unsafe_archive_members(path) if kind.endswith("_xlsx") else []
        if escaping:
            reason = f"archive member name(s) {escaping[:5]} point outside the archive (zip-slip); not read"
            skipped.append(SkippedFile(path.name, reason, digest))
            continue
        files.append(InboxFile(path, kind, digest))
    for item in skipped:
        log.warning("inbox %s: skipping %s: %s", week_start, item.name, item.reason)
    return WeekListing(folder, sorted(files, key=lambda f: f.path.name), sorted(skipped, key=lambda s: s.name))


def decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (a BOM is dropped), else GBK (as GB18030, its superset); else a clear error."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InboxEncodingError(
            f"{file_name}: cannot decode as UTF-8 or GBK (bad byte at offset {error.start}); "
            "re-export the file as UTF-8 or GBK CSV"
        ) from None


def numbered_lines(text: str) -> Iterable[tuple[int, str, bool]]:
    """``(line number, line without its line break, whether a line break ended it)``; CRLF or LF."""
    lines = text.split("\n")
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if index == last and line == "":
            return
        yield index + 1, line.removesuffix("\r"), index < last


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """CSV records numbered as a spreadsheet shows them (the header is row 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(number, row) for number, row in enumerate(reader, start=1)]


def problems_frame(problems: list[RowProblem]) -> pd.DataFrame:
    if not problems:
        return empty_quarantine()
    records = [
        {
            "source_ref": p.source_ref,
            "reason": p.reason,
            "payload": json.dumps(p.payload, ensure_ascii=False, sort_keys=True),
        }
        for p in problems
    ]
    return pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS).astype("string")


def read_mapped_records(path: Path, column_map: ColumnMap) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    """Decode a CSV export and map its header: records keyed by canonical column, plus unsplittable rows."""
    text = decode_text(path.read_bytes(), path.name)
    rows = csv_rows(text)
    if not rows:
        raise ValueError(f"{path.name}: the file is empty (expected a header row)")
    _, header = rows[0]
    columns = map_header(header, column_map, path.name)
    records: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for number, cells in rows[1:]:
        ref = f"{path.name}:{number}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            reason = f"expected {len(columns)} fields as in the header, got {len(cells)}"
            problems.append(RowProblem(ref, reason, {"cells": cells}))
            continue
        record: dict[str, str | None] = {c: v for c, v in zip(columns, cells, strict=True) if c != IGNORED}
        record = normalize_cells(record, column_map)
        record["_source_ref"] = ref
        records.append(record)
    return records, problems


def read_mapped_csv(path: Path, column_map: ColumnMap, table: str) -> Validated:
    """Read one CSV export into ``table``'s raw columns, validated; bad rows quarantined with a reason."""
    records, problems = read_mapped_records(path, column_map)
    return validate_table(table, raw_frame(table, records), problems_frame(problems))
