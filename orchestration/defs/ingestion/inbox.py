"""File exports dropped in the inbox: device logs, HR system exports, registries, P&L, the activity feed, managers'
weekly goal sheets (``raw/goal_sheet_rows``), the helpdesk's ticket export (``raw/helpdesk_tickets``), points
redemption requests (``raw/redemption_requests``), training completions (``raw/training_completions``) and activity
feedback scores (``raw/activity_feedback``)."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from connectors.files import INBOX_FILES_TABLE, RAW_TABLES, SOURCE, quarantine_by_table, read_inbox_week
from connectors.quality import Validated
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import InboxResource, WarehouseResource
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.ingest import load_week, partition_week, punch_window, quarantine_checks, raw_specs
from orchestration.settings import load_settings

TABLES = list(RAW_TABLES)


@dg.multi_asset(
    specs=raw_specs(
        TABLES,
        "Loaded from the week's inbox folder (ZK attlog.dat, HR exports, registries, feed, goal sheets, tickets, "
        "redemption requests, training completions, activity feedback).",
        {"file"},
        source=SOURCE,
    ),
    check_specs=quarantine_checks(TABLES),
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    name="inbox_file_exports",
)
def inbox_file_exports(
    context: dg.AssetExecutionContext, inbox: InboxResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    frames = read_inbox_week(Path(inbox.path), week)
    quarantine = quarantine_by_table(frames)
    validated = {table: Validated(frames[table], quarantine[table]) for table in TABLES}
    settings = load_settings()
    site = load_attendance_config(settings.attendance_config_path)
    window = punch_window(week, settings.timezone, site.max_punch_age_days)
    yield from load_week(
        warehouse.path, SOURCE, week, validated, {INBOX_FILES_TABLE: quarantine[INBOX_FILES_TABLE]}, window
    )
