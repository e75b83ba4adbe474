"""A run killed while drafting or releasing payroll, then run again: the same files, no second payment."""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from exports.payroll_ledger import PayrollLedger
from scoring.plan import DEFAULT_PLAN_PATH, load_plan

WORKER = Path(__file__).with_name("payroll_crash_worker.py")
ROOT = Path(__file__).parents[2]
WEEK = "2026-03-02"  # in pay period 2026-03 (its Thursday is 03-05) for monthly targets
PLAN_HASH = load_plan(DEFAULT_PLAN_PATH).content_hash


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema scoring")
        con.execute("create schema marts")
        con.execute("create table marts.dim_employee (employee_id varchar, payroll_id varchar, name varchar)")
        con.executemany(
            "insert into marts.dim_employee values (?, ?, ?)",
            [("E000001", "P0001", "张伟"), ("E000002", "P0002", "李娜"), ("E000003", "P0003", "王芳")],
        )
        con.execute(
            """create table scoring.payroll_line (week_start date, employee_id varchar, pay_period varchar,
               component_code varchar, amount decimal(18, 2), currency varchar, quantity decimal(18, 2),
               unit varchar, plan_version varchar, source_ref varchar, plan_hash varchar)"""
        )
        lines = [
            ("E000001", "WEEKLY_GOAL_BONUS", Decimal("602.50"), None, None),
            ("E000002", "JOINT_INCENTIVE", Decimal("5491.20"), None, None),
            ("E000003", "OVERTIME_HOURS", Decimal("0.00"), Decimal("6.50"), "hours"),
        ]
        con.executemany(
            "insert into scoring.payroll_line values (?, ?, ?, ?, ?, 'CNY', ?, ?, '2026.1', ?, ?)",
            [
                (WEEK, e, WEEK, code, amount, qty, unit, f"{code}:{e}:{WEEK}", PLAN_HASH)
                for e, code, amount, qty, unit in lines
            ],
        )
    return path


def _run(home: Path, warehouse: Path, action: str, crash: str | None = None) -> int:
    env = {**os.environ, "HRHUB_HOME": str(home), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(WORKER), action, str(warehouse), WEEK, *([crash] if crash else [])]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False, timeout=120).returncode


def _visible_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("clean")
    assert _run(home, _warehouse(home / "w.duckdb"), "draft") == 0
    return _visible_files(home / "exports" / "payroll")


@pytest.mark.parametrize("crash", ["before_ledger", "mid_write"])
def test_a_draft_killed_midway_and_rerun_gives_the_clean_run_files_recorded_once(tmp_path, clean_run, crash):
    warehouse = _warehouse(tmp_path / "w.duckdb")
    assert _run(tmp_path, warehouse, "draft", crash) == -signal.SIGKILL
    assert _run(tmp_path, warehouse, "draft") == 0
    assert _run(tmp_path, warehouse, "draft") == 0  # and once more: a retried run records nothing new
    assert _visible_files(tmp_path / "exports" / "payroll") == clean_run
    drafted = [e for e in PayrollLedger(tmp_path / "exports" / "payroll_ledger.jsonl").events() if e.event == "drafted"]
    assert len(drafted) == len({(e.target, e.sha256) for e in drafted}) == 3  # one per target, none twice


def test_a_release_killed_midway_pays_once_and_a_rerun_drafts_no_second_payment(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb")
    ledger = PayrollLedger(tmp_path / "exports" / "payroll_ledger.jsonl")
    assert _run(tmp_path, warehouse, "draft") == 0
    assert _run(tmp_path, warehouse, "approve", "before_release_record") == -signal.SIGKILL
    assert ledger.released("finance_cn", "2026-03") == []
    assert _run(tmp_path, warehouse, "approve") == 0
    released = _visible_files(tmp_path / "exports" / "released")
    assert len([name for name in released if name.endswith(".xlsx")]) == 1
    assert len(ledger.released("finance_cn", "2026-03")) == 1
    # the same inputs drafted again after the release: nothing beyond what was paid
    assert _run(tmp_path, warehouse, "draft") == 0
    assert ledger.pending_draft("finance_cn", "2026-03") is None
    assert _run(tmp_path, warehouse, "approve") != 0  # nothing left to approve: refused, nothing released twice
    assert _visible_files(tmp_path / "exports" / "released") == released
