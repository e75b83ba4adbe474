"""HR approves a payroll draft before it is released; what was released stays the record of what was paid."""

from pathlib import Path

import pytest

from exports.payroll_ledger import ApprovalError, LedgerEvent, PayrollLedger

AT = "2026-12-01T09:00:00Z"


def _draft(sha: str, kind: str = "full", period: str = "2026-11") -> LedgerEvent:
    return LedgerEvent(
        event="drafted",
        target="finance",
        pay_period=period,
        file_name=f"payroll_{period}_{sha[:8]}.xlsx",
        sha256=sha * 8,
        kind=kind,
        draft_dir="/drafts",
        actor="pipeline",
        at=AT,
    )


@pytest.fixture
def ledger(tmp_path: Path) -> PayrollLedger:
    return PayrollLedger(tmp_path / "ledger.jsonl")


def test_nothing_to_approve_is_a_clear_refusal(ledger):
    with pytest.raises(ApprovalError, match="no payroll draft of finance for 2026-11"):
        ledger.approve("finance", "2026-11", "alice", AT)


def test_a_rerun_does_not_draft_twice_and_the_latest_draft_is_the_one_to_approve(ledger):
    assert ledger.record_draft(_draft("aaaaaaaa"))
    assert not ledger.record_draft(_draft("aaaaaaaa"))
    ledger.record_draft(_draft("bbbbbbbb"))
    assert ledger.pending_draft("finance", "2026-11").sha256 == "bbbbbbbb" * 8
    with pytest.raises(ApprovalError, match="waiting for approval is payroll_2026-11_bbbbbbbb"):
        ledger.approve("finance", "2026-11", "alice", AT, sha256="aaaaaaaa" * 8)
    approval = ledger.approve("finance", "2026-11", "alice", AT, sha256="bbbbbbbb" * 8)
    assert (approval.event, approval.actor) == ("approved", "alice")


def test_release_only_what_was_approved_and_only_once(ledger):
    ledger.record_draft(_draft("aaaaaaaa"))
    assert ledger.approved_unreleased("finance", "2026-11") == []
    approval = ledger.approve("finance", "2026-11", "alice", AT)
    ledger.approve("finance", "2026-11", "alice", AT)  # approving again changes nothing
    assert ledger.approved_unreleased("finance", "2026-11") == [approval]
    ledger.record_release(approval, AT)
    ledger.record_release(approval, AT)
    assert len(ledger.released("finance", "2026-11")) == 1
    assert ledger.approved_unreleased("finance", "2026-11") == []
    assert ledger.pending_draft("finance", "2026-11") is None
    # a recomputed period afterwards drafts an adjustment, which needs its own approval
    ledger.record_draft(_draft("cccccccc", kind="adjustment"))
    assert ledger.pending_draft("finance", "2026-11").kind == "adjustment"


def test_approver_name_is_required(ledger):
    ledger.record_draft(_draft("aaaaaaaa"))
    with pytest.raises(ApprovalError, match="approver"):
        ledger.approve("finance", "2026-11", "  ", AT)


def test_a_torn_last_line_is_not_an_event(ledger):
    ledger.record_draft(_draft("aaaaaaaa"))
    with ledger.path.open("ab") as handle:
        handle.write(b'{"event": "approved", "tar')
    assert [e.event for e in ledger.events()] == ["drafted"]
    assert ledger.path.stat().st_mode & 0o777 == 0o600


def test_a_manifest_reads_back_from_its_json():
    import json

    from exports.manifest import ComponentTotal, PayrollManifest

    manifest = PayrollManifest(
        file_name="payroll_finance_2026-11_abcd1234.xlsx",
        layout="wide_xlsx",
        pay_period="2026-11",
        plan_version="2026.1",
        plan_hash="h",
        input_fingerprint="f",
        currency="CNY",
        rows=2,
        rejected_lines=0,
        control_totals={"JOINT_INCENTIVE": ComponentTotal(rows=2, amount="10.00", quantity=None, unit=None)},
        grand_total="10.00",
        sha256="s",
        generator="hrhub 0.1.0",
        target="finance",
        kind="full",
    )
    assert PayrollManifest.from_dict(json.loads(manifest.to_bytes())) == manifest


def test_a_superseded_draft_is_never_approved_or_released(ledger):
    """Weekly re-runs of a monthly period leave earlier drafts behind; only the latest may ever be paid."""
    ledger.record_draft(_draft("aaaaaaaa"))
    ledger.record_draft(_draft("bbbbbbbb"))
    approval = ledger.approve("finance", "2026-11", "alice", AT)
    assert approval.sha256 == "bbbbbbbb" * 8
    ledger.record_release(approval, AT)
    assert ledger.pending_draft("finance", "2026-11") is None
    assert ledger.approved_unreleased("finance", "2026-11") == []
    with pytest.raises(ApprovalError, match="no payroll draft"):
        ledger.approve("finance", "2026-11", "alice", AT)


def test_an_approval_does_not_carry_over_to_a_newer_draft(ledger):
    ledger.record_draft(_draft("aaaaaaaa"))
    ledger.approve("finance", "2026-11", "alice", AT)
    ledger.record_draft(_draft("bbbbbbbb"))  # recomputed before the release went out
    assert ledger.approved_unreleased("finance", "2026-11") == []
    ledger.record_draft(_draft("aaaaaaaa"))  # and back: the old approval was for an earlier draft
    assert ledger.pending_draft("finance", "2026-11").sha256 == "aaaaaaaa" * 8
    assert ledger.approved_unreleased("finance", "2026-11") == []
