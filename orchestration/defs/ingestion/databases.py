"""Sources read from another system's database: the ZKBioTime attendance server.

Devices upload offline logs late, so each run reads its week, the week before when the site has a lookback, and
every earlier week that received uploads since the last run (``latest_upload_time`` kept in the materialization's
metadata). Rows of earlier weeks are reported as weeks touched; the late-punch sensor recomputes those weeks.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import dagster as dg
import pandas as pd

from connectors.quality import validate_rows
from connectors.zkbiotime import RAW_SCHEMAS, SOURCE, TABLE, ZkBioTimeClient
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import WarehouseResource, ZkBioTimeResource
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.ingest import (
    disabled_source_week,
    load_week,
    partition_week,
    punch_window,
    quarantine_checks,
    raw_specs,
)
from orchestration.settings import load_settings
from scoring.weeks import parse_week

LATEST_UPLOAD = "latest_upload_time"


def weeks_to_read(
    client: ZkBioTimeClient, week: date, lookback_days: int, upload_cursor: str | None, first_week: date
) -> list[date]:
    """The partition's week, the lookback's weeks and the earlier weeks that got uploads after the cursor."""
    weeks = {week}
    if lookback_days:
        earliest = week - timedelta(days=lookback_days)
        weeks.add(earliest - timedelta(days=earliest.weekday()))
    if upload_cursor:
        weeks.update(client.weeks_touched_since(datetime.fromisoformat(upload_cursor)))
    return sorted(w for w in weeks if first_week <= w <= week)


def _previous_upload_cursor(context: dg.AssetExecutionContext) -> str | None:
    event = context.instance.get_latest_materialization_event(raw_key(TABLE))
    materialization = event.asset_materialization if event else None
    value = materialization.metadata.get(LATEST_UPLOAD) if materialization else None
    return str(value.value) if value is not None and value.value else None


@dg.multi_asset(
    specs=raw_specs(
        [TABLE], "ZKBioTime server punches (iclock_transaction) of devices uploading to it.", {"sql"}, source=SOURCE
    ),
    check_specs=quarantine_checks([TABLE]),
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    name="zkbiotime_punches",
)
def zkbiotime_punches(
    context: dg.AssetExecutionContext, zkbiotime: ZkBioTimeResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    settings = load_settings()
    if SOURCE in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, SOURCE, week, RAW_SCHEMAS)
        return
    site = load_attendance_config(settings.attendance_config_path)
    client = zkbiotime.client()
    latest_upload = client.latest_upload_time()
    weeks = weeks_to_read(
        client, week, site.lookback_days, _previous_upload_cursor(context), parse_week(settings.first_week)
    )
    frames = [client.fetch_week(w, settings.timezone)[TABLE] for w in weeks]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    validated = {TABLE: validate_rows(frame, RAW_SCHEMAS[TABLE])}
    window = punch_window(week, settings.timezone, site.max_punch_age_days)
    metadata = {
        LATEST_UPLOAD: latest_upload.isoformat() if latest_upload else "",
        "weeks_read": dg.MetadataValue.json([w.isoformat() for w in weeks]),
    }
    yield from load_week(warehouse.path, SOURCE, week, validated, punch_window=window, extra_metadata=metadata)
