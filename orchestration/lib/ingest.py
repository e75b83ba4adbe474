"""Load one source's week into the raw layer: validate at the boundary, write good rows, quarantine the rest.

Each raw table becomes one asset materialization carrying the reconciliation (fetched = loaded + quarantined) and a
blocking check that fails when too large a share of a table had to be quarantined.
"""

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pandera.pandas as pa

from connectors.punch_times import (
    PUNCH_TIME_COLUMNS,
    PunchWindow,
    punch_local_times,
    quarantine_implausible_punches,
    weeks_touched,
)
from connectors.quality import Validated, empty_quarantine, validate_rows
from connectors.warehouse import connect, replace_quarantine, replace_week, rows_not_loaded_since
from orchestration.lib.asset_keys import raw_key
from orchestration.settings import SWITCHABLE_SOURCES
from scoring.weeks import parse_week

# Above this share of quarantined rows a table is not trusted for scoring: the check blocks downstream assets.
MAX_QUARANTINE_SHARE = 0.02
QUARANTINE_CHECK = "quarantine_share_within_limit"
WEEKS_TOUCHED = "weeks_touched"
"""Materialization metadata of punch tables: the ISO weeks their rows fall in."""
LATE_WEEKS = "late_weeks"
"""... and the earlier weeks that received punches not loaded before (read by the late-punch sensor)."""


FRESHNESS_ENV = "HRHUB_SOURCE_FRESHNESS"
"""Per-source freshness windows, ``source=WARN_DAYS:FAIL_DAYS`` comma-separated (``shopify=1:2,jira=7:8``)."""
FRESHNESS_SOURCES = SWITCHABLE_SOURCES | {"inbox"}


@dataclass(frozen=True)
class SourceFreshness:
    """How long a source's raw tables may go without a load before the UI shows them as late (warn) or stale (fail).

    Every source loads once a week, so the defaults allow the week plus a day's slack before failing.
    """

    warn_after: timedelta = timedelta(days=7)
    fail_after: timedelta = timedelta(days=8)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.warn_after < self.fail_after:
            raise ValueError(
                f"a freshness warn window must be positive and shorter than its fail window, got "
                f"warn {self.warn_after}, fail {self.fail_after}"
            )

    def policy(self) -> dg.FreshnessPolicy:
        return dg.FreshnessPolicy.time_window(fail_window=self.fail_after, warn_window=self.warn_after)


def source_freshness(source: str, environ: Mapping[str, str] = os.environ) -> SourceFreshness:
    """``source``'s freshness windows: the default weekly ones unless ``HRHUB_SOURCE_FRESHNESS`` names it."""
    if source not in FRESHNESS_SOURCES:
        raise ValueError(f"no freshness windows for unknown source {source!r}; known: {sorted(FRESHNESS_SOURCES)}")
    return _freshness_overrides(environ.get(FRESHNESS_ENV, "")).get(source, SourceFreshness())


def _freshness_overrides(value: str) -> dict[str, SourceFreshness]:
    overrides: dict[str, SourceFreshness] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, windows = item.partition("=")
        warn, _, fail = windows.partition(":")
        name = name.strip().lower()
        try:
            if name not in FRESHNESS_SOURCES:
                raise ValueError(f"unknown source {name!r}; known: {', '.join(sorted(FRESHNESS_SOURCES))}")
            overrides[name] = SourceFreshness(timedelta(days=float(warn)), timedelta(days=float(fail)))
        except ValueError as error:
            raise ValueError(f"{FRESHNESS_ENV} entry {item!r} is not source=WARN_DAYS:FAIL_DAYS: {error}") from None
    return overrides


def raw_specs(tables: list[str], description: str, kinds: set[str], source: str) -> list[dg.AssetSpec]:
    """The raw tables one source loads; each carries the source's freshness policy, so a source that stopped
    loading shows as stale in the UI (``source_freshness``)."""
    policy = source_freshness(source).policy()
    return [
        dg.AssetSpec(
            raw_key(table),
            description=description,
            group_name="ingestion",
            kinds=kinds | {"duckdb"},
            freshness_policy=policy,
        )
        for table in tables
    ]


def quarantine_checks(tables: list[str]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=raw_key(table),
            blocking=True,
            description=f"At most {MAX_QUARANTINE_SHARE:.0%} of the fetched rows were quarantined.",
        )
        for table in tables
    ]


def validate_frames(
    frames: Mapping[str, pd.DataFrame], schemas: Mapping[str, type[pa.DataFrameModel]]
) -> dict[str, Validated]:
    """Validate each fetched frame against its raw table's contract."""
    return {table: validate_rows(frame, schemas[table]) for table, frame in frames.items()}


