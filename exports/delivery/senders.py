"""Senders: one per configured channel, doing the network I/O (requests for the bots and Slack, smtplib for mail).

A sender sends a message once and says what happened (``exports.channels.errors``); it never retries by itself,
because only the outbox knows how many attempts a message has had. Failures *before* the request left (connection
refused, DNS, connect timeout) are safe to retry; failures *after* it left (read timeout, connection dropped
mid-reply) are ``Ambiguous``: the vendor may have posted it, so it is not sent again automatically.

Credentials ride in URLs (WeCom key, DingTalk token, Slack and Feishu paths): nothing here logs or raises a URL
except through ``HttpRequest.display_url`` / ``redact_text``, and urllib3's own DEBUG lines are filtered.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

import requests
from urllib3.exceptions import NewConnectionError

from exports.channels import payloads
from exports.channels.config import ChannelConfig, ChannelConfigError, ChannelSpec, RateLimit, Secret
from exports.channels.errors import Ambiguous, Fail, Outcome, Retry, Sent, classify_http, classify_smtp_reply
from exports.channels.payloads import HttpRequest, redact_text, redact_urls
from exports.notifications import Message
from exports.outbox import FileOutbox

Clock = Callable[[], float]
logger = logging.getLogger(__name__)


class _RedactUrls(logging.Filter):
    """urllib3 logs every request line at DEBUG, query string (WeCom key, DingTalk token) and path included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_urls(record.getMessage()), None
        return True


_urllib3_logger = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(existing, _RedactUrls) for existing in _urllib3_logger.filters):
    _urllib3_logger.addFilter(_RedactUrls())


class Sender(Protocol):
    """Sends one message once through one configured channel."""

    name: str  # the configured channel name (rate limits and the outbox's ``delivered_via`` use it)
    kind: str
    max_attempts: int

    def send(self, message: Message) -> Outcome: ...


class HttpBotSender:
    """A webhook channel: WeCom, DingTalk and Feishu bots, Slack. ``build`` turns a message into the request."""

    def __init__(
        self,
        spec: ChannelSpec,
        build: Callable[[Message], HttpRequest],
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.name, self.kind, self.max_attempts = spec.name, spec.kind, spec.max_attempts
        self._build = build
        self._timeout = (min(5.0, spec.timeout_seconds), spec.timeout_seconds)  # (connect, read)
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"HttpBotSender(name={self.name!r}, kind={self.kind!r})"

    def send(self, message: Message) -> Outcome:
        request = self._build(message)
        target = request.display_url()
        try:
            response = self._session.post(
                request.url,
                data=request.body,
                # A fresh connection per message: a pooled one the vendor closed while idle fails mid-request,
                # which would look like a possibly-delivered message. At 20 messages/min the handshake is cheap.
                headers={**request.headers, "Connection": "close"},
                timeout=self._timeout,
                allow_redirects=False,  # a webhook that redirects is misconfigured; never re-post elsewhere
            )
        except requests.RequestException as error:
            outcome = _network_outcome(error)
        else:
            outcome = classify_http(self.kind, response.status_code, response.content, response.headers)
        outcome = _redacted(outcome, request.secrets)
        logger.info("%s POST %s key=%s -> %s", self.name, target, message.idempotency_key, _describe(outcome))
        return outcome


def _network_outcome(error: requests.RequestException) -> Outcome:
    """Retry when the request never reached the server; otherwise it may have been posted. Exception texts
    contain the URL, so only the exception's type is kept."""
    if isinstance(
        error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema
    ):
        return Fail(f"the channel's URL is not valid ({type(error).__name__})")
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        return Retry(f"could not connect ({type(error).__name__})")
    return Ambiguous(f"no reply after sending ({type(error).__name__}): the message may have been posted")


def _never_connected(error: BaseException) -> bool:
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError):  # includes NameResolutionError
            return True
        if isinstance(current, BaseException):
            stack += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return False


