"""The Taobao store's 生意参谋 (Sycm) XLSX exports: 商品 (item) and 页面 (page) traffic per day, Chinese headers.

There is no public TOP API for these metrics (docs/reference: source_apis.md 2.3), so operators download them
from 生意参谋 and drop them in the inbox. The exports look the way Sycm writes them, not like a clean table:

- one or more title rows above the header (``【生意参谋平台】商品``, ``统计日期：2026-03-02 ~ 2026-03-08``), often
  merged across the sheet; the date range they state is the file's period (``period_start``/``period_end``);
- numbers as text with thousands separators (``1,234``), rates as percentages (``3.25%``, kept as ``0.0325``),
  ``-`` where Sycm has no value.

Each row is quarantined with its reason rather than dropped: a header this map does not know (every row of the
file, since Sycm adds metrics over time and someone must decide what a new column means), a value that is not a
number, a negative count, a day outside the period the file states or outside the inbox week it was delivered in,
and the same item (or page) and day twice. Rows in = rows kept + rows quarantined.

A page row's 页面名称 starts with the creative id the page shows (the shop names its designed pages that way, as
it names GA4 promotions); dbt takes the creative from it.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from connectors.files.column_maps import (
    IGNORED,
    TAOBAO_ITEM_METRICS,
    TAOBAO_PAGE_METRICS,
    ColumnMap,
    HeaderError,
    map_header,
    normalize_cells,
    normalize_date,
    normalize_header,
)
from connectors.files.inbox import RowProblem, problems_frame
from connectors.files.planning_exports import percent_to_decimal_text
from connectors.files.schemas import raw_frame, validate_table
from connectors.files.zk_attlog import (
    MAX_XLSX_ROWS,
    FileTooLargeError,
    _cell_text,
    _CellError,
    _check_file_size,
    _filled,
    _merged_ranges,
    _only_sheet_with_data,
    _plain,
    _without_trailing_blanks,
)
from connectors.quality import Validated

ITEM_TABLE = "taobao_item_metrics"
PAGE_TABLE = "taobao_page_metrics"
MAX_TITLE_ROWS = 10
"""Sycm puts a few title / date-range rows above the header; a header further down is not one of its exports."""
NO_VALUE = frozenset({"-", "--", "—", "/"})
_DAY = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
_PERIOD = re.compile(rf"({_DAY})\s*(?:~|～|至|到|—|–|_|\s-\s)\s*({_DAY})")
_SINGLE_DAY = re.compile(rf"(?:统计日期|日期|时间)\s*[:：]\s*({_DAY})\s*$")
_KEYS = {ITEM_TABLE: ("stat_date", "item_id"), PAGE_TABLE: ("stat_date", "page_id")}


def read_taobao_item_metrics(path: Path) -> Validated:
    """A 生意参谋 商品 export (one row per item and day) -> ``taobao_item_metrics``."""
    return _read_sycm_export(path, TAOBAO_ITEM_METRICS, ITEM_TABLE)


def read_taobao_page_metrics(path: Path) -> Validated:
    """A 生意参谋 页面 export (one row per store page and day) -> ``taobao_page_metrics``."""
    return _read_sycm_export(path, TAOBAO_PAGE_METRICS, PAGE_TABLE)


def _read_sycm_export(path: Path, column_map: ColumnMap, table: str) -> Validated:
    _check_file_size(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ValueError(f"{path.name}: not a readable XLSX workbook ({error}); export it again as .xlsx") from None
    try:
        sheet = _only_sheet_with_data(workbook, path.name)
        if sheet.max_row is not None and sheet.max_row - 1 > MAX_XLSX_ROWS + MAX_TITLE_ROWS:
            raise FileTooLargeError(_too_many_rows(path.name, sheet.max_row - 1))
        sheet.reset_dimensions()
        merged = _merged_ranges(path, sheet)
        records, problems = _sheet_records(path, sheet.title, sheet.iter_rows(values_only=True), column_map, merged)
    finally:
        workbook.close()
    kept, duplicates = _split_duplicates(records, _KEYS[table])
    return validate_table(table, raw_frame(table, kept), problems_frame([*problems, *duplicates]))


def _sheet_records(
    path: Path,
    sheet_title: str,
    rows: Iterator[tuple[object, ...]],
    column_map: ColumnMap,
    merged: Sequence[str],
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    file_name = path.name
    numbered = enumerate(rows, start=1)
    titles: list[str] = []
    header_number, header = 0, [""]
    for number, cells in numbered:
        texts = _without_trailing_blanks([_plain(value) for value in cells])
        if _looks_like_header(texts, column_map):
            header_number, header = number, texts
            break
        if number > MAX_TITLE_ROWS:
            break
        titles.extend(text for text in texts if text.strip())
    if not header_number:
        raise HeaderError(
            f"{file_name}: no {column_map.name} header row (统计日期, ...) in the first {MAX_TITLE_ROWS + 1} rows "
            f"of sheet {sheet_title!r}; is this a 生意参谋 export of that report?"
        )
    for ref in merged:
        max_row = range_boundaries(ref)[3]
        if max_row is not None and max_row >= header_number:
            raise HeaderError(
                f"{file_name}: merged cell(s) {ref} at or below the header row {header_number} of sheet "
                f"{sheet_title!r}; only the title rows above the header may be merged"
            )
    columns, unknown = _header_columns(header, column_map, file_name)
    period = _file_period(path, titles)
    week = _inbox_week(path)
    records: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for number, cells in numbered:
        if number - header_number > MAX_XLSX_ROWS:
            raise FileTooLargeError(_too_many_rows(file_name, number - header_number))
        if not any(_filled(value) for value in cells):
            continue
        ref = f"{file_name}:{sheet_title}!R{number}"
        payload = {"cells": [_plain(value) for value in cells]}
        if unknown:
            reason = (
                f"unknown header(s) {unknown} in a {column_map.name} export: the whole file is held back until "
                "someone adds them to connectors/files/column_maps.py (or removes the column) and reloads the week"
            )
            problems.append(RowProblem(ref, reason, payload))
            continue
        if any(_filled(value) for value in cells[len(columns) :]):
            problems.append(RowProblem(ref, f"values beyond the header's {len(columns)} columns", payload))
            continue
        padded = [*cells, *([None] * (len(columns) - len(cells)))]
        try:
            record: dict[str, str | None] = {
                column: _metric_text(_cell_text(value, column, column_map), column, column_map)
                for column, value in zip(columns, padded, strict=False)
                if column != IGNORED
            }
        except _CellError as error:
            problems.append(RowProblem(ref, str(error), payload))
            continue
        record = normalize_cells(record, column_map)
        outside = _outside_reason(record.get("stat_date") or "", period, week)
        if outside:
            problems.append(RowProblem(ref, outside, {k: v for k, v in record.items()}))
            continue
        record["period_start"], record["period_end"] = period[0].isoformat(), period[1].isoformat()
        record["_source_ref"] = ref
        records.append(record)
    return records, problems


def _looks_like_header(texts: list[str], column_map: ColumnMap) -> bool:
    """The header row names the day column and at least one other known column (a title row names neither)."""
    names = [normalize_header(text) for text in texts if text.strip()]
    known = [column_map.synonyms[name] for name in names if name in column_map.synonyms]
    return "stat_date" in known and len(known) >= 2


def _header_columns(header: list[str], column_map: ColumnMap, file_name: str) -> tuple[list[str], list[str]]:
    """Canonical columns of the header (``IGNORED`` for unknown ones too) and the unknown headers, as written."""
    unknown = [cell.strip() for cell in header if cell.strip() and normalize_header(cell) not in column_map.synonyms]
    known_only = [cell for cell in header if normalize_header(cell) in column_map.synonyms or not cell.strip()]
    map_header(known_only, column_map, file_name)  # blank header cells, repeated or missing columns: refuse
    columns = [column_map.synonyms.get(normalize_header(cell), IGNORED) for cell in header]
    return columns, unknown


def _metric_text(value: str | None, column: str, column_map: ColumnMap) -> str | None:
    """Sycm's display text as a plain number: ``1,234`` -> ``1234``, ``3.25%`` -> ``0.0325``, ``-`` -> blank."""
    if value is None or column in column_map.date_columns:
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    if text in NO_VALUE:
        return None
    if column in ("item_id", "page_id", "item_name", "outer_id", "page_name", "page_type"):
        return text
    text = text.replace(",", "")
    return percent_to_decimal_text(text) if text.endswith("%") else text


