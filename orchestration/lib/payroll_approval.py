"""HR's approval of a pay period, shared by ``hrhub payroll approve`` and the ``approve_pay_period`` job."""

from datetime import UTC, datetime
from pathlib import Path

from exports.payroll_ledger import PayrollLedger
from exports.payroll_release import release_approved
from orchestration.settings import load_settings


def approve_and_release(target: str, pay_period: str, approver: str, sha256: str | None = None) -> list[Path]:
    """Record the approval of the period's pending draft, then release every approved draft of the period."""
    settings = load_settings()
    ledger = PayrollLedger(settings.payroll_ledger_path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    ledger.approve(target, pay_period, approver, now, sha256)
    return release_approved(ledger, target, pay_period, settings.payroll_release_dir, now)
