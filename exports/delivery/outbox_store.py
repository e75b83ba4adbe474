"""The durable outbox: every notification and its delivery state in one SQLite file (WAL), keyed by idempotency key.

Exactly-once toward a chat bot or a mail server is not possible over a network that can fail mid-request, so the
outbox promises the two halves it can keep:

* never twice: a message is marked ``sending`` and committed *before* its request leaves. A process killed
  mid-send leaves it in ``sending``; the next delivery run turns that into ``unknown`` and does not send it again
  by itself. Replies that leave it open whether the vendor posted (read timeout, gateway error) also become
  ``unknown``. A person checks the channel and calls ``requeue_unknown`` for the ones that did not arrive.
* never lost: everything else is retried (throttling, 4xx mail replies, connection refused) with the vendor's
  ``Retry-After`` or a backoff, until the channel's ``max_attempts``; then it is ``failed`` with the reason.

Statuses: ``pending`` (waiting, ``next_attempt_at`` says when) -> ``sending`` -> ``sent`` | ``failed`` |
``pending`` again | ``unknown``. Times are Unix seconds (``datetime(x, 'unixepoch')`` in SQL).

Only one process delivers at a time: ``deliver_pending`` holds an exclusive lock on ``<path>.lock``, which the
operating system releases when the process dies, so ``sending`` rows found under the lock are truly orphaned.
Enqueueing needs no lock and may run while another process delivers.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from exports.channels.config import ChannelConfigError
from exports.channels.errors import Ambiguous, Fail, Outcome, Retry, Sent
from exports.delivery.rate_limit import SlidingWindowLimiter
from exports.delivery.senders import Senders
from exports.locked_file import private_dir
from exports.notifications import Message

Status = Literal["pending", "sending", "sent", "failed", "unknown"]
RunResult = Literal["sent", "failed", "retry_later", "unknown"]
Clock = Callable[[], float]
Sleep = Callable[[float], None]

BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 900.0
DEFAULT_MAX_WAIT_SECONDS = 120.0
INTERRUPTED = "interrupted while sending (the process ended mid-send); not re-sent: check the channel, then requeue"
logger = logging.getLogger(__name__)

_SCHEMA = """
create table if not exists outbox_message (
    seq integer primary key autoincrement,          -- enqueue order: delivery order
    idempotency_key text not null unique,
    channel text not null,                          -- Message.channel (the logical channel the builder chose)
    recipient text not null,
    subject text not null,
    body text not null,
    locale text not null,
    status text not null default 'pending'
        check (status in ('pending', 'sending', 'sent', 'failed', 'unknown')),
    attempts integer not null default 0,
    last_error text,
    delivered_via text,                             -- the configured channel of the last attempt
    created_at real not null,
    updated_at real not null,
    next_attempt_at real not null,
    last_attempt_at real,
    sent_at real
);
create index if not exists outbox_message_due on outbox_message (status, next_attempt_at, seq);
"""


@dataclass(frozen=True)
class OutboxRow:
    message: Message
    status: Status
    attempts: int
    last_error: str | None
    delivered_via: str | None
    next_attempt_at: float
    last_attempt_at: float | None
    sent_at: float | None


@dataclass(frozen=True)
class EnqueueReport:
    new: tuple[str, ...]  # keys inserted by this call, in order
    already_present: tuple[str, ...]  # keys the outbox had (in any status), or repeated in the batch


@dataclass(frozen=True)
class KeyResult:
    idempotency_key: str
    result: RunResult
    detail: str
    attempts: int
    channel: str | None  # the configured channel used


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_pending`` run did, and what is left for later runs or for a person."""

    results: Mapping[str, KeyResult] = field(default_factory=dict)  # every key this run settled, last word wins
    retry_later: tuple[str, ...] = ()  # all keys still pending at the end
    unknown: tuple[str, ...] = ()  # all keys in ``unknown`` at the end (may have been delivered: check, requeue)
    recovered: tuple[str, ...] = ()  # keys found in ``sending`` at start-up (a run killed mid-send)
    busy: bool = False  # another process was delivering; this run sent nothing

    def keys(self, result: RunResult) -> tuple[str, ...]:
        return tuple(key for key, outcome in self.results.items() if outcome.result == result)

    @property
    def sent(self) -> tuple[str, ...]:
        return self.keys("sent")

    @property
    def failed(self) -> tuple[str, ...]:
        return self.keys("failed")

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "failed": len(self.failed),
            "retry_later": len(self.retry_later),
            "unknown": len(self.unknown),
        }


