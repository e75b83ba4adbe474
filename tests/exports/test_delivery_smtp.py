"""E-mail delivery against a real local SMTP server (aiosmtpd) on an ephemeral port."""

from __future__ import annotations

import email
import email.policy
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from exports.channels.config import parse_channel_config
from exports.delivery.outbox_store import OutboxStore
from exports.delivery.senders import build_senders
from exports.notifications import Message, idempotency_key
from tests.exports.bot_server import FakeClock


class EphemeralController(Controller):
    """aiosmtpd's Controller on port 0: read the port the OS chose before the readiness probe connects to it."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Inbox:
    """An aiosmtpd handler that keeps accepted mail and answers from a script when one is queued."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.data_attempts = 0
        self.rcpt_replies: deque[str] = deque()
        self.data_replies: deque[str] = deque()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if self.rcpt_replies:
            return self.rcpt_replies.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_attempts += 1
        if self.data_replies:
            return self.data_replies.popleft()
        self.mails.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@dataclass
class MailRig:
    inbox: Inbox
    store: OutboxStore
    clock: FakeClock
    port: int

    def senders(self, **channel: object):
        raw = {
            "channels": {
                "mail": {
                    "kind": "smtp",
                    "host": "127.0.0.1",
                    "port": self.port,
                    "security": "none",
                    "from_address": "hr@example.com",
                    "addresses": {"E000001": "zhang.wei@example.com"},
                    **channel,
                }
            },
            "routing": [{"channel": "mail"}],
        }
        return build_senders(parse_channel_config(raw), {}, clock=self.clock)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[MailRig]:
    inbox, clock = Inbox(), FakeClock()
    controller = EphemeralController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        with OutboxStore(tmp_path / "outbox.db", clock=clock, sleep=clock.sleep) as store:
            yield MailRig(inbox, store, clock, controller.port)
    finally:
        controller.stop()


def _message(recipient: str = "E000001") -> Message:
    return Message(
        idempotency_key=idempotency_key("employee_weekly_result", "2026-03-02", recipient, "v1-mail"),
        channel="email",
        recipient=recipient,
        subject="本周成绩：2026-W10（2026-03-02 起）",
        body_markdown="### 本周成绩\n张伟，你好！\n- 周奖金：**1,602.50 CNY**\n",
        locale="zh-CN",
    )


def test_mail_arrives_once_with_message_id_from_the_idempotency_key(rig: MailRig):
    message = _message()
    rig.store.enqueue([message])

    report = rig.store.deliver_pending(rig.senders())

    assert report.sent == (message.idempotency_key,)
    (mail,) = rig.inbox.mails
    assert mail["Message-ID"].strip() == f"<{message.idempotency_key}@hrhub>"
    assert mail["Subject"] == message.subject
    assert mail["To"] == "zhang.wei@example.com" and mail["From"] == "hr@example.com"
    assert mail.get_content().replace("\r\n", "\n") == message.body_markdown
    assert rig.store.deliver_pending(rig.senders()).counts()["sent"] == 0  # a second run sends nothing
    assert len(rig.inbox.mails) == 1


def test_a_451_reply_is_retried_later_and_then_delivered(rig: MailRig):
    message = _message()
    rig.store.enqueue([message])
    rig.inbox.data_replies.append("451 4.3.0 Temporary local problem, try again later")
    started = rig.clock.now

    report = rig.store.deliver_pending(rig.senders(), max_wait_seconds=60)

    assert report.sent == (message.idempotency_key,)
    assert rig.inbox.data_attempts == 2 and len(rig.inbox.mails) == 1
    assert rig.clock.now - started >= 10  # backed off before trying again
    assert rig.store.get(message.idempotency_key).attempts == 2


def test_a_550_reply_fails_for_good(rig: MailRig):
    message = _message()
    rig.store.enqueue([message])
    rig.inbox.rcpt_replies.append("550 5.1.1 No such user here")

    report = rig.store.deliver_pending(rig.senders(), max_wait_seconds=3600)

    assert report.failed == (message.idempotency_key,)
    assert rig.inbox.data_attempts == 0 and rig.inbox.mails == []
    row = rig.store.get(message.idempotency_key)
    assert row.attempts == 1 and row.last_error == "SMTP 550: 5.1.1 No such user here"


def test_a_recipient_without_an_address_fails_with_the_reason(rig: MailRig):
    message = _message(recipient="E000999")
    rig.store.enqueue([message])

    report = rig.store.deliver_pending(rig.senders())

    assert report.results[message.idempotency_key].detail == "no e-mail address for recipient 'E000999'"
    assert rig.inbox.mails == []


def test_the_caller_address_book_supplies_employee_addresses(rig: MailRig):
    message = _message(recipient="E000999")
    rig.store.enqueue([message])
    raw = {
        "channels": {
            "mail": {
                "kind": "smtp",
                "host": "127.0.0.1",
                "port": rig.port,
                "security": "none",
                "from_address": "hr@x.cn",
            }
        },
        "routing": [{"channel": "mail"}],
    }
    senders = build_senders(parse_channel_config(raw), {}, address_book={"E000999": "li.na@example.com"})

    assert rig.store.deliver_pending(senders).sent == (message.idempotency_key,)
    assert rig.inbox.mails[0]["To"] == "li.na@example.com"
