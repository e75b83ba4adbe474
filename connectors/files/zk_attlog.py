"""ZKTeco punches from files: the device's USB ``<SN>_attlog.dat`` and the vendor software's CSV and XLSX exports.

``attlog.dat`` is tab-separated ``PIN, YYYY-MM-DD HH:MM:SS, verify, state, workcode, reserved`` in naive
device-local time. A USB copy pulled out mid-write ends in a cut line; that line is quarantined, never a
crash. Values stay as the device wrote them (PIN ``00012`` keeps its zeros); dbt maps codes and time zones.
The device log is a snapshot of everything it holds, so rows outside the week are kept for dbt to filter.

The XLSX export goes through the same column map as the CSV one. Cells arrive typed, so they are turned into the
text a CSV would hold: numbers in id columns as integers (a PIN cell ``123`` is ``"123"``; zeros Excel already
dropped from a number cell cannot come back, so exports should keep PIN columns as text), date and time cells as
``YYYY-MM-DD`` / ``HH:MM:SS``, serial numbers as the map's Excel-serial parsing expects. Only one plain header row
on one worksheet is accepted, and size limits keep a huge or zip-bomb file from exhausting memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from connectors.files.column_maps import (
    IGNORED,
    PUNCH_EXPORT,
    PUNCH_STATE_LABELS,
    VERIFY_TYPE_LABELS,
    ColumnMap,
    HeaderError,
    map_header,
    normalize_cells,
    normalize_header,
    normalize_timestamp,
)
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

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

TABLE = "zk_punches"
ATTLOG_FIELDS = 6  # PIN, time, verify, state, workcode, reserved

MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_ROWS = 1_000_000  # data rows below the header
MAX_XLSX_UNPACKED_BYTES = 1024 * 1024 * 1024  # what the zip may expand to: a small file can unpack to gigabytes
_MERGE_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"
)
_SCAN_CHUNK = 1 << 20
_SCAN_OVERLAP = 512  # longer than any <mergeCell .../> element, so none is cut between two chunks


class FileTooLargeError(ValueError):
    """An export beyond the size limits (bytes, unpacked bytes or rows): export a shorter period per file."""


class _CellError(ValueError):
    """A cell whose type cannot be what its column holds (a date where an id belongs)."""


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
    return _punch_export_table(records, problems)


def read_punch_export_xlsx(path: Path) -> Validated:
    """Parse the attendance software's XLSX export: the same columns as its CSV export, on one worksheet."""
    records, problems = read_xlsx_records(path, PUNCH_EXPORT)
    return _punch_export_table(records, problems)


def _punch_export_table(records: list[dict[str, str | None]], problems: list[RowProblem]) -> Validated:
    for record in records:
        if not record.get("punch_time_local"):
            day, clock = record.pop("punch_date", None) or "", record.pop("punch_clock", None) or ""
            record["punch_time_local"] = normalize_timestamp(f"{day} {clock}") if day and clock else ""
        state, verify = (record.get("punch_state") or "").strip(), (record.get("verify_type") or "").strip()
        record["punch_state"] = PUNCH_STATE_LABELS.get(state.lower(), state)
        record["verify_type"] = VERIFY_TYPE_LABELS.get(verify.lower(), verify)
    return validate_table(TABLE, raw_frame(TABLE, records), problems_frame(problems))


# ---------- XLSX


