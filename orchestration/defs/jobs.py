"""The weekly job and its schedule: every Monday morning, the week that just ended."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from .partitions import weekly_partitions

weekly_pipeline = dg.define_asset_job(
    "weekly_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=weekly_partitions,
    description="Ingest every source, build the marts, score the week and export payroll and notifications.",
)


@dg.schedule(
    name="weekly_pipeline_schedule",
    job=weekly_pipeline,
    cron_schedule="0 6 * * 1",
    execution_timezone=weekly_partitions.timezone,
    description="Monday 06:00 company time: run the ISO week that has just ended.",
)
def weekly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(partition_key=week_ended_before(context.scheduled_execution_time))


def week_ended_before(moment: datetime) -> str:
    """The partition key (Monday) of the last complete ISO week before ``moment`` (company time)."""
    local = moment.astimezone(ZoneInfo(weekly_partitions.timezone)).date()
    return (local - timedelta(days=local.weekday() + 7)).isoformat()
