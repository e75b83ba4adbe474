"""Sensors that start runs when data arrives, instead of waiting for Monday's schedule.

- ``inbox_sensor``: a file dropped in (or changed in) the inbox folder of the week in progress or the week just
  ended starts a run of that week's file ingestion and everything downstream, once the folder has been quiet for
  ``INBOX_SETTLE_SECONDS`` (so a file still being copied is not read half-written).
- ``late_data_sensor``: when a load brings punches for an earlier week that no earlier load had (a device uploading
  offline logs, a correction found by the apps' lookback re-read), Jira work for an earlier week (a worklog
  edited later) or a change to an earlier week's Shopify order (a refund or cancellation), that earlier week's
  marts, scores and exports are recomputed, so late data changes the week it belongs to instead of being skipped.
  A week whose payroll was already released is then paid the difference in an adjustment (negative if pay shrank).

Run keys make both idempotent: the same folder state or the same late load never starts two runs.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from connectors.punch_times import PUNCH_TIME_COLUMNS
from orchestration.defs.ingestion.inbox import TABLES as INBOX_TABLES
from orchestration.defs.partitions import weekly_partitions
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.ingest import LATE_WEEKS
from orchestration.settings import load_settings
from scoring.weeks import parse_week

INBOX_SETTLE_SECONDS = 10
PUNCH_TABLE_KEYS = [raw_key(table) for table in PUNCH_TIME_COLUMNS]
# Loads that can bring data for an earlier week and say so in their `late_weeks` metadata: punches, Jira work (a
# worklog edited or an issue resolved after its week was scored changes that week's goal actuals) and Shopify orders
# (a refund or cancellation of an earlier week's order shrinks that week's pools and joint pay). Only the orders
# table is watched: its lines come in the same load, which reports the same weeks.
LATE_DATA_KEYS = [*PUNCH_TABLE_KEYS, raw_key("jira_work_issues"), raw_key("jira_worklogs"), raw_key("shopify_orders")]

# Whole multi-assets (scoring writes several tables in one step) are run together: they cannot be split.
inbox_and_downstream = (
    dg.AssetSelection.assets(*(raw_key(table) for table in INBOX_TABLES)).downstream().required_multi_asset_neighbors()
)
recompute_after_late_data = (
    dg.AssetSelection.assets(*LATE_DATA_KEYS).downstream() - dg.AssetSelection.groups("ingestion")
).required_multi_asset_neighbors() - dg.AssetSelection.groups("ingestion")


def folder_fingerprint(folder: Path) -> tuple[str, float] | None:
    """A digest of the folder's file names, sizes and modification times, and its newest modification time."""
    if not folder.is_dir():
        return None
    entries = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file())
    if not entries:
        return None
    digest = hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]
    return digest, max(mtime for _, _, mtime in entries) / 1e9


def weeks_to_watch(now: datetime, timezone: str) -> list[date]:
    """The week in progress and the week just ended (files for a week often arrive the Monday after)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(days=7), monday]


@dg.sensor(
    name="inbox_sensor",
    target=inbox_and_downstream,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or changed files in this or last week's inbox folder: load that week and recompute downstream.",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> Iterator[dg.RunRequest | dg.SkipReason]:
    settings = load_settings()
    requested = False
    for week in weeks_to_watch(datetime.now(ZoneInfo(settings.timezone)), settings.timezone):
        fingerprint = folder_fingerprint(settings.inbox_dir / week.isoformat())
        if fingerprint is None:
            continue
        digest, newest = fingerprint
        if time.time() - newest < INBOX_SETTLE_SECONDS:
            continue  # still being written; the next tick looks again
        requested = True
        yield dg.RunRequest(run_key=f"inbox:{week.isoformat()}:{digest}", partition_key=week.isoformat())
    if not requested:
        yield dg.SkipReason("no settled inbox folder for this or last week")


def _late_weeks(materialization: dg.AssetMaterialization) -> list[str]:
    late = materialization.metadata.get(LATE_WEEKS)
    weeks = list(late.value) if late is not None else []
    return [week for week in weeks if week != materialization.partition]


@dg.sensor(
    name="late_data_sensor",
    target=recompute_after_late_data,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A punch, Jira work or Shopify order load that touches earlier weeks recomputes those weeks' marts, "
    "scores and exports.",
)
def late_data_sensor(context: dg.SensorEvaluationContext) -> Iterator[dg.RunRequest | dg.SkipReason]:
    cursor: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    first_week = parse_week(load_settings().first_week)
    requests = 0
    for key in LATE_DATA_KEYS:
        name = key.to_user_string()
        after = cursor.get(name)
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_storage_id=after), limit=1000, ascending=after is not None
        ).records
        if after is None:  # first look: start from now, do not replay history
            cursor[name] = max((record.storage_id for record in records), default=0)
            continue
        for record in records:
            materialization = record.asset_materialization
            for week in _late_weeks(materialization) if materialization else []:
                if parse_week(week) >= first_week and weekly_partitions.has_partition_key(week):
                    requests += 1
                    yield dg.RunRequest(run_key=f"late:{name}:{record.storage_id}:{week}", partition_key=week)
            cursor[name] = max(cursor[name], record.storage_id)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not requests:
        yield dg.SkipReason("no load touched an earlier week")