def read_xlsx_records(
    path: Path, column_map: ColumnMap, *, refuse_merged_cells: bool = False
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    """The worksheet's rows keyed by canonical column, as text, plus the rows that could not be mapped.

    ``_source_ref`` is ``<file>:<sheet>!R<row>`` (the row number Excel shows). Raises ``HeaderError`` for a
    merged, missing or second header row (with ``refuse_merged_cells``, for a merged cell anywhere: a sheet typed
    by hand often merges one week cell over many rows, which would leave all but one of them blank),
    ``FileTooLargeError`` over the limits, ``ValueError`` for a file that is not an XLSX workbook or holds several
    worksheets with data.
    """
    _check_file_size(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ValueError(f"{path.name}: not a readable XLSX workbook ({error}); save it as .xlsx or CSV") from None
    try:
        sheet = _only_sheet_with_data(workbook, path.name)
        if sheet.max_row is not None and sheet.max_row - 1 > MAX_XLSX_ROWS:
            raise FileTooLargeError(_too_many_rows(path.name, sheet.max_row - 1))
        sheet.reset_dimensions()  # some writers record a wrong size: read every row the sheet really has
        merged = [ref for ref in _merged_ranges(path, sheet) if refuse_merged_cells or range_boundaries(ref)[1] == 1]
        if merged and refuse_merged_cells:
            raise HeaderError(
                f"{path.name}: merged cell(s) {', '.join(merged)} on sheet {sheet.title!r}; the sheet must have one "
                "plain header row and one value per cell (unmerge the cells and fill every row)"
            )
        if merged:
            raise HeaderError(
                f"{path.name}: merged header cell(s) {', '.join(merged)} on sheet {sheet.title!r}; "
                "the export must have one plain header row (unmerge the cells)"
            )
        return _mapped_sheet_rows(path.name, sheet.title, sheet.iter_rows(values_only=True), column_map)
    finally:
        workbook.close()


def _check_file_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise FileTooLargeError(
            f"{path.name}: {size:,} bytes is over the {MAX_XLSX_BYTES:,}-byte limit for an XLSX export; "
            "export a shorter period per file"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path.name}: not an XLSX workbook (not a zip archive: an old .xls renamed?); save it as .xlsx or CSV"
        ) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileTooLargeError(
            f"{path.name}: unpacks to {unpacked:,} bytes, over the {MAX_XLSX_UNPACKED_BYTES:,}-byte limit; "
            "export a shorter period per file"
        )


def _too_many_rows(file_name: str, rows: int) -> str:
    return f"{file_name}: {rows:,} rows is over the {MAX_XLSX_ROWS:,}-row limit; export a shorter period per file"


def _only_sheet_with_data(workbook: openpyxl.Workbook, file_name: str) -> ReadOnlyWorksheet:
    """The first worksheet; refuse a workbook whose other worksheets hold anything (their rows would be lost)."""
    sheets = workbook.worksheets
    if not sheets:
        raise ValueError(f"{file_name}: the workbook has no worksheet")
    others = [sheet.title for sheet in sheets[1:] if _has_cells(sheet)]
    if others:
        raise ValueError(
            f"{file_name}: rows are read from one worksheet, but sheets {[sheets[0].title, *others]} hold data; "
            "export one sheet per file"
        )
    return sheets[0]


def _has_cells(sheet: ReadOnlyWorksheet) -> bool:
    sheet.reset_dimensions()
    return any(_filled(value) for row in sheet.iter_rows(values_only=True) for value in row)


def _merged_ranges(path: Path, sheet: ReadOnlyWorksheet) -> list[str]:
    """The sheet's merged ranges (``A1:B1``). Read-only mode does not load them, so the sheet's XML is scanned:
    a literal ``<mergeCell`` can only be markup (text content escapes ``<``)."""
    part = sheet._worksheet_path  # openpyxl's name of the sheet's part inside the zip
    refs: set[str] = set()
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            window = tail + chunk
            if b"mergeCell" in window:
                refs.update(match.group(1).decode("ascii").upper() for match in _MERGE_REF.finditer(window))
            tail = window[-_SCAN_OVERLAP:]
    return sorted(refs)


def _mapped_sheet_rows(
    file_name: str, sheet_title: str, rows: Iterator[tuple[object, ...]], column_map: ColumnMap
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    numbered = enumerate(rows, start=1)
    first, second = next(numbered, None), next(numbered, None)
    if first is None or not any(_filled(value) for value in first[1]):
        raise HeaderError(f"{file_name}: row 1 of sheet {sheet_title!r} must be the header row, and it is empty")
    columns = _header_columns(file_name, sheet_title, first[1], second[1] if second else (), column_map)
    records: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for number, cells in _chain(second, numbered):
        if number - 1 > MAX_XLSX_ROWS:
            raise FileTooLargeError(_too_many_rows(file_name, number - 1))
        if not any(_filled(value) for value in cells):
            continue
        ref = f"{file_name}:{sheet_title}!R{number}"
        if any(_filled(value) for value in cells[len(columns) :]):
            problems.append(RowProblem(ref, f"values beyond the header's {len(columns)} columns", _payload(cells)))
            continue
        padded = [*cells, *([None] * (len(columns) - len(cells)))]
        try:
            record: dict[str, str | None] = {
                column: _cell_text(value, column, column_map)
                for column, value in zip(columns, padded, strict=False)
                if column != IGNORED
            }
        except _CellError as error:
            problems.append(RowProblem(ref, str(error), _payload(cells)))
            continue
        record = normalize_cells(record, column_map)
        record["_source_ref"] = ref
        records.append(record)
    return records, problems


def _chain(
    second: tuple[int, tuple[object, ...]] | None, rest: Iterator[tuple[int, tuple[object, ...]]]
) -> Iterator[tuple[int, tuple[object, ...]]]:
    if second is not None:
        yield second
    yield from rest


def _header_columns(
    file_name: str,
    sheet_title: str,
    header: Sequence[object],
    next_row: Sequence[object],
    column_map: ColumnMap,
) -> list[str]:
    """Map row 1; a second header row (a title above the header, or grouped headers) is refused by name."""
    cells = _without_trailing_blanks([_plain(value) for value in header])
    below = _without_trailing_blanks([_plain(value) for value in next_row])
    try:
        columns = map_header(cells, column_map, file_name)
    except HeaderError:
        if _maps(below, column_map, file_name):
            raise HeaderError(
                f"{file_name}: row 2 of sheet {sheet_title!r} is the header row, below a title or group row: "
                "the export must have exactly one header row, in row 1 (delete the rows above it)"
            ) from None
        raise
    names = [normalize_header(cell) for cell in below if cell.strip()]
    if len(names) >= 2 and all(name in column_map.synonyms for name in names):
        raise HeaderError(
            f"{file_name}: rows 1 and 2 of sheet {sheet_title!r} are both header rows; "
            "the export must have exactly one header row"
        )
    return columns


def _maps(cells: list[str], column_map: ColumnMap, file_name: str) -> bool:
    try:
        map_header(cells, column_map, file_name)
    except HeaderError:
        return False
    return bool(cells)


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    """Formatting often widens a sheet past its last column: blank cells after the header's end are not columns."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _plain(value: object) -> str:
    return "" if value is None else str(value)


def _payload(cells: Sequence[object]) -> dict[str, object]:
    return {"cells": [_plain(value) for value in cells]}


def _cell_text(value: object, column: str, column_map: ColumnMap) -> str | None:
    """One typed cell as the text a CSV export holds in that column (before the map's normalisation)."""
    if value is None:
        return None
    if column in column_map.date_columns:
        return _date_text(value)
    if column in column_map.clock_columns:
        return _clock_text(value)
    if column in column_map.timestamp_columns:
        return _timestamp_text(value)
    if isinstance(value, (datetime, date, time, timedelta)):
        raise _CellError(
            f"{column} holds a date/time cell ({value}) where an id or code belongs (Excel converted it?); "
            "format the column as text and export again"
        )
    return _number_text(value)


def _number_text(value: object) -> str:
    """Integers without a decimal point (a PIN cell 123 is ``"123"``, also when Excel stored ``123.0``)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _to_second(moment: datetime) -> datetime:
    """Excel keeps times as binary fractions of a day: round to the second that was typed."""
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _seconds_of_day(value: time | timedelta) -> int:
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return min(round(value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6), 86_399)


def _date_text(value: object) -> str:
    if isinstance(value, datetime):
        return _to_second(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _number_text(value)


def _clock_text(value: object) -> str:
    if isinstance(value, datetime):
        value = _to_second(value).time()
    if isinstance(value, (time, timedelta)):
        seconds = _seconds_of_day(value)
        if not 0 <= seconds < 86_400:
            return str(value)  # a duration of a day or more is no clock time: validation shows it
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return _number_text(value)


def _timestamp_text(value: object) -> str:
    if isinstance(value, datetime):
        return _to_second(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return f"{value.isoformat()} 00:00:00"
    return _number_text(value)
