"""Trust under faults: one week run clean and with 20% injected vendor faults ends with the same marts and payroll.

The same small sample company is served by the sandbox twice, each run in its own home and Dagster instance; the
second time a seeded ``FaultInjector`` answers a fifth of the API requests with 429s, 5xx, dropped connections,
truncated JSON, vendor-shaped errors and replayed pages. Every ``marts`` table must hold the same rows and every
payroll file and pay statement the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.resilience,
    pytest.mark.trust("fault", "weekly run under 20% vendor faults"),
]

EMPLOYEES = 40  # the smallest sample that still has every source and a payroll to draft
FAULT_RATE = "0.2"
FAULT_SEED = "20"
# Columns that record when or in which run a row was built, not what it says.
RUN_COLUMNS = re.compile(r"(^|_)(run_id|loaded_at|built_at|generated_at|inserted_at|updated_by_run|dbt_\w+)$")


def _run_week_in_a_fresh_home(home: Path, faults: dict[str, str]) -> dict[str, Any]:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("HRHUB_HOME", str(home))
    monkeypatch.setenv("HRHUB_DUCKDB_PATH", str(home / "warehouse.duckdb"))
    monkeypatch.setenv("HRHUB_INBOX_DIR", str(home / "inbox"))
    for name in ("RATE", "SEED", "REPORT"):
        monkeypatch.delenv(f"HRHUB_SANDBOX_FAULT_{name}", raising=False)
    for name, value in faults.items():
        monkeypatch.setenv(name, value)

    from orchestration.local_run import (
        generate_and_write_sample,
        pipeline_job,
        render_inbox,
        run_week,
        sandbox_running,
    )
    from orchestration.settings import load_settings
    from sandbox.sample import load_sample
    from scoring.weeks import parse_week

    try:
        week = parse_week("2026-03-02")
        settings = load_settings()
        _, tables = load_sample(generate_and_write_sample(7, EMPLOYEES, 1, week, settings.sample_dir))
        render_inbox(tables, [week], settings.inbox_dir, settings.timezone)
        with sandbox_running(tables), dg.instance_for_test() as instance:
            outcome = run_week(pipeline_job(), week, instance, home / "logs" / "week.log")
        return {
            "outcome": outcome,
            "marts": _marts(settings.duckdb_path),
            "payroll": _files(settings.payroll_drafts_dir),
            "statements": _files(settings.statements_dir),
        }
    finally:
        monkeypatch.undo()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _marts(path: Path) -> dict[str, list[tuple]]:
    """Every ``marts`` table's rows, sorted, without the columns that only say when or in which run."""
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        for (table,) in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if not RUN_COLUMNS.search(name)
            ]
            selected = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {selected} from marts."{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    clean = _run_week_in_a_fresh_home(tmp_path_factory.mktemp("clean_home"), {})
    faulted_home = tmp_path_factory.mktemp("faulted_home")
    report = faulted_home / "faults.json"
    faults = {
        "HRHUB_SANDBOX_FAULT_RATE": FAULT_RATE,
        "HRHUB_SANDBOX_FAULT_SEED": FAULT_SEED,
        "HRHUB_SANDBOX_FAULT_REPORT": str(report),
    }
    faulted = _run_week_in_a_fresh_home(faulted_home, faults)
    faulted["report"] = json.loads(report.read_text(encoding="utf-8"))
    return {"clean": clean, "faulted": faulted}


def test_both_runs_succeed_and_faults_of_every_kind_were_injected(runs):
    for name in ("clean", "faulted"):
        outcome = runs[name]["outcome"]
        assert outcome.success and outcome.checks_failed == 0, (name, outcome.problems)
    report = runs["faulted"]["report"]
    assert report["rate"] == float(FAULT_RATE) and report["seed"] == int(FAULT_SEED)
    injected = report["injected"]
    kinds = ("throttle", "server_error", "timeout", "truncated_json", "vendor_error", "duplicate_page")
    assert all(injected[kind] > 0 for kind in kinds), injected
    assert sum(injected[kind] for kind in kinds) >= 0.08 * injected["requests"]  # about a fifth, less the retries


def test_marts_hold_the_same_rows_with_and_without_faults(runs):
    clean, faulted = runs["clean"]["marts"], runs["faulted"]["marts"]
    assert clean.keys() == faulted.keys() and len(clean) > 10
    assert sum(len(rows) for rows in clean.values()) > EMPLOYEES
    different = [table for table in clean if clean[table] != faulted[table]]
    assert different == [], different


def test_payroll_files_and_statements_are_byte_identical(runs):
    clean, faulted = runs["clean"], runs["faulted"]
    assert any(name.endswith(".csv") for name in clean["payroll"]) and clean["statements"]
    assert clean["payroll"].keys() == faulted["payroll"].keys()
    assert [n for n in clean["payroll"] if clean["payroll"][n] != faulted["payroll"][n]] == []
    assert clean["statements"] == faulted["statements"]
