"""The weekly job and its schedule: every Monday morning, the week that just ended."""

import dagster as dg

from .partitions import weekly_partitions

weekly_pipeline = dg.define_asset_job(
    "weekly_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=weekly_partitions,
    description="Ingest every source, build the marts, score the week and export payroll and notifications.",
)

weekly_schedule = dg.build_schedule_from_partitioned_job(
    weekly_pipeline,
    hour_of_day=6,
    minute_of_hour=0,
    description="Monday 06:00 company time: run the ISO week that has just ended.",
)