class SmtpSender:
    """Mail through an SMTP server: one connection per message, ``Message-ID`` from the idempotency key."""

    def __init__(
        self,
        spec: ChannelSpec,
        password: Secret | None,
        *,
        address_book: Mapping[str, str] | None = None,
    ) -> None:
        self.name, self.kind, self.max_attempts = spec.name, spec.kind, spec.max_attempts
        self._host, self._port = spec.setting("host"), int(spec.setting("port"))
        self._security = spec.setting("security")
        self._username, self._password = spec.setting("username"), password
        self._from = spec.setting("from_address")
        self._addresses = {**(address_book or {}), **spec.setting("addresses", {})}
        self._timeout = spec.timeout_seconds

    def __repr__(self) -> str:
        return f"SmtpSender(name={self.name!r}, host={self._host!r}, port={self._port})"

    def address_for(self, recipient: str) -> str | None:
        return self._addresses.get(recipient) or (recipient if "@" in recipient else None)

    def send(self, message: Message) -> Outcome:
        to_address = self.address_for(message.recipient)
        if to_address is None:
            return Fail(f"no e-mail address for recipient {message.recipient!r}")
        mail = payloads.email_message(message, from_address=self._from, to_address=to_address)
        mail["Date"] = formatdate(usegmt=True)
        outcome = self._transmit(mail)
        secrets = (self._password.reveal(),) if self._password else ()
        outcome = _redacted(outcome, secrets)
        logger.info(
            "%s smtp://%s:%s key=%s -> %s",
            self.name,
            self._host,
            self._port,
            message.idempotency_key,
            _describe(outcome),
        )
        return outcome

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)

    def _transmit(self, mail: EmailMessage) -> Outcome:
        try:
            connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            return _smtp_error(error, sending=False)
        try:
            if self._security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if self._username and self._password:
                connection.login(self._username, self._password.reveal())
        except (OSError, smtplib.SMTPException) as error:
            _close(connection)
            return _smtp_error(error, sending=False)
        try:
            refused = connection.send_message(mail)
        except (OSError, smtplib.SMTPException) as error:
            _close(connection)
            return _smtp_error(error, sending=True)
        _close(connection)
        if refused:  # only possible with several recipients; we send to one
            return Fail(f"recipient refused: {refused}")
        return Sent("SMTP 250")


