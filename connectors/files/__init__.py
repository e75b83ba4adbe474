"""File connectors: read one week's inbox folder into the raw tables of docs/architecture.md.

``read_inbox_week`` is the single entry point. It returns one frame per raw table fed by files (columns
exactly the contract's business columns plus ``_source_ref`` = ``<file name>:<line or row>``) and a
``quarantine`` frame (``table_name, source_ref, reason, payload``) holding every rejected row and every
file set aside (table ``inbox_files``: duplicates and unexpected names). The warehouse writer adds
``week_start``, ``_source`` and ``_batch_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from connectors.files.activity_calendar import read_activity_calendar
from connectors.files.activity_feed import read_activity_events
from connectors.files.commerce_exports import read_creative_registry, read_product_registry, read_project_pnl
from connectors.files.feedback import read_activity_feedback
from connectors.files.goal_sheets import read_goal_sheet, read_goal_sheet_xlsx
from connectors.files.hr_exports import read_employee_identity, read_hr_roster, read_leave_requests, read_shift_roster
from connectors.files.inbox import SkippedFile, list_week_files
from connectors.files.planning_exports import read_promotion_calendar, read_service_inquiries, read_shift_requests
from connectors.files.redemptions import read_redemption_requests
from connectors.files.schemas import SCHEMAS, raw_frame
from connectors.files.service_tickets import read_service_tickets
from connectors.files.taobao_exports import read_taobao_item_metrics, read_taobao_page_metrics
from connectors.files.training import read_training_completions
from connectors.files.zk_attlog import read_attlog, read_punch_export, read_punch_export_xlsx
from connectors.quality import QUARANTINE_COLUMNS, Validated

SOURCE = "inbox"
"""The ``_source`` the warehouse writer should record for these tables."""
QUARANTINE = "quarantine"
INBOX_FILES_TABLE = "inbox_files"
RAW_TABLES: tuple[str, ...] = tuple(SCHEMAS)

READERS: dict[str, tuple[str, Callable[[Path], Validated]]] = {
    "zk_attlog": ("zk_punches", read_attlog),
    "punch_export": ("zk_punches", read_punch_export),
    "punch_export_xlsx": ("zk_punches", read_punch_export_xlsx),
    "hr_roster": ("hris_employees", read_hr_roster),
    "employee_identity": ("hris_identities", read_employee_identity),
    "shift_roster": ("roster_shifts", read_shift_roster),
    "leave_requests": ("leave_requests", read_leave_requests),
    "creative_registry": ("creative_registry", read_creative_registry),
    "product_registry": ("product_registry", read_product_registry),
    "project_pnl": ("project_pnl", read_project_pnl),
    "activity_events": ("activity_events", read_activity_events),
    "cs_inquiries": ("service_inquiries_hourly", read_service_inquiries),
    "promotion_calendar": ("promotion_calendar", read_promotion_calendar),
    "shift_requests": ("shift_requests", read_shift_requests),
    "goal_sheet": ("goal_sheet_rows", read_goal_sheet),
    "goal_sheet_xlsx": ("goal_sheet_rows", read_goal_sheet_xlsx),
    "helpdesk_tickets": ("helpdesk_tickets", read_service_tickets),
    "redemption_requests": ("redemption_requests", read_redemption_requests),
    "activity_feedback": ("activity_feedback", read_activity_feedback),
    "training_completions": ("training_completions", read_training_completions),
    "activity_calendar": ("activity_calendar", read_activity_calendar),
    "taobao_item_metrics_xlsx": ("taobao_item_metrics", read_taobao_item_metrics),
    "taobao_page_metrics_xlsx": ("taobao_page_metrics", read_taobao_page_metrics),
}

__all__ = [
    "INBOX_FILES_TABLE",
    "QUARANTINE",
    "RAW_TABLES",
    "SOURCE",
    "quarantine_by_table",
    "read_activity_calendar",
    "read_activity_events",
    "read_activity_feedback",
    "read_attlog",
    "read_creative_registry",
    "read_employee_identity",
    "read_goal_sheet",
    "read_goal_sheet_xlsx",
    "read_hr_roster",
    "read_inbox_week",
    "read_leave_requests",
    "read_product_registry",
    "read_project_pnl",
    "read_promotion_calendar",
    "read_punch_export",
    "read_punch_export_xlsx",
    "read_redemption_requests",
    "read_service_inquiries",
    "read_service_tickets",
    "read_shift_requests",
    "read_shift_roster",
    "read_taobao_item_metrics",
    "read_taobao_page_metrics",
    "read_training_completions",
]


def read_inbox_week(inbox_dir: Path, week_start: date) -> dict[str, pd.DataFrame]:
    """Every raw table fed by the week's files (empty frames for absent files) plus ``quarantine``.

    Raises if the week's folder is missing (so an undelivered week never replaces loaded rows with nothing),
    on undecodable text and on unknown or missing headers. A symlink leading out of the inbox, or an XLSX whose
    members climb out of the archive, is set aside in ``inbox_files`` quarantine instead.
    """
    listing = list_week_files(Path(inbox_dir), week_start)
    rows: dict[str, list[pd.DataFrame]] = {table: [] for table in RAW_TABLES}
    rejected: list[pd.DataFrame] = [_skipped_files_quarantine(listing.skipped)]
    for inbox_file in listing.files:
        table, reader = READERS[inbox_file.kind]
        validated = reader(inbox_file.path)
        rows[table].append(validated.rows)
        rejected.append(validated.quarantine.assign(table_name=table))
    frames = {table: _concat(parts, raw_frame(table, [])) for table, parts in rows.items()}
    frames[QUARANTINE] = _concat(rejected, _empty_quarantine())[["table_name", *QUARANTINE_COLUMNS]]
    return frames


def quarantine_by_table(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Split ``frames["quarantine"]`` per table, with an (empty) entry for every table, ready for
    ``connectors.warehouse.replace_quarantine`` (an empty entry clears a previous attempt's rows)."""
    quarantine = frames[QUARANTINE]
    return {
        table: quarantine.loc[quarantine["table_name"] == table, QUARANTINE_COLUMNS].reset_index(drop=True)
        for table in (*RAW_TABLES, INBOX_FILES_TABLE)
    }


def _skipped_files_quarantine(skipped: list[SkippedFile]) -> pd.DataFrame:
    records = [
        {
            "table_name": INBOX_FILES_TABLE,
            "source_ref": item.name,
            "reason": item.reason,
            "payload": json.dumps({"file": item.name, "sha256": item.sha256}, ensure_ascii=False),
        }
        for item in skipped
    ]
    return pd.DataFrame.from_records(records, columns=["table_name", *QUARANTINE_COLUMNS]).astype("string")


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ["table_name", *QUARANTINE_COLUMNS]})


def _concat(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    non_empty = [part for part in parts if not part.empty]
    if not non_empty:
        return empty
    return pd.concat(non_empty, ignore_index=True).astype("string")
