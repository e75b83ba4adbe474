"""Delivery through the bots and Slack against a real local HTTP server (no mocks of requests), on a fake clock."""

from __future__ import annotations

import logging
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from exports.channels.config import parse_channel_config
from exports.delivery.outbox_store import DeliveryReport, OutboxStore
from exports.delivery.senders import Senders, build_senders
from exports.notifications import Message, idempotency_key
from exports.outbox import FileOutbox
from tests.exports.bot_server import (
    ALL_SECRETS,
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WECOM_KEY,
    BotServer,
    FakeClock,
    Received,
    Reply,
)

VENDORS = ("wecom", "dingtalk", "feishu", "slack")


def _environ(base_url: str, **overrides: str) -> dict[str, str]:
    return {
        "T_WECOM_KEY": WECOM_KEY,
        "T_DINGTALK_TOKEN": DINGTALK_TOKEN,
        "T_DINGTALK_SECRET": DINGTALK_SECRET,
        "T_FEISHU_HOOK": FEISHU_HOOK,
        "T_FEISHU_SECRET": FEISHU_SECRET,
        "T_SLACK_URL": base_url + SLACK_PATH,
        **overrides,
    }


def _config(base_url: str) -> dict:
    return {
        "channels": {
            "wecom": {"kind": "wecom_bot", "key_env": "T_WECOM_KEY", "base_url": base_url},
            "dingtalk": {
                "kind": "dingtalk_bot",
                "access_token_env": "T_DINGTALK_TOKEN",
                "secret_env": "T_DINGTALK_SECRET",
                "base_url": base_url,
            },
            "feishu": {
                "kind": "feishu_bot",
                "hook_id_env": "T_FEISHU_HOOK",
                "secret_env": "T_FEISHU_SECRET",
                "base_url": base_url,
            },
            "slack": {"kind": "slack_webhook", "webhook_url_env": "T_SLACK_URL"},
        },
        "routing": [{"message_channel": vendor, "channel": vendor} for vendor in VENDORS],
    }


def _messages(channel: str, count: int, week: str = "2026-03-02") -> list[Message]:
    return [
        Message(
            idempotency_key=idempotency_key("employee_weekly_result", week, f"E{i:06d}", f"v1-{channel}"),
            channel=channel,
            recipient=f"E{i:06d}",
            subject=f"本周成绩：{week}",
            body_markdown=f"### 本周成绩 {week}\n- 周奖金：**{i}.00 CNY**\n",
            locale="zh-CN",
        )
        for i in range(1, count + 1)
    ]


@dataclass
class Rig:
    server: BotServer
    clock: FakeClock
    store: OutboxStore
    senders: Senders

    def with_environ(self, **overrides: str) -> Senders:
        config = parse_channel_config(_config(self.server.base_url))
        return build_senders(config, _environ(self.server.base_url, **overrides), clock=self.clock)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    clock = FakeClock()
    with BotServer(clock=clock) as server, OutboxStore(tmp_path / "outbox.db", clock=clock, sleep=clock.sleep) as store:
        config = parse_channel_config(_config(server.base_url))
        yield Rig(server, clock, store, build_senders(config, _environ(server.base_url), clock=clock))


def test_each_vendor_gets_its_wire_shape_and_the_message_is_sent_once(rig: Rig):
    messages = {vendor: _messages(vendor, 1)[0] for vendor in VENDORS}
    rig.store.enqueue(messages.values())

    report = rig.store.deliver_pending(rig.senders)

    assert report.counts() == {"sent": 4, "failed": 0, "retry_later": 0, "unknown": 0}
    assert {vendor: rig.server.keys(vendor) for vendor in VENDORS} == {
        vendor: [message.idempotency_key] for vendor, message in messages.items()
    }
    by_vendor = {received.vendor: received for received in rig.server.received}
    assert by_vendor["wecom"].body == {"msgtype": "markdown", "markdown": {"content": messages["wecom"].body_markdown}}
    assert by_vendor["dingtalk"].query["timestamp"] == str(int(rig.clock.now * 1000))  # milliseconds
    assert by_vendor["dingtalk"].body["markdown"]["title"] == messages["dingtalk"].subject
    assert by_vendor["feishu"].body["timestamp"] == str(int(rig.clock.now))  # seconds
    assert by_vendor["slack"].body == {"text": "*本周成绩 2026-03-02*\n- 周奖金：*1.00 CNY*\n"}
    assert rig.store.status_counts()["sent"] == 4
    row = rig.store.get(messages["feishu"].idempotency_key)
    assert row is not None and row.attempts == 1 and row.delivered_via == "feishu" and row.sent_at == rig.clock.now


