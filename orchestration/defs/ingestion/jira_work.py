"""The Jira work that measures goals: resolved issues (story points, issues resolved) and worklogs (learning hours).

- ``raw/jira_work_issues``: the partition's week of resolved issues plus the site's API lookback (an issue resolved
  after the earlier week's load arrives with the next week's), like the other API sources.
- ``raw/jira_worklogs``: incremental. Jira lists worklogs by the time they changed, so each load reads the
  changes since a cursor kept in the materialization metadata, up to the end of the partition's week, and stores
  the worklogs it got and the deletions. A re-run of a week reads again from where that week's load started, so it
  only ever gets more; the first load of a week starts at the cursor (or its Monday, if earlier: a backfill of an
  old week), the very first load at its Monday minus the lookback.

Both report the weeks their rows fall in (``weeks_touched``) and the earlier weeks that received data no load had
before (``late_weeks``: a worklog corrected or deleted a week later, an issue resolved after its week's load), the
metadata the late-data sensor reads to recompute those weeks.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

import dagster as dg
import duckdb
import pandas as pd

from connectors.jira import WORK_SCHEMAS, WorklogCursor
from connectors.warehouse import RAW_SCHEMA, connect
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import JiraResource, WarehouseResource
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.attendance_config import load_attendance_config
from orchestration.lib.ingest import (
    LATE_WEEKS,
    WEEKS_TOUCHED,
    disabled_source_week,
    load_week,
    partition_week,
    quarantine_checks,
    raw_specs,
    validate_frames,
)
from orchestration.settings import load_settings
from scoring.weeks import week_window_utc

SOURCE = "jira"
ISSUES, WORKLOGS = "jira_work_issues", "jira_worklogs"
ISSUE_VERSION = ["issue_id", "resolved", "story_points", "account_id", "status"]  # what makes an issue row news
WORKLOG_VERSION = ["worklog_id", "updated_time", "deleted"]
UPDATED_SINCE, DELETED_SINCE = "worklog_updated_since_ms", "worklog_deleted_since_ms"
"""Materialization metadata of ``raw/jira_worklogs``: where this load started reading each feed ..."""
UPDATED_CURSOR, DELETED_CURSOR = "worklog_updated_cursor_ms", "worklog_deleted_cursor_ms"
"""... and how far all loads so far have read it (a later week's first load continues there)."""
READ_UNTIL = "worklog_read_until_ms"
CURSOR_HISTORY = 50  # materializations looked at for the latest cursor (a disabled-source load carries none)


def _ingest_asset(table: str, description: str) -> dg.AssetsDefinition:
    return dg.multi_asset(
        name=table,
        specs=raw_specs([table], description, {"jira"}, source="jira"),
        check_specs=quarantine_checks([table]),
        partitions_def=weekly_partitions,
        backfill_policy=week_by_week,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    )


def _millis(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def mondays(instants: pd.Series, timezone: str) -> pd.Series:
    """The ISO week (its Monday, midnight) each Jira instant (``2026-03-04T10:00:00.000+0800``) falls in."""
    local = pd.to_datetime(instants, utc=True, format="ISO8601", errors="coerce").dt.tz_convert(timezone)
    day = local.dt.tz_localize(None).dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _week_list(weeks: pd.Series | Sequence[pd.Timestamp]) -> list[str]:
    return sorted({stamp.date().isoformat() for stamp in weeks if not pd.isna(stamp)})


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [RAW_SCHEMA, table]).fetchall()[0][0] > 0


def late_weeks(
    con: duckdb.DuckDBPyConnection, table: str, week: date, rows: pd.DataFrame, key: list[str], weeks: pd.Series
) -> list[str]:
    """Weeks before ``week`` that receive rows whose ``key`` values no load of ``raw.<table>`` holds yet."""
    earlier = (weeks < pd.Timestamp(week)).to_numpy()
    if not earlier.any():
        return []
    candidates = rows.loc[earlier, key].astype("string").fillna("")
    if not _table_exists(con, table):
        return _week_list(weeks[earlier])
    columns = ", ".join(f"coalesce(cast({c} as varchar), '')" for c in key)
    con.register("candidates", candidates)
    try:
        known = con.execute(
            f"select distinct {columns} from {RAW_SCHEMA}.{table} "
            f"where cast({key[0]} as varchar) in (select {key[0]} from candidates)"
        ).fetchall()
    finally:
        con.unregister("candidates")
    seen = set(known)
    novel = [tuple(values) not in seen for values in candidates.itertuples(index=False, name=None)]
    return _week_list(weeks[earlier][novel])


def _worklog_weeks(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, timezone: str) -> pd.Series:
    """The week each worklog row falls in: its start, or for a deletion the start of the version loaded before."""
    started = rows["started"].astype("string")
    deletions = rows.loc[rows["deleted"] == "true", ["worklog_id"]].astype("string")
    if len(deletions) and _table_exists(con, WORKLOGS):
        con.register("deletions", deletions)
        try:
            known = con.execute(
                f"select worklog_id, arg_max(started, cast(updated_time as bigint)) from {RAW_SCHEMA}.{WORKLOGS} "
                "where deleted = 'false' and worklog_id in (select worklog_id from deletions) group by worklog_id"
            ).fetchall()
        finally:
            con.unregister("deletions")
        before = dict(known)
        deleted = rows["deleted"] == "true"
        started = started.where(~deleted, rows["worklog_id"].map(before).astype("string"))
    return mondays(started, timezone)


def _cursor(metadata: dict[str, dg.MetadataValue], updated: str, deleted: str) -> WorklogCursor | None:
    if updated not in metadata or deleted not in metadata:
        return None
    return WorklogCursor(int(metadata[updated].value), int(metadata[deleted].value))


def worklog_read_plan(
    instance: dg.DagsterInstance, week: date, timezone: str, lookback_days: int
) -> tuple[WorklogCursor, WorklogCursor | None]:
    """Where this week's load starts reading each feed, and the furthest cursor of all loads so far (if any)."""
    key = raw_key(WORKLOGS)
    history = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key), limit=CURSOR_HISTORY).records
    latest = None
    for record in history:
        materialization = record.asset_materialization
        latest = _cursor(materialization.metadata, UPDATED_CURSOR, DELETED_CURSOR) if materialization else None
        if latest is not None:
            break
    earlier = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[week.isoformat()]), limit=1
    ).records
    materialization = earlier[0].asset_materialization if earlier else None
    again = _cursor(materialization.metadata, UPDATED_SINCE, DELETED_SINCE) if materialization else None
    if again is not None:
        return again, latest
    monday_ms = _millis(week_window_utc(week, timezone)[0])
    if latest is not None:
        return WorklogCursor(min(latest.updated_ms, monday_ms), min(latest.deleted_ms, monday_ms)), latest
    first = monday_ms - lookback_days * 86_400_000
    return WorklogCursor(first, first), None


