"""Releasing approved payroll drafts: the approved bytes, and nothing else, reach the folder payroll imports from.

Used by ``hrhub payroll approve`` and by the ``approve_pay_period`` job in the Dagster UI, so both do the same.
A draft travels with its manifest and its lines (``*.lines.json``: the rolled-up lines the file was rendered
from), so a later recomputation of the period can be compared with what was actually paid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path, PurePath

from exports.locked_file import private_dir
from exports.payroll import write_file_once
from exports.payroll_ledger import ApprovalError, LedgerEvent, PayrollLedger


def manifest_name(file_name: str) -> str:
    return f"{PurePath(file_name).stem}.manifest.json"


def lines_name(file_name: str) -> str:
    return f"{PurePath(file_name).stem}.lines.json"


def lines_bytes(lines: Iterable[Mapping[str, object]]) -> bytes:
    """Canonical JSON of payroll lines (Decimals as strings), stored beside each draft."""
    records = [
        {key: (str(value) if isinstance(value, Decimal) else value) for key, value in line.items()} for line in lines
    ]
    records.sort(key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return (json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n").encode("utf-8")


def read_lines(path: Path) -> list[dict[str, object]]:
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        for key in ("amount", "quantity"):
            if record.get(key) is not None:
                record[key] = Decimal(str(record[key]))
    return records


def release_approved(ledger: PayrollLedger, target: str, pay_period: str, release_root: Path, at: str) -> list[Path]:
    """Copy every approved, unreleased draft of the period to ``release_root/<target>/<period>/``; return the files.

    The draft's bytes are checked against the approved sha256 first: a file changed after approval is refused.
    """
    released: list[Path] = []
    for approval in ledger.approved_unreleased(target, pay_period):
        source = Path(approval.draft_dir)
        content = (source / approval.file_name).read_bytes()
        if hashlib.sha256(content).hexdigest() != approval.sha256:
            raise ApprovalError(f"{approval.file_name} changed after it was approved; it is not released")
        destination = release_root / target / pay_period
        private_dir(destination)
        write_file_once(
            destination / manifest_name(approval.file_name), (source / manifest_name(approval.file_name)).read_bytes()
        )
        write_file_once(
            destination / lines_name(approval.file_name), (source / lines_name(approval.file_name)).read_bytes()
        )
        write_file_once(destination / approval.file_name, content)
        ledger.record_release(approval, at)
        released.append(destination / approval.file_name)
    return released


def paid_lines(ledger: PayrollLedger, target: str, pay_period: str) -> list[dict[str, object]] | None:
    """Everything released for the period (the full file plus its adjustments), or None if nothing was released."""
    releases: list[LedgerEvent] = ledger.released(target, pay_period)
    if not releases:
        return None
    lines: list[dict[str, object]] = []
    for release in releases:
        lines.extend(read_lines(Path(release.draft_dir) / lines_name(release.file_name)))
    return lines