def _file_period(path: Path, titles: list[str]) -> tuple[date, date]:
    """The date range the title rows state; without one, the inbox week the file was delivered in."""
    for title in titles:
        folded = unicodedata.normalize("NFKC", title)
        match = _PERIOD.search(folded)
        days = match.groups() if match else None
        if days is None:
            single = _SINGLE_DAY.search(folded)
            days = (single.group(1), single.group(1)) if single else None
        if days is None:
            continue
        first, last = (_as_date(normalize_date(day)) for day in days)
        if first is None or last is None or last < first:
            raise HeaderError(f"{path.name}: the title row's date range {title!r} is not a valid period")
        return first, last
    week = _inbox_week(path)
    if week is None:
        raise HeaderError(
            f"{path.name}: no 统计日期 range in the title rows and the file is not in a week folder of the inbox"
        )
    return week, week + timedelta(days=6)


def _inbox_week(path: Path) -> date | None:
    """The Monday of the inbox folder (``<inbox>/<week_start>/``) holding the file, if it is in one."""
    day = _as_date(path.parent.name)
    return day if day is not None and day.weekday() == 0 else None


def _outside_reason(stat_date: str, period: tuple[date, date], week: date | None) -> str | None:
    day = _as_date(stat_date)
    if day is None:
        return None  # not a date at all: the schema check says so
    if not period[0] <= day <= period[1]:
        return f"date {day} is outside the period the file states ({period[0]} ~ {period[1]})"
    if week is not None and not week <= day <= week + timedelta(days=6):
        return f"date {day} is outside the inbox week {week} the file was delivered in"
    return None


def _split_duplicates(
    records: list[dict[str, str | None]], key_columns: tuple[str, ...]
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    """The first row of an item (page) and day is kept; a repeat is quarantined naming the row it repeats."""
    seen: dict[tuple[str, ...], str] = {}
    kept: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    for record in records:
        key = tuple((record.get(column) or "").strip() for column in key_columns)
        if all(key) and key in seen:
            reason = f"duplicate of {seen[key]}: {' '.join(key)} appears twice in the export (the first is loaded)"
            payload = {k: v for k, v in record.items() if k != "_source_ref"}
            problems.append(RowProblem(str(record["_source_ref"]), reason, payload))
            continue
        if all(key):
            seen[key] = str(record["_source_ref"])
        kept.append(record)
    return kept, problems


def _as_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _too_many_rows(file_name: str, rows: int) -> str:
    return f"{file_name}: {rows:,} rows is over the {MAX_XLSX_ROWS:,}-row limit; export a shorter period per file"
