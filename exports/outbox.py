"""The notification outbox: an append-only JSONL file keyed by idempotency key, and the ``Channel`` contract.

``FileOutbox`` is the local dry-run channel: "sending" appends the message to the file. Real channels (WeCom,
DingTalk, Feishu bots, Slack, email) will implement the same ``Channel`` protocol. Every append happens under an
exclusive ``fcntl`` lock after re-reading the keys already there, so a retried run, or two processes racing,
never records a message twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Literal, Protocol

from exports.locked_file import locked_append_file
from exports.notifications import Message

DeliveryStatus = Literal["sent", "duplicate", "failed"]


@dataclass(frozen=True)
class DeliveryResult:
    idempotency_key: str
    status: DeliveryStatus
    detail: str = ""


class Channel(Protocol):
    """Where messages go. ``deliver`` must be safe to retry: a known idempotency key is reported ``duplicate``."""

    def deliver(self, message: Message) -> DeliveryResult: ...


@dataclass(frozen=True)
class SendReport:
    sent: tuple[str, ...]  # idempotency keys appended by this call, in order
    skipped: tuple[str, ...]  # keys already in the outbox (or repeated in the batch): not sent again


class FileOutbox:
    """An append-only JSONL outbox at ``path`` (created 0600, folder 0700: messages carry pay figures)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Keys of the file as this object last left it, with the file's (inode, size) then: while nobody else has
        # appended, the next send need not re-read the whole file (a weekly run sends thousands, one by one).
        self._known: tuple[tuple[int, int], set[str]] | None = None

    def send(self, messages: Iterable[Message]) -> SendReport:
        """Append the messages whose idempotency key is not in the outbox yet; report what was sent and skipped."""
        batch = list(messages)
        sent: list[str] = []
        skipped: list[str] = []
        with locked_append_file(self.path, fcntl.LOCK_EX) as handle:
            known = self._known_keys(handle)
            records = []
            for message in batch:
                if message.idempotency_key in known:
                    skipped.append(message.idempotency_key)
                    continue
                known.add(message.idempotency_key)
                sent.append(message.idempotency_key)
                records.append(json.dumps(asdict(message), ensure_ascii=False, sort_keys=True) + "\n")
            if records:
                handle.write("".join(records).encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            self._known = (_identity(handle), known)
        return SendReport(sent=tuple(sent), skipped=tuple(skipped))

    def _known_keys(self, handle: IO[bytes]) -> set[str]:
        """The keys in the file: remembered if the file is as this object left it, else read (and repaired)."""
        if self._known is not None and self._known[0] == _identity(handle):
            return self._known[1]
        return {message.idempotency_key for message in _parse(handle, repair=True)}

    def deliver(self, message: Message) -> DeliveryResult:
        """The ``Channel`` face of the outbox, for code written against real channels."""
        report = self.send([message])
        return DeliveryResult(message.idempotency_key, "sent" if report.sent else "duplicate")

    def read(self) -> list[Message]:
        """Every message recorded so far, in the order it was sent."""
        if not self.path.exists():
            return []
        with locked_append_file(self.path, fcntl.LOCK_SH) as handle:
            return list(_parse(handle, repair=False))


def _identity(handle: IO[bytes]) -> tuple[int, int]:
    stat = os.fstat(handle.fileno())
    return stat.st_ino, stat.st_size


def _parse(handle: IO[bytes], *, repair: bool) -> Iterator[Message]:
    """Read every record; a torn last line (a crash mid-append) is not a record and, when repairing, is cut off.

    Dropping it means that message counts as unsent and goes out on the retry: at least once, never twice.
    """
    handle.seek(0)
    data = handle.read()
    complete_end = data.rfind(b"\n") + 1
    if repair and complete_end < len(data):
        handle.truncate(complete_end)
    for number, line in enumerate(data[:complete_end].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield Message(**json.loads(line))
        except (ValueError, TypeError) as error:
            raise ValueError(f"outbox line {number} is not a message record: {error}") from error