class OutboxStore:
    """The outbox at ``path`` (created 0600 in a 0700 folder: messages carry pay figures)."""

    def __init__(self, path: Path, *, clock: Clock = time.time, sleep: Sleep = time.sleep) -> None:
        self.path = Path(path)
        self.clock, self.sleep = clock, sleep
        private_dir(self.path.parent)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._db.row_factory = sqlite3.Row
        self._db.execute("pragma journal_mode = wal")
        self._db.execute("pragma synchronous = full")  # "sending" must be on disk before the request leaves
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> OutboxStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- writing ---------------------------------------------------------------------------------------------

    def enqueue(self, messages: Iterable[Message]) -> EnqueueReport:
        """Insert the messages whose key the outbox does not know yet; a known key is never reset or re-sent."""
        new: list[str] = []
        present: list[str] = []
        now = self.clock()
        with self._transaction():
            for message in messages:
                inserted = self._db.execute(
                    """insert into outbox_message (idempotency_key, channel, recipient, subject, body, locale,
                                                   created_at, updated_at, next_attempt_at)
                       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                       on conflict (idempotency_key) do nothing""",
                    (
                        message.idempotency_key,
                        message.channel,
                        message.recipient,
                        message.subject,
                        message.body_markdown,
                        message.locale,
                        now,
                        now,
                        now,
                    ),
                ).rowcount
                (new if inserted else present).append(message.idempotency_key)
        return EnqueueReport(new=tuple(new), already_present=tuple(present))

    def requeue_unknown(self, keys: Iterable[str]) -> tuple[str, ...]:
        """For an operator who checked the channel: send these ``unknown`` messages again. Returns those requeued."""
        return self._requeue(keys, "unknown")

    def requeue_failed(self, keys: Iterable[str]) -> tuple[str, ...]:
        """After fixing what made them fail (a key, a routing rule): try these ``failed`` messages again."""
        return self._requeue(keys, "failed")

    def recover_interrupted(self) -> tuple[str, ...]:
        """Rows a killed run left in ``sending`` become ``unknown``; only under the delivery lock (see module doc)."""
        with self._delivery_lock() as acquired:
            return self._recover() if acquired else ()

    # ---- delivering ------------------------------------------------------------------------------------------

    def deliver_pending(
        self,
        senders: Senders,
        limiter: SlidingWindowLimiter | None = None,
        *,
        max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
    ) -> DeliveryReport:
        """Send every due ``pending`` message in enqueue order, each at most once per attempt.

        Waits (through the store's ``sleep``) for rate-limit slots and for retries due within
        ``max_wait_seconds``; later retries stay ``pending`` for the next run. ``limiter`` defaults to one built
        from ``senders.rate_limits`` on the store's clock.
        """
        limiter = limiter or SlidingWindowLimiter(senders.rate_limits, clock=self.clock, sleep=self.sleep)
        with self._delivery_lock() as acquired:
            if not acquired:
                logger.warning("another process is delivering from %s; leaving the pending messages to it", self.path)
                return DeliveryReport(retry_later=self._keys("pending"), unknown=self._keys("unknown"), busy=True)
            recovered = self._recover()
            self._seed(limiter)
            results: dict[str, KeyResult] = {
                key: KeyResult(key, "unknown", INTERRUPTED, self._attempts(key), None) for key in recovered
            }
            while True:
                due = self._due(self.clock())
                for row in due:
                    result = self._deliver_one(row, senders, limiter)
                    if result is not None:
                        results[result.idempotency_key] = result
                if due:
                    continue
                wait = self._next_due_in()
                if wait is None or wait > max_wait_seconds:
                    break
                self.sleep(wait)
            return DeliveryReport(
                results=results,
                retry_later=self._keys("pending"),
                unknown=self._keys("unknown"),
                recovered=recovered,
            )

    def _deliver_one(self, row: OutboxRow, senders: Senders, limiter: SlidingWindowLimiter) -> KeyResult | None:
        message = row.message
        key = message.idempotency_key
        try:
            sender = senders.for_message(message)
        except ChannelConfigError as error:
            self._settle(key, "failed", str(error), row.attempts, None)
            return KeyResult(key, "failed", str(error), row.attempts, None)
        limiter.acquire(sender.name)
        attempts = self._claim(key, sender.name)
        if attempts is None:  # changed by someone else since it was read (requeued, or a manual fix)
            return None
        try:
            outcome = sender.send(message)
        except Exception as error:  # a bug in a sender: the request may have left
            outcome = Ambiguous(f"the sender raised {type(error).__name__}")
        return self._apply(key, outcome, attempts, sender.max_attempts, sender.name)

    def _apply(self, key: str, outcome: Outcome, attempts: int, max_attempts: int, channel: str) -> KeyResult:
        if isinstance(outcome, Sent):
            self._settle(key, "sent", None, attempts, channel)
            return KeyResult(key, "sent", outcome.detail, attempts, channel)
        if isinstance(outcome, Fail):
            self._settle(key, "failed", outcome.reason, attempts, channel)
            return KeyResult(key, "failed", outcome.reason, attempts, channel)
        if isinstance(outcome, Ambiguous):
            self._settle(key, "unknown", outcome.reason, attempts, channel)
            return KeyResult(key, "unknown", outcome.reason, attempts, channel)
        if not isinstance(outcome, Retry):
            raise TypeError(f"a sender returned {outcome!r}, not an Outcome")
        if attempts >= max_attempts:
            reason = f"gave up after {attempts} attempts; last: {outcome.reason}"
            self._settle(key, "failed", reason, attempts, channel)
            return KeyResult(key, "failed", reason, attempts, channel)
        wait = outcome.after_seconds
        if wait is None:
            wait = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
        self._settle(key, "pending", outcome.reason, attempts, channel, next_attempt_at=self.clock() + wait)
        return KeyResult(key, "retry_later", outcome.reason, attempts, channel)

    # ---- reading ---------------------------------------------------------------------------------------------

    def get(self, key: str) -> OutboxRow | None:
        found = self._db.execute("select * from outbox_message where idempotency_key = ?", (key,)).fetchone()
        return _row(found) if found else None

    def rows(self, status: Status | None = None) -> list[OutboxRow]:
        """Rows in enqueue order, optionally only those in ``status``."""
        if status is None:
            found = self._db.execute("select * from outbox_message order by seq")
        else:
            found = self._db.execute("select * from outbox_message where status = ? order by seq", (status,))
        return [_row(record) for record in found]

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("pending", "sending", "sent", "failed", "unknown"), 0)
        for status, count in self._db.execute("select status, count(*) from outbox_message group by status"):
            counts[status] = count
        return counts

    # ---- internals -------------------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("begin immediate")
        try:
            yield
        except BaseException:
            self._db.execute("rollback")
            raise
        self._db.execute("commit")

    @contextmanager
    def _delivery_lock(self) -> Iterator[bool]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _recover(self) -> tuple[str, ...]:
        with self._transaction():
            keys = tuple(
                record[0]
                for record in self._db.execute(
                    "select idempotency_key from outbox_message where status = 'sending' order by seq"
                )
            )
            self._db.execute(
                "update outbox_message set status = 'unknown', last_error = ?, updated_at = ? where status = 'sending'",
                (INTERRUPTED, self.clock()),
            )
        for key in keys:
            logger.warning("message %s was being sent when a run ended: now 'unknown', not re-sent", key)
        return keys

    def _seed(self, limiter: SlidingWindowLimiter) -> None:
        """Tell the limiter about recent attempts (of earlier runs too), so a restart cannot burst past a limit."""
        since = self.clock() - 3600.0
        for channel, at in self._db.execute(
            """select delivered_via, last_attempt_at from outbox_message
               where delivered_via is not null and last_attempt_at >= ?""",
            (since,),
        ):
            limiter.record(channel, at)

    def _due(self, now: float) -> list[OutboxRow]:
        found = self._db.execute(
            "select * from outbox_message where status = 'pending' and next_attempt_at <= ? order by seq", (now,)
        )
        return [_row(record) for record in found]

    def _next_due_in(self) -> float | None:
        earliest = self._db.execute(
            "select min(next_attempt_at) from outbox_message where status = 'pending'"
        ).fetchone()[0]
        return None if earliest is None else max(0.0, earliest - self.clock())

    def _claim(self, key: str, channel: str) -> int | None:
        """Mark ``sending`` and commit before the request leaves; None when the row is no longer pending."""
        now = self.clock()
        with self._transaction():
            claimed = self._db.execute(
                """update outbox_message
                   set status = 'sending', attempts = attempts + 1, delivered_via = ?, last_attempt_at = ?,
                       updated_at = ?
                   where idempotency_key = ? and status = 'pending'""",
                (channel, now, now, key),
            ).rowcount
        return self._attempts(key) if claimed else None

    def _settle(
        self,
        key: str,
        status: Status,
        error: str | None,
        attempts: int,
        channel: str | None,
        *,
        next_attempt_at: float | None = None,
    ) -> None:
        now = self.clock()
        with self._transaction():
            self._db.execute(
                """update outbox_message
                   set status = ?, last_error = ?, updated_at = ?, delivered_via = coalesce(?, delivered_via),
                       next_attempt_at = coalesce(?, next_attempt_at),
                       sent_at = case when ? = 'sent' then ? else sent_at end
                   where idempotency_key = ?""",
                (status, error, now, channel, next_attempt_at, status, now, key),
            )

    def _requeue(self, keys: Iterable[str], from_status: Status) -> tuple[str, ...]:
        requeued = []
        now = self.clock()
        with self._transaction():
            for key in keys:
                changed = self._db.execute(
                    """update outbox_message set status = 'pending', attempts = 0, next_attempt_at = ?,
                              updated_at = ?
                       where idempotency_key = ? and status = ?""",
                    (now, now, key, from_status),
                ).rowcount
                if changed:
                    requeued.append(key)
        return tuple(requeued)

    def _keys(self, status: Status) -> tuple[str, ...]:
        found = self._db.execute("select idempotency_key from outbox_message where status = ? order by seq", (status,))
        return tuple(record[0] for record in found)

    def _attempts(self, key: str) -> int:
        found = self._db.execute("select attempts from outbox_message where idempotency_key = ?", (key,)).fetchone()
        return int(found[0]) if found else 0


def _row(record: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        message=Message(
            idempotency_key=record["idempotency_key"],
            channel=record["channel"],
            recipient=record["recipient"],
            subject=record["subject"],
            body_markdown=record["body"],
            locale=record["locale"],
        ),
        status=record["status"],
        attempts=record["attempts"],
        last_error=record["last_error"],
        delivered_via=record["delivered_via"],
        next_attempt_at=record["next_attempt_at"],
        last_attempt_at=record["last_attempt_at"],
        sent_at=record["sent_at"],
    )