@_ingest_asset(
    ISSUES,
    "Jira issues of the delivery projects (ENG) resolved in the week and the lookback before it: assignee, story "
    "points, resolution time.",
)
def jira_work_issues(
    context: dg.AssetExecutionContext, jira: JiraResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    settings = load_settings()
    if SOURCE in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, SOURCE, week, {ISSUES: WORK_SCHEMAS[ISSUES]})
        return
    lookback = load_attendance_config(settings.attendance_config_path).lookback_days
    first_day, end = week - timedelta(days=lookback), week + timedelta(days=7)
    frame = jira.work_client().resolved_issues(first_day, end, settings.timezone)
    validated = validate_frames({ISSUES: frame}, WORK_SCHEMAS)
    rows = validated[ISSUES].rows
    weeks = mondays(rows["resolved"], settings.timezone)
    with connect(warehouse.path) as con:
        late = late_weeks(con, ISSUES, week, rows, ISSUE_VERSION, weeks)
    metadata = {
        "resolved_from": first_day.isoformat(),
        "resolved_before": end.isoformat(),
        WEEKS_TOUCHED: dg.MetadataValue.json(_week_list(weeks)),
        LATE_WEEKS: dg.MetadataValue.json(late),
    }
    yield from load_week(warehouse.path, SOURCE, week, validated, extra_metadata=metadata)


@_ingest_asset(
    WORKLOGS,
    "Jira worklogs changed since the last load (worklog/updated + worklog/list) and deletions (worklog/deleted), "
    "with each worklog's issue key and project; incremental by a cursor kept in this asset's metadata.",
)
def jira_worklogs(
    context: dg.AssetExecutionContext, jira: JiraResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    settings = load_settings()
    if SOURCE in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, SOURCE, week, {WORKLOGS: WORK_SCHEMAS[WORKLOGS]})
        return
    lookback = load_attendance_config(settings.attendance_config_path).lookback_days
    since, latest = worklog_read_plan(context.instance, week, settings.timezone, lookback)
    until_ms = _millis(week_window_utc(week, settings.timezone)[1])
    changes = jira.work_client().worklogs_updated_since(since, until_ms)
    frame = pd.concat([changes.worklogs, changes.deleted], ignore_index=True)
    validated = validate_frames({WORKLOGS: frame}, WORK_SCHEMAS)
    rows = validated[WORKLOGS].rows
    with connect(warehouse.path) as con:
        weeks = _worklog_weeks(con, rows, settings.timezone)
        late = late_weeks(con, WORKLOGS, week, rows, WORKLOG_VERSION, weeks)
    reached = changes.cursor
    if latest is not None:
        reached = WorklogCursor(max(latest.updated_ms, reached.updated_ms), max(latest.deleted_ms, reached.deleted_ms))
    context.log.info(f"read worklog changes from {since} to {until_ms}; cursor now {reached}")
    metadata = {
        UPDATED_SINCE: since.updated_ms,
        DELETED_SINCE: since.deleted_ms,
        UPDATED_CURSOR: reached.updated_ms,
        DELETED_CURSOR: reached.deleted_ms,
        READ_UNTIL: until_ms,
        "rows_deleted": int((rows["deleted"] == "true").sum()),
        WEEKS_TOUCHED: dg.MetadataValue.json(_week_list(weeks)),
        LATE_WEEKS: dg.MetadataValue.json(late),
    }
    yield from load_week(warehouse.path, SOURCE, week, validated, extra_metadata=metadata)