def _smtp_error(error: BaseException, *, sending: bool) -> Outcome:
    """A reply code decides (4xx retry, 5xx fail). Without one, a failure while the mail was being handed over
    may have delivered it; before that it is safe to try again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return classify_smtp_reply(code, _decode(text))
    if isinstance(error, smtplib.SMTPResponseException):  # sender refused, data error, auth, helo
        return classify_smtp_reply(error.smtp_code, _decode(error.smtp_error))
    if sending:
        return Ambiguous(f"connection lost while handing over the mail ({type(error).__name__})")
    return Retry(f"could not reach the SMTP server ({type(error).__name__})")


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


class FileSender:
    """The dry run: "sending" appends to the JSONL outbox file (``exports.outbox.FileOutbox``)."""

    def __init__(self, name: str, path: Path, max_attempts: int = 1) -> None:
        self.name, self.kind, self.max_attempts = name, "file", max_attempts
        self._outbox = FileOutbox(Path(path))

    def __repr__(self) -> str:
        return f"FileSender(name={self.name!r}, path={str(self._outbox.path)!r})"

    def send(self, message: Message) -> Outcome:
        result = self._outbox.deliver(message)
        return Sent("already in the outbox file" if result.status == "duplicate" else "appended to the outbox file")


@dataclass(frozen=True)
class Senders:
    """The senders of a configuration and the routing that picks one per message."""

    by_name: Mapping[str, Sender]
    route: Callable[[Message], str] = field(repr=False)
    rate_limits: Mapping[str, tuple[RateLimit, ...]] = field(default_factory=dict)
    dry_run: bool = False

    def for_message(self, message: Message) -> Sender:
        """The sender for ``message``; ``ChannelConfigError`` when no routing rule matches."""
        return self.by_name[self.route(message)]


def build_senders(
    config: ChannelConfig,
    environ: Mapping[str, str] | None = None,
    *,
    dry_run_outbox: Path | None = None,
    clock: Clock = time.time,
    session: requests.Session | None = None,
    address_book: Mapping[str, str] | None = None,
) -> Senders:
    """Senders for every configured channel, secrets read from ``environ`` (default ``os.environ``).

    With ``dry_run_outbox`` nothing touches the network and no secret is needed: every route ends in that JSONL
    file, so the demo runs offline with the production routing. ``clock`` stamps DingTalk and Feishu signatures;
    ``address_book`` maps recipients (employee ids) to e-mail addresses for SMTP channels.
    """

    def route(message: Message) -> str:
        return config.route(message).name

    if dry_run_outbox is not None:
        outbox = Path(dry_run_outbox)
        by_name: dict[str, Sender] = {name: FileSender(name, outbox) for name in config.channels}
        return Senders(by_name=by_name, route=route, rate_limits={}, dry_run=True)
    environ = os.environ if environ is None else environ
    config.check_environment(environ)
    session = session or requests.Session()
    by_name = {
        name: _build_sender(spec, spec.secrets(environ), clock=clock, session=session, address_book=address_book)
        for name, spec in config.channels.items()
    }
    limits = {name: spec.rate_limits for name, spec in config.channels.items()}
    return Senders(by_name=by_name, route=route, rate_limits=limits)


def dry_run_senders(outbox_path: Path) -> Senders:
    """Everything to one JSONL outbox file, no configuration needed (the demo's default)."""
    sender = FileSender("outbox", Path(outbox_path))
    return Senders(by_name={"outbox": sender}, route=lambda message: "outbox", dry_run=True)


def _build_sender(
    spec: ChannelSpec,
    secrets: Mapping[str, Secret],
    *,
    clock: Clock,
    session: requests.Session,
    address_book: Mapping[str, str] | None,
) -> Sender:
    base_url = spec.setting("base_url")
    signing = secrets.get("secret")

    def wecom(message: Message) -> HttpRequest:
        return payloads.wecom_bot_request(
            message, key=secrets["key"].reveal(), base_url=base_url or payloads.WECOM_BASE_URL
        )

    def dingtalk(message: Message) -> HttpRequest:
        return payloads.dingtalk_bot_request(
            message,
            access_token=secrets["access_token"].reveal(),
            secret=signing.reveal() if signing else None,
            now_ms=int(clock() * 1000),
            base_url=base_url or payloads.DINGTALK_BASE_URL,
        )

    def feishu(message: Message) -> HttpRequest:
        return payloads.feishu_bot_request(
            message,
            hook_id=secrets["hook_id"].reveal(),
            secret=signing.reveal() if signing else None,
            now_s=int(clock()),
            base_url=base_url or payloads.FEISHU_BASE_URL,
        )

    def slack(message: Message) -> HttpRequest:
        return payloads.slack_webhook_request(message, webhook_url=secrets["webhook_url"].reveal())

    builders = {"wecom_bot": wecom, "dingtalk_bot": dingtalk, "feishu_bot": feishu, "slack_webhook": slack}
    if spec.kind in builders:
        return HttpBotSender(spec, builders[spec.kind], session=session)
    if spec.kind == "smtp":
        return SmtpSender(spec, secrets.get("password"), address_book=address_book)
    if spec.kind == "file":
        return FileSender(spec.name, Path(spec.setting("path")), max_attempts=spec.max_attempts)
    raise ChannelConfigError(f"channel {spec.name!r}: no sender for kind {spec.kind!r}")


def _redacted(outcome: Outcome, secrets: tuple[str, ...]) -> Outcome:
    if isinstance(outcome, Sent):
        return Sent(redact_text(outcome.detail, secrets))
    if isinstance(outcome, Retry):
        return Retry(redact_text(outcome.reason, secrets), outcome.after_seconds)
    if isinstance(outcome, Fail):
        return Fail(redact_text(outcome.reason, secrets))
    return Ambiguous(redact_text(outcome.reason, secrets))


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, Sent):
        return f"sent ({outcome.detail})"
    if isinstance(outcome, Retry):
        after = f" after {outcome.after_seconds:.0f}s" if outcome.after_seconds is not None else ""
        return f"retry{after} ({outcome.reason})"
    if isinstance(outcome, Fail):
        return f"failed ({outcome.reason})"
    return f"unknown ({outcome.reason})"
