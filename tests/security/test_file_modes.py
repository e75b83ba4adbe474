"""Files with pay in them (payroll drafts and manifests, released copies, the approval ledger, the outbox) are
created 0600 inside folders created 0700, whatever the process umask: other users of the machine read nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from exports.delivery.outbox_store import OutboxStore
from exports.locked_file import private_dir
from exports.manifest import build_manifest
from exports.outbox import FileOutbox
from exports.payroll import render_long_csv, write_file_once, write_payroll_export
from exports.payroll_ledger import LedgerEvent, PayrollLedger
from exports.payroll_release import lines_bytes, lines_name, release_approved
from tests.exports.helpers import EMPLOYEES, sample_lines
from tests.exports.test_outbox import _messages

pytestmark = pytest.mark.trust("security", "file modes")

AT = "2026-12-01T09:00:00Z"


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """A umask of 000 would make anything created with default modes world-writable: the modes must not rely on it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path, below: Path) -> dict[str, str]:
    """Mode of ``below`` and every file and folder under it, relative to ``root``."""
    return {str(p.relative_to(root)): oct(stat.S_IMODE(p.stat().st_mode)) for p in [below, *below.rglob("*")]}


def _private(modes: dict[str, str], root: Path) -> bool:
    return all(mode == ("0o700" if (root / name).is_dir() else "0o600") for name, mode in modes.items())


def test_payroll_drafts_manifests_ledger_and_released_copies_are_private(tmp_path):
    home = tmp_path / "var"
    home.mkdir(mode=0o755)
    drafts = home / "exports" / "payroll" / "weekly_csv"
    export = render_long_csv(sample_lines(), EMPLOYEES)
    manifest = build_manifest(export, plan_hash="a" * 64, input_fingerprint="fp", generator_version="0.1.0")
    csv_path = write_payroll_export(drafts, "2026-03", export.content, manifest)
    write_file_once(drafts / lines_name(csv_path.name), lines_bytes([]))  # the lines sidecar a release copies
    ledger = PayrollLedger(home / "exports" / "payroll_ledger.jsonl")
    ledger.record_draft(
        LedgerEvent(
            event="drafted",
            target="weekly_csv",
            pay_period="2026-03",
            file_name=csv_path.name,
            sha256=hashlib.sha256(export.content).hexdigest(),
            kind="full",
            draft_dir=str(drafts),
            actor="pipeline",
            at=AT,
        )
    )
    ledger.approve("weekly_csv", "2026-03", "alice", AT)

    released = release_approved(ledger, "weekly_csv", "2026-03", home / "exports" / "released", AT)

    assert released and all(path.exists() for path in released)
    modes = _modes(home, home / "exports")
    assert {csv_path.name, manifest.manifest_file_name} <= {Path(name).name for name in modes}
    assert _private(modes, home), modes


def test_both_outboxes_are_private(tmp_path):
    FileOutbox(tmp_path / "var" / "outbox" / "outbox.jsonl").send(_messages(3))
    store = OutboxStore(tmp_path / "var" / "outbox" / "outbox.sqlite")
    store.enqueue(_messages(3))
    store.close()

    modes = _modes(tmp_path, tmp_path / "var")
    assert "var/outbox/outbox.sqlite" in modes and "var/outbox/outbox.jsonl" in modes
    assert _private(modes, tmp_path), modes


def test_private_dir_leaves_existing_folders_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)

    private_dir(shared / "a" / "b")

    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # not ours to tighten: e.g. a home or /srv folder
    assert {stat.S_IMODE(p.stat().st_mode) for p in (shared / "a", shared / "a" / "b")} == {0o700}