def test_dingtalk_310000_fails_for_good_and_is_not_retried(rig: Rig):
    """A wrong signing secret: the server really checks the signature and answers 310000."""
    message = _messages("dingtalk", 1)[0]
    rig.store.enqueue([message])

    report = rig.store.deliver_pending(
        rig.with_environ(T_DINGTALK_SECRET="SECnot-the-right-one"), max_wait_seconds=3600
    )

    assert report.failed == (message.idempotency_key,)
    assert rig.server.keys("dingtalk") == [message.idempotency_key]  # one request, no retry
    row = rig.store.get(message.idempotency_key)
    assert row is not None and row.status == "failed" and row.attempts == 1
    assert row.last_error.startswith("DingTalk code 310000 (keyword, signature, timestamp or IP rejected)")


def test_feishu_19021_fails_for_good_and_is_not_retried(rig: Rig):
    message = _messages("feishu", 1)[0]
    rig.store.enqueue([message])

    report = rig.store.deliver_pending(rig.with_environ(T_FEISHU_SECRET="not-the-secret"), max_wait_seconds=3600)

    assert report.failed == (message.idempotency_key,)
    assert rig.server.keys("feishu") == [message.idempotency_key]
    assert "Feishu code 19021" in rig.store.get(message.idempotency_key).last_error


@pytest.mark.parametrize(
    ("vendor", "throttled", "wait"),
    [
        ("wecom", Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"}), 60.0),
        ("dingtalk", Reply(body={"errcode": 130101, "errmsg": "send too fast"}), 600.0),
        ("feishu", Reply(body={"code": 11232, "msg": "frequency limited psm"}), 60.0),
        ("slack", Reply(429, "rate_limited", headers=(("Retry-After", "7"),)), 7.0),
    ],
)
def test_throttled_messages_are_retried_after_the_vendors_wait_and_then_sent(
    rig: Rig, vendor: str, throttled: Reply, wait: float
):
    message = _messages(vendor, 1)[0]
    rig.store.enqueue([message])
    rig.server.queue(vendor, throttled)

    report = rig.store.deliver_pending(rig.senders, max_wait_seconds=900)

    assert report.sent == (message.idempotency_key,)
    first, second = rig.server.received
    assert first.idempotency_key == second.idempotency_key == message.idempotency_key
    assert second.at - first.at == pytest.approx(wait)
    assert rig.store.get(message.idempotency_key).attempts == 2


def test_a_retry_due_later_than_the_run_waits_is_left_pending_for_the_next_run(rig: Rig):
    message = _messages("dingtalk", 1)[0]
    rig.store.enqueue([message])
    rig.server.queue("dingtalk", Reply(body={"errcode": 130101, "errmsg": "send too fast"}))

    first = rig.store.deliver_pending(rig.senders, max_wait_seconds=120)
    assert first.retry_later == (message.idempotency_key,)
    assert first.results[message.idempotency_key].result == "retry_later"
    assert rig.store.deliver_pending(rig.senders, max_wait_seconds=120).counts()["sent"] == 0  # not due yet

    rig.clock.sleep(600)
    assert rig.store.deliver_pending(rig.senders).sent == (message.idempotency_key,)
    assert rig.server.keys() == [message.idempotency_key] * 2


def test_wecom_20_per_minute_is_never_exceeded(rig: Rig):
    messages = _messages("wecom", 45)
    rig.store.enqueue(messages)

    report = rig.store.deliver_pending(rig.senders)

    assert len(report.sent) == 45
    arrivals = [received.at for received in rig.server.received]
    assert rig.server.keys("wecom") == [message.idempotency_key for message in messages]  # enqueue order
    assert all(arrivals[i + 20] - arrivals[i] >= 60 for i in range(len(arrivals) - 20))  # any 60 s: at most 20
    assert arrivals[-1] - arrivals[0] == pytest.approx(120)  # and no slower than the limit requires


def test_a_restarted_run_remembers_recent_sends_for_the_rate_limit(rig: Rig):
    rig.store.enqueue(_messages("wecom", 20))
    rig.store.deliver_pending(rig.senders)
    rig.store.enqueue(_messages("wecom", 5, week="2026-03-09"))

    rig.store.deliver_pending(rig.senders)  # a new limiter, seeded from the outbox

    arrivals = [received.at for received in rig.server.received]
    assert arrivals[20] - arrivals[0] >= 60


def test_throttling_without_end_fails_after_max_attempts(rig: Rig):
    message = _messages("wecom", 1)[0]
    rig.store.enqueue([message])
    rig.server.queue("wecom", *[Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})] * 5)

    report = rig.store.deliver_pending(rig.senders, max_wait_seconds=900)

    assert report.failed == (message.idempotency_key,)
    assert len(rig.server.keys()) == 5
    assert rig.store.get(message.idempotency_key).last_error.startswith(
        "gave up after 5 attempts; last: WeCom code 45009"
    )