def load_week(
    warehouse_path: str | Path,
    source: str,
    week: date,
    validated: Mapping[str, Validated],
    extra_quarantine: Mapping[str, pd.DataFrame] | None = None,
    punch_window: PunchWindow | None = None,
    extra_metadata: Mapping[str, object] | None = None,
) -> Iterator[dg.MaterializeResult]:
    """Write each table's good rows and quarantine; yield one materialization (with its check) per raw table.

    ``extra_quarantine`` carries rejections that belong to no raw table (e.g. a whole file set aside). With a
    ``punch_window``, punch tables also lose implausible punches to quarantine (future, far before the week) and
    report the weeks their rows fall in, so late punches get their own weeks recomputed.
    """
    if punch_window is not None:
        validated = {
            table: quarantine_implausible_punches(result, table, punch_window) for table, result in validated.items()
        }
    late: dict[str, list[date]] = {}
    with connect(warehouse_path) as con:
        for table, result in validated.items():
            if punch_window is not None and table in PUNCH_TIME_COLUMNS:
                late[table] = _late_weeks(con, table, week, result.rows, punch_window)
            replace_week(con, table, week, result.rows, source)
            replace_quarantine(con, week, source, table, result.quarantine)
        for table, quarantine in (extra_quarantine or {}).items():
            replace_quarantine(con, week, source, table, quarantine)
    for table, result in validated.items():
        quarantined = len(result.quarantine)
        fetched = len(result.rows) + quarantined
        share = quarantined / fetched if fetched else 0.0
        reasons = result.quarantine["reason"].value_counts().head(5).to_dict() if quarantined else {}
        metadata: dict[str, object] = {
            "rows_fetched": fetched,
            "rows_loaded": len(result.rows),
            "rows_quarantined": quarantined,
            "top_quarantine_reasons": dg.MetadataValue.json(reasons),
            **(extra_metadata or {}),
        }
        if punch_window is not None and table in PUNCH_TIME_COLUMNS:
            touched = weeks_touched(result.rows, table, punch_window.timezone)
            metadata[WEEKS_TOUCHED] = dg.MetadataValue.json([monday.isoformat() for monday in touched])
            metadata[LATE_WEEKS] = dg.MetadataValue.json([monday.isoformat() for monday in late[table]])
        yield dg.MaterializeResult(
            asset_key=raw_key(table),
            metadata=metadata,
            check_results=[
                dg.AssetCheckResult(
                    check_name=QUARANTINE_CHECK,
                    asset_key=raw_key(table),
                    passed=share <= MAX_QUARANTINE_SHARE,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={"quarantined_share": share, "rows_quarantined": quarantined},
                )
            ],
        )


def _late_weeks(
    con: duckdb.DuckDBPyConnection, table: str, week: date, rows: pd.DataFrame, window: PunchWindow
) -> list[date]:
    """Earlier weeks that this load brings punches for which no earlier partition loaded (a lookback re-read of
    known punches is not late data)."""
    mondays = pd.Series(_punch_mondays(rows, table, window.timezone), index=rows.index)
    earlier = mondays < week
    if not earlier.any():
        return []
    # A punch of week X is in partition X or later (one week earlier for a night shift's check-out after Monday
    # 00:00), so only those partitions are compared, not the whole plausibility window.
    since = mondays[earlier].min() - timedelta(days=7)
    novel = rows_not_loaded_since(con, table, week, rows.loc[earlier], since)
    return weeks_touched(novel, table, window.timezone)


def _punch_mondays(rows: pd.DataFrame, table: str, timezone: str) -> list[date]:
    local = punch_local_times(rows, table, timezone)
    return [(stamp - timedelta(days=stamp.weekday())).date() if not pd.isna(stamp) else date.max for stamp in local]


def punch_window(week: date, timezone: str, max_age_days: int) -> PunchWindow:
    """The plausible-time window for punches loaded into ``week``'s partition, as of now."""
    return PunchWindow(week, timezone, max_age_days, datetime.now(UTC))


def disabled_source_week(
    warehouse_path: str | Path, source: str, week: date, schemas: Mapping[str, type[pa.DataFrameModel]]
) -> Iterator[dg.MaterializeResult]:
    """A source the company does not use (HRHUB_DISABLED_SOURCES): its raw tables get an empty week, so the models
    reading them run, and the materialization says why nothing was loaded."""
    empty = {
        table: Validated(
            pd.DataFrame({column: pd.Series(dtype="string") for column in schema.to_schema().columns}),
            empty_quarantine(),
        )
        for table, schema in schemas.items()
    }
    note = {"source_disabled": f"{source} is listed in HRHUB_DISABLED_SOURCES: nothing fetched"}
    yield from load_week(warehouse_path, source, week, empty, extra_metadata=note)


def partition_week(context: dg.AssetExecutionContext) -> date:
    """The Monday of the partition being materialized (ingestion runs one week per run)."""
    return parse_week(context.partition_key)
