"""One weekly partitioning shared by ingestion, dbt, scoring and exports: ISO weeks in the company time zone."""

import dagster as dg

from orchestration.settings import load_settings

_settings = load_settings()

weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=_settings.first_week,
    day_offset=1,  # Monday
    timezone=_settings.timezone,
    fmt="%Y-%m-%d",
    end_offset=1,  # the week in progress is a partition too: files dropped in the inbox are loaded as they arrive
)

# Backfills: ingestion and scoring read and write one week per run (week by week, oldest first); dbt takes the
# whole window in one run, since its models are incremental by the window passed as vars.
week_by_week = dg.BackfillPolicy.multi_run(max_partitions_per_run=1)
whole_window = dg.BackfillPolicy.single_run()
