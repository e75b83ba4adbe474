"""A delivery run in its own process, for ``test_outbox_kill``: enqueue N messages, deliver them, print a report.

``python -m tests.exports.outbox_kill_worker OUTBOX_DB BOT_BASE_URL N``; the bot key comes from the environment
(``HRHUB_TEST_WECOM_KEY``), as in production. Re-running it is what a retried pipeline run does: the same
messages are enqueued again (all already present) and whatever is still pending is delivered.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from exports.channels.config import parse_channel_config
from exports.delivery.outbox_store import OutboxStore
from exports.delivery.senders import build_senders
from exports.notifications import Message, idempotency_key


def messages(count: int) -> list[Message]:
    return [
        Message(
            idempotency_key=idempotency_key("employee_weekly_result", "2026-03-02", f"E{i:06d}", "v1-kill"),
            channel="wecom",
            recipient=f"E{i:06d}",
            subject="本周成绩：2026-W10",
            body_markdown=f"### 本周成绩\n- 周奖金：**{i}.00 CNY**\n",
            locale="zh-CN",
        )
        for i in range(1, count + 1)
    ]


def main(argv: list[str]) -> None:
    outbox_db, base_url, count = Path(argv[1]), argv[2], int(argv[3])
    config = parse_channel_config(
        {
            "channels": {
                "team_bot": {
                    "kind": "wecom_bot",
                    "key_env": "HRHUB_TEST_WECOM_KEY",
                    "base_url": base_url,
                    "rate_limits": [{"max_messages": 1000, "per_seconds": 60}],
                }
            },
            "routing": [{"channel": "team_bot"}],
        }
    )
    senders = build_senders(config, os.environ)
    with OutboxStore(outbox_db) as store:
        enqueued = store.enqueue(messages(count))
        report = store.deliver_pending(senders, max_wait_seconds=0)
    summary = {
        "new": len(enqueued.new),
        "already_present": len(enqueued.already_present),
        "sent": list(report.sent),
        "recovered": list(report.recovered),
        "unknown": list(report.unknown),
        "retry_later": list(report.retry_later),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv)
