"""Delivering what is still pending in the outbox between weekly runs: retries a vendor asked to wait for (a
throttled DingTalk bot waits 10 minutes) go out within minutes instead of with next week's run."""

from pathlib import Path

import dagster as dg

from exports.delivery import OutboxStore
from orchestration.defs.resources import ExportsResource
from orchestration.settings import load_settings

from .notifications import UNKNOWN_ADVICE


@dg.op(description="Deliver the outbox's pending messages whose retry time has come; nothing is sent twice.")
def deliver_pending_messages(context: dg.OpExecutionContext, exports: ExportsResource) -> dict[str, int]:
    senders, dry_run = exports.notification_senders()
    with OutboxStore(Path(exports.outbox_store_path)) as store:
        report = store.deliver_pending(senders)
    counts = report.counts()
    context.log.info(f"outbox delivery ({'dry run' if dry_run else 'live'}): {counts}")
    if report.unknown:
        context.log.warning(f"{len(report.unknown)} message(s) in an unknown state: {UNKNOWN_ADVICE}")
    return counts


@dg.job(description="Deliver pending notifications (retries due since the weekly run).")
def deliver_pending_notifications() -> None:
    deliver_pending_messages()


deliver_pending_schedule = dg.ScheduleDefinition(
    job=deliver_pending_notifications,
    cron_schedule="*/10 * * * *",
    execution_timezone=load_settings().timezone,
    default_status=dg.DefaultScheduleStatus.STOPPED,  # turn on with live channels
    description="Every 10 minutes: deliver messages whose retry time has come.",
)
