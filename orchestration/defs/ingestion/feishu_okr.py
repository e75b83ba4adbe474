"""Feishu OKR, one week per run: a snapshot of the objectives and key results of the periods overlapping the week,
stored only where something changed.

Feishu OKR has no "updated since" filter and no history, so every run reads the whole snapshot (the OKRs of the
people the identity crosswalk maps to Feishu, plus the owners of the objectives theirs align to) and compares
each row with the latest version stored for the same objective or key result in an **earlier** partition. Only
new or changed rows (a new ``*_last_updated_time``, progress, weight or content) are written to the week's
partition; the rest are counted as unchanged. Comparing with earlier partitions only keeps a re-run of the same
week idempotent (it stores the same rows again), and the history of versions is what
``int_okr_key_results_weekly`` reads progress "as of the end of a week" from.

Validation comes first: a row with progress outside 0-100 or a weight outside 0-1 is quarantined with the reason,
whether or not it changed, so fetched = changed + unchanged + quarantined, and the blocking quarantine check
measures the share of the whole snapshot.
"""

from collections.abc import Iterator, Mapping
from datetime import date

import dagster as dg
import duckdb
import pandas as pd

from connectors.feishu.schemas import OKR_RAW_SCHEMAS
from connectors.quality import Validated
from connectors.warehouse import RAW_SCHEMA, connect, quote_identifier, replace_quarantine, replace_week
from orchestration.defs.ingestion.apis import crosswalk_ids
from orchestration.defs.partitions import week_by_week, weekly_partitions
from orchestration.defs.resources import FeishuResource, WarehouseResource
from orchestration.lib.asset_keys import raw_key
from orchestration.lib.ingest import (
    MAX_QUARANTINE_SHARE,
    QUARANTINE_CHECK,
    disabled_source_week,
    partition_week,
    quarantine_checks,
    raw_specs,
    validate_frames,
)
from orchestration.settings import load_settings

SOURCE = "feishu"
IDENTITY_SYSTEM = "feishu_open_id"  # the crosswalk's Feishu open_id; the OKR client reads users by open_id
TABLE_KEYS = {"feishu_okr_objectives": "objective_id", "feishu_okr_key_results": "kr_id"}
NOT_COMPARED = {"_source_ref", "user_issue"}  # where a row was read from is not a change


def changed_rows(fetched: pd.DataFrame, stored: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of ``fetched`` that are new or differ from ``stored`` (the latest stored version per ``key``, every
    compared column as text) in any compared column."""
    columns = [c for c in fetched.columns if c not in NOT_COMPARED]
    if fetched.empty or stored.empty:
        return fetched
    as_text = fetched[columns].astype("string").fillna("")
    previous = stored.reindex(columns=columns).astype("string").fillna("").set_index(key)
    previous = previous[~previous.index.duplicated()]
    known = as_text[key].isin(previous.index)
    same = pd.Series(False, index=fetched.index)
    if known.any():
        current = as_text[known].set_index(key)[previous.columns]
        same[known] = (current == previous.loc[current.index]).all(axis=1).to_numpy()
    return fetched[~same]


def latest_stored(con: duckdb.DuckDBPyConnection, table: str, key: str, columns: list[str], week: date) -> pd.DataFrame:
    """The latest version of each ``key`` stored in partitions before ``week`` (compared columns as text)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [RAW_SCHEMA, table]
    ).fetchone()[0]
    qualified = f"{quote_identifier(RAW_SCHEMA)}.{quote_identifier(table)}"
    stored_columns = {row[0] for row in con.execute(f"describe {qualified}").fetchall()} if exists else set()
    wanted = [c for c in columns if c not in NOT_COMPARED]
    if not exists or key not in stored_columns:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in wanted})
    selected = ", ".join(
        f"cast({quote_identifier(c)} as varchar) as {quote_identifier(c)}"
        if c in stored_columns
        else f"null::varchar as {quote_identifier(c)}"
        for c in wanted
    )
    quoted_key = quote_identifier(key)
    return con.execute(
        f"select {selected} from {qualified} where week_start < ? and {quoted_key} is not null "
        f"qualify row_number() over (partition by {quoted_key} order by week_start desc, _source_ref desc) = 1",
        [week],
    ).df()


def load_snapshot_week(
    warehouse_path: str, week: date, validated: Mapping[str, Validated], extra_metadata: Mapping[str, object]
) -> Iterator[dg.MaterializeResult]:
    """Store the week's changed rows and its quarantine; one materialization (with its check) per table."""
    counts: dict[str, tuple[int, int]] = {}
    with connect(warehouse_path) as con:
        for table, result in validated.items():
            stored = latest_stored(con, table, TABLE_KEYS[table], list(result.rows.columns), week)
            changed = changed_rows(result.rows, stored, TABLE_KEYS[table])
            replace_week(con, table, week, changed, SOURCE)
            replace_quarantine(con, week, SOURCE, table, result.quarantine)
            counts[table] = (len(changed), len(result.rows) - len(changed))
    for table, result in validated.items():
        changed, unchanged = counts[table]
        quarantined = len(result.quarantine)
        fetched = changed + unchanged + quarantined
        share = quarantined / fetched if fetched else 0.0
        reasons = result.quarantine["reason"].value_counts().head(5).to_dict() if quarantined else {}
        yield dg.MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "rows_fetched": fetched,
                "rows_loaded": changed,
                "rows_changed": changed,
                "rows_unchanged": unchanged,
                "rows_quarantined": quarantined,
                "top_quarantine_reasons": dg.MetadataValue.json(reasons),
                **extra_metadata,
            },
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


@dg.multi_asset(
    name="feishu_okr",
    specs=[
        spec.replace_attributes(deps=[raw_key("hris_identities")])
        for spec in raw_specs(
            list(OKR_RAW_SCHEMAS),
            "Feishu OKR snapshot of the periods overlapping the week (objectives with their alignment, key results "
            "with progress); only rows that changed since the last stored snapshot are stored.",
            {"feishu"},
            source="feishu",
        )
    ],
    check_specs=quarantine_checks(list(OKR_RAW_SCHEMAS)),
    partitions_def=weekly_partitions,
    backfill_policy=week_by_week,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
)
def feishu_okr(
    context: dg.AssetExecutionContext, feishu: FeishuResource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    week = partition_week(context)
    settings = load_settings()
    if SOURCE in settings.disabled_sources:
        yield from disabled_source_week(warehouse.path, SOURCE, week, OKR_RAW_SCHEMAS)
        return
    users = crosswalk_ids(warehouse.path, week, IDENTITY_SYSTEM)
    client = feishu.okr_client()
    frames = client.fetch_week(week, settings.timezone, users)
    periods = sorted({str(p) for p in frames["feishu_okr_objectives"]["period_id"].dropna()})
    metadata = {
        "users_in_crosswalk": len(users),
        "users_read": len(client.users_read),  # the crosswalk's plus the owners of the objectives they align to
        "periods": dg.MetadataValue.json(periods),
    }
    yield from load_snapshot_week(warehouse.path, week, validate_frames(frames, OKR_RAW_SCHEMAS), metadata)
