"""Run in a subprocess by test_payroll_crash.py: draft or approve payroll, SIGKILLing itself at a chosen point.

    python payroll_crash_worker.py draft|approve <warehouse.duckdb> <week> [crash point]

Crash points: ``before_ledger`` (files written, draft not recorded), ``mid_write`` (a temp file written, not yet
renamed to its final name), ``before_release_record`` (released files copied, release not recorded).
"""

import os
import signal
import sys
from pathlib import Path

import duckdb
import yaml

from exports.payroll_ledger import PayrollLedger
from exports.targets import load_targets
from orchestration.lib.payroll_approval import approve_and_release
from orchestration.lib.payroll_drafts import draft_week
from orchestration.settings import load_settings
from scoring.plan import load_plan_history
from scoring.weeks import parse_week


def _die(*_args: object, **_kwargs: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    action, warehouse, week = sys.argv[1], sys.argv[2], parse_week(sys.argv[3])
    crash = sys.argv[4] if len(sys.argv) > 4 else None
    if crash == "before_ledger":
        PayrollLedger.record_draft = _die  # type: ignore[method-assign]
    elif crash == "mid_write":
        Path.replace = _die  # type: ignore[method-assign]
    elif crash == "before_release_record":
        PayrollLedger.record_release = _die  # type: ignore[method-assign]
    settings = load_settings()
    if action == "draft":
        config = yaml.safe_load(settings.exports_config_path.read_text(encoding="utf-8"))
        with duckdb.connect(warehouse, read_only=True) as con:
            draft_week(
                con,
                week,
                load_plan_history(settings.plan_path).in_force(week),
                load_targets(config["payroll_targets"]),
                PayrollLedger(settings.payroll_ledger_path),
                settings.payroll_drafts_dir,
            )
    else:
        approve_and_release("finance_cn", "2026-03", "alice")


if __name__ == "__main__":
    main()
