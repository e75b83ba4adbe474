"""The Dagster entry point. Read ``defs/`` top down to follow the data:

``ingestion`` (connectors -> raw) -> ``dbt`` (staging -> marts) -> ``scoring`` (plan-driven scores, payroll lines)
-> ``exports`` (payroll files, notifications), all on one weekly partitioning (``defs/partitions.py``).
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    # One process runs a week's steps in order: DuckDB has a single writer per file and dbt shares it.
    return dg.Definitions.merge(loaded, dg.Definitions(executor=dg.in_process_executor))
