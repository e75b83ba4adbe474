"""The payroll release ledger: which payroll files were drafted, which HR approved, which were released.

Payroll files are first written as *drafts* (write-once, deterministic names). HR approves one draft of a target's
pay period by its sha256 (``hrhub payroll approve`` or the ``approve_pay_period`` job in the Dagster UI); only an
approved draft is copied to the release folder payroll systems import from. What was released is what was paid:
a period recomputed later is compared with it and yields an adjustment draft with the deltas only.

The ledger is an append-only JSONL file written under an exclusive ``fcntl`` lock, so the CLI and a run can both
use it; every event is also a line an auditor can read.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Literal

from exports.locked_file import locked_append_file

EventKind = Literal["drafted", "approved", "released"]
DraftKind = Literal["full", "adjustment"]


class ApprovalError(RuntimeError):
    """An approval or release that cannot happen, with the reason HR sees."""


@dataclass(frozen=True)
class LedgerEvent:
    event: EventKind
    target: str
    pay_period: str
    file_name: str
    sha256: str
    kind: DraftKind
    draft_dir: str  # where the draft and its manifest and lines live
    actor: str  # "pipeline" for drafts, the approver's name otherwise
    at: str  # ISO-8601 UTC, given by the caller (no clock in here)


class PayrollLedger:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def events(self, target: str | None = None, pay_period: str | None = None) -> list[LedgerEvent]:
        if not self.path.exists():
            return []
        with locked_append_file(self.path, fcntl.LOCK_SH) as handle:
            events = _parse(handle)
        return [e for e in events if (target in (None, e.target)) and (pay_period in (None, e.pay_period))]

    def record_draft(self, draft: LedgerEvent) -> bool:
        """Record a newly written draft as the one awaiting approval; the draft already awaiting it is not recorded
        again (a re-run), while any other draft supersedes it."""
        with locked_append_file(self.path, fcntl.LOCK_EX) as handle:
            pending = _pending(
                [e for e in _parse(handle) if (e.target, e.pay_period) == (draft.target, draft.pay_period)]
            )
            if pending is not None and pending.sha256 == draft.sha256:
                return False
            _append(handle, draft)
            return True

    def pending_draft(self, target: str, pay_period: str) -> LedgerEvent | None:
        """The draft HR is asked to approve: the latest one since the period's last release, if any."""
        return _pending(self.events(target, pay_period))

    def released(self, target: str, pay_period: str) -> list[LedgerEvent]:
        return [e for e in self.events(target, pay_period) if e.event == "released"]

    def approve(self, target: str, pay_period: str, approver: str, at: str, sha256: str | None = None) -> LedgerEvent:
        """Approve the pending draft (or the one named by ``sha256``, which must be the pending one)."""
        if not approver.strip():
            raise ApprovalError("an approval needs the approver's name")
        with locked_append_file(self.path, fcntl.LOCK_EX) as handle:
            events = [e for e in _parse(handle) if e.target == target and e.pay_period == pay_period]
            pending = _pending(events)
            if pending is None:
                raise ApprovalError(f"no payroll draft of {target} for {pay_period} is waiting for approval")
            if sha256 is not None and sha256 != pending.sha256:
                raise ApprovalError(
                    f"{target} {pay_period}: the draft waiting for approval is {pending.file_name} "
                    f"(sha256 {pending.sha256[:12]}), not {sha256[:12]}; review it first"
                )
            approval = _approval_of(events, pending)
            if approval is None:
                approval = LedgerEvent(**{**asdict(pending), "event": "approved", "actor": approver.strip(), "at": at})
                _append(handle, approval)
            return approval

    def approved_unreleased(self, target: str, pay_period: str) -> list[LedgerEvent]:
        """The approval of the pending draft, if given: a superseded draft is never released, approved or not."""
        events = self.events(target, pay_period)
        pending = _pending(events)
        approval = _approval_of(events, pending) if pending is not None else None
        return [approval] if approval is not None else []

    def record_release(self, approval: LedgerEvent, at: str) -> LedgerEvent:
        release = LedgerEvent(**{**asdict(approval), "event": "released", "at": at})
        with locked_append_file(self.path, fcntl.LOCK_EX) as handle:
            if not any(e.event == "released" and e.sha256 == approval.sha256 for e in _parse(handle)):
                _append(handle, release)
        return release


def _pending(events: list[LedgerEvent]) -> LedgerEvent | None:
    """Walk one period's events in order: each draft supersedes the one before, a release closes the draft."""
    pending = None
    for event in events:
        if event.event == "drafted":
            pending = event
        elif event.event == "released":
            pending = None
    return pending


def _approval_of(events: list[LedgerEvent], draft: LedgerEvent) -> LedgerEvent | None:
    """The approval given to ``draft`` since it was (last) drafted."""
    drafted_at = max(i for i, e in enumerate(events) if e.event == "drafted" and e.sha256 == draft.sha256)
    return next((e for e in events[drafted_at:] if e.event == "approved" and e.sha256 == draft.sha256), None)


def _append(handle: IO[bytes], event: LedgerEvent) -> None:
    handle.write((json.dumps(asdict(event), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    handle.flush()
    os.fsync(handle.fileno())


def _parse(handle: IO[bytes]) -> list[LedgerEvent]:
    """Every complete line; a torn last line (a crash mid-append) is ignored, so the event simply did not happen."""
    handle.seek(0)
    data = handle.read()
    complete = data[: data.rfind(b"\n") + 1]
    return [LedgerEvent(**json.loads(line)) for line in complete.splitlines() if line.strip()]