def test_a_reply_lost_after_sending_is_unknown_and_only_an_operator_sends_it_again(rig: Rig):
    message = _messages("wecom", 1)[0]
    rig.store.enqueue([message])
    rig.server.queue("wecom", Reply(drop=True))  # the bot got it, the answer never came back

    report = rig.store.deliver_pending(rig.senders, max_wait_seconds=3600)
    again = rig.store.deliver_pending(rig.senders, max_wait_seconds=3600)

    assert report.unknown == again.unknown == (message.idempotency_key,)
    assert rig.server.keys() == [message.idempotency_key]  # not re-sent by itself
    assert rig.store.requeue_unknown([message.idempotency_key, "no-such-key"]) == (message.idempotency_key,)
    assert rig.store.deliver_pending(rig.senders).sent == (message.idempotency_key,)
    assert rig.server.keys() == [message.idempotency_key] * 2


def test_a_server_that_cannot_be_reached_is_retried_later(tmp_path: Path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    clock = FakeClock()
    config = parse_channel_config(_config(closed_url))
    senders = build_senders(config, _environ(closed_url), clock=clock)
    message = _messages("wecom", 1)[0]
    with OutboxStore(tmp_path / "outbox.db", clock=clock, sleep=clock.sleep) as store:
        store.enqueue([message])
        report = store.deliver_pending(senders, max_wait_seconds=5)

        assert report.retry_later == (message.idempotency_key,)
        row = store.get(message.idempotency_key)
        assert row.status == "pending" and row.attempts == 1 and "could not connect" in row.last_error


def test_no_key_token_or_secret_reaches_logs_errors_or_reports(rig: Rig, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    rig.store.enqueue([_messages(vendor, 1)[0] for vendor in VENDORS])
    rig.server.queue("slack", Reply(404, "channel_not_found"))
    senders = rig.with_environ(T_DINGTALK_SECRET="SECnot-the-right-one")

    report = rig.store.deliver_pending(senders)

    assert report.counts() == {"sent": 2, "failed": 2, "retry_later": 0, "unknown": 0}
    assert "POST /cgi-bin/webhook/send?key=*** HTTP/1.1" in caplog.text  # urllib3's request line, redacted
    texts = [caplog.text, repr(report), *(row.last_error or "" for row in rig.store.rows())]
    for secret in (*ALL_SECRETS, "SECnot-the-right-one"):
        assert all(secret not in text for text in texts), secret


def test_a_dry_run_writes_the_jsonl_outbox_and_touches_no_network(rig: Rig, tmp_path: Path):
    messages = [_messages(vendor, 1)[0] for vendor in VENDORS]
    rig.store.enqueue(messages)
    outbox = tmp_path / "outbox" / "outbox.jsonl"
    senders = build_senders(parse_channel_config(_config(rig.server.base_url)), {}, dry_run_outbox=outbox)

    report = rig.store.deliver_pending(senders)

    assert report.sent == tuple(message.idempotency_key for message in messages)
    assert rig.server.received == []
    assert FileOutbox(outbox).read() == messages
    assert rig.store.deliver_pending(senders).sent == ()  # delivered is delivered: a re-run writes nothing


def test_the_outbox_database_is_private(tmp_path: Path):
    with OutboxStore(tmp_path / "outbox" / "outbox.db") as store:
        store.enqueue(_messages("wecom", 1))
    assert stat.S_IMODE((tmp_path / "outbox" / "outbox.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700


def test_a_second_delivery_run_leaves_the_work_to_the_one_in_progress(tmp_path: Path):
    clock, in_flight, release = FakeClock(), threading.Event(), threading.Event()

    def hold(received: Received) -> None:
        in_flight.set()
        release.wait(timeout=10)

    message = _messages("wecom", 1)[0]
    outbox_db = tmp_path / "outbox.db"
    reports: list[DeliveryReport] = []

    def deliver_in_another_thread() -> None:
        with OutboxStore(outbox_db) as store:
            reports.append(store.deliver_pending(senders))

    with BotServer(clock=clock, on_request=hold) as server:
        senders = build_senders(parse_channel_config(_config(server.base_url)), _environ(server.base_url), clock=clock)
        with OutboxStore(outbox_db) as store:
            store.enqueue([message])
            delivering = threading.Thread(target=deliver_in_another_thread)
            delivering.start()
            assert in_flight.wait(timeout=10)

            busy = store.deliver_pending(senders)  # must not mistake the in-flight message for an orphan
            release.set()
            delivering.join(timeout=10)

    assert busy.busy and busy.unknown == () and busy.results == {}
    assert reports[0].sent == (message.idempotency_key,)
    assert server.keys() == [message.idempotency_key]


def test_a_malformed_webhook_url_fails_without_showing_it(rig: Rig):
    message = _messages("slack", 1)[0]
    rig.store.enqueue([message])

    report = rig.store.deliver_pending(rig.with_environ(T_SLACK_URL="hooks.slack.com/services/T1/B2/secret-part"))

    assert report.failed == (message.idempotency_key,)
    detail = report.results[message.idempotency_key].detail
    assert detail.startswith("the channel's URL is not valid") and "secret-part" not in detail
