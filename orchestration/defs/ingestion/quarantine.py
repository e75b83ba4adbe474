"""The shared quarantine table: every connector writes the rows it set aside there, each with its reason.

It is declared (not materialized) so the UI shows it in the ingestion group with its lineage into staging; each
source's materialization carries its own quarantine counts and a blocking check on their share.
"""

import dagster as dg

from orchestration.lib.asset_keys import raw_key

quarantine = dg.AssetSpec(
    raw_key("quarantine"),
    group_name="ingestion",
    kinds={"duckdb"},
    description="Rows a connector could not load (source, table, week, source reference, reason); nothing is dropped.",
)
