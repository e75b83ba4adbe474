"""Notification delivery, the I/O half: senders per channel, rate limiting and the durable SQLite outbox.

Typical use (a Dagster asset)::

    config = load_channel_config(path)                       # exports.channels.config
    senders = build_senders(config, os.environ)              # or build_senders(config, dry_run_outbox=path)
    with OutboxStore(outbox_db) as store:
        store.enqueue(messages)
        report = store.deliver_pending(senders)              # report.counts(), report.results, report.unknown
"""

from exports.delivery.outbox_store import DeliveryReport, EnqueueReport, KeyResult, OutboxRow, OutboxStore
from exports.delivery.rate_limit import SlidingWindowLimiter
from exports.delivery.senders import Senders, build_senders, dry_run_senders

__all__ = [
    "DeliveryReport",
    "EnqueueReport",
    "KeyResult",
    "OutboxRow",
    "OutboxStore",
    "Senders",
    "SlidingWindowLimiter",
    "build_senders",
    "dry_run_senders",
]
