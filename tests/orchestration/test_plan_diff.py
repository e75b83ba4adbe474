"""`hrhub plan diff`: past weeks re-scored from the warehouse with two plans, per employee, week and in total."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.defs.resources import ExportsResource, PlanResource, WarehouseResource
from orchestration.defs.scoring.assets import weekly_scoring

from .plan_warehouse import WEEKS, build_marts, plan_text, write_plan


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two weeks of marts, scored by the weekly_scoring asset with the default plan (version 2026.1)."""
    home = tmp_path_factory.mktemp("plan_diff")
    warehouse = build_marts(home / "warehouse.duckdb")
    write_plan(home / "plans", "default.yaml", plan_text())
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "plan": PlanResource(path=str(home / "plans")),
        "exports": ExportsResource(
            config_path="",
            payroll_drafts_dir="",
            payroll_release_dir="",
            payroll_ledger_path=str(home / "payroll_ledger.jsonl"),
            statements_dir="",
            outbox_path="",
            outbox_store_path="",
        ),
    }
    for week in WEEKS:
        assert dg.materialize([weekly_scoring], partition_key=week.isoformat(), resources=resources).success
    return home


@pytest.fixture
def hrhub(scored, monkeypatch, capsys):
    monkeypatch.setenv("HRHUB_HOME", str(scored))
    monkeypatch.setenv("HRHUB_DUCKDB_PATH", str(scored / "warehouse.duckdb"))
    monkeypatch.setenv("HRHUB_PLAN_PATH", str(scored / "plans"))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["plan", "diff", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _lines(out: str) -> list[str]:
    return [" ".join(line.split()) for line in out.splitlines()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _paid(scored: Path) -> dict[tuple[str, str, str], Decimal]:
    with duckdb.connect(str(scored / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select week_start, employee_id, component_code, sum(amount) from scoring.payroll_line"
            " where quantity is null group by all"
        ).fetchall()
    return {(str(week), employee, code): amount for week, employee, code, amount in rows}


def test_a_higher_default_bonus_base_pays_exactly_a_fifth_more_on_every_goal_bonus(scored, hrhub, tmp_path):
    new = write_plan(tmp_path, "2026.2.yaml", plan_text("2026.2", "2026-03-02", base_bonus="600"))
    warehouse_bytes = hashlib.sha256((scored / "warehouse.duckdb").read_bytes()).hexdigest()

    code, out, _ = hrhub("--from", "2026.1", "--to", str(new), "--csv", str(tmp_path / "diff.csv"))

    assert code == 0
    rows = _csv(tmp_path / "diff.csv")
    bonuses = [row for row in rows if row["component_code"] == "WEEKLY_GOAL_BONUS"]
    assert len(bonuses) == 6  # E1, E2, E3 in both weeks (E4 stays below the curve)
    for row in bonuses:
        old, new_amount, delta = Decimal(row["old"]), Decimal(row["new"]), Decimal(row["delta"])
        assert old > 0 and new_amount == old * Decimal("1.2") and delta == old * Decimal("0.2")
    assert all(Decimal(row["delta"]) == 0 for row in rows if row["component_code"] != "WEEKLY_GOAL_BONUS")
    assert {row["component_code"] for row in rows} >= {"JOINT_INCENTIVE", "PROJECT_POOL_SHARE", "OVERTIME_HOURS"}
    # the "old" side is what the weekly_scoring asset itself wrote: the diff re-scores through the same code
    money = {(r["week_start"], r["employee_id"], r["component_code"]): Decimal(r["old"]) for r in rows}
    assert {key: value for key, value in money.items() if key in _paid(scored)} == _paid(scored)

    # weeks: 1400.00 and 1325.00 of goal bonuses -> +280.00 and +265.00
    lines = _lines(out)
    assert "2026-03-02 10,562.00 10,842.00 +280.00" in lines
    assert "2026-03-09 10,487.00 10,752.00 +265.00" in lines
    assert "total 21,049.00 21,594.00 +545.00" in lines
    assert "E3 WEEKLY_GOAL_BONUS 1,150.00 1,380.00 +230.00 CNY" in lines
    assert "per employee and component (3 of " in out
    assert hashlib.sha256((scored / "warehouse.duckdb").read_bytes()).hexdigest() == warehouse_bytes  # read-only


def test_an_unchanged_plan_changes_nothing(scored, hrhub, tmp_path):
    code, out, _ = hrhub(
        "--from", "2026.1", "--to", str(scored / "plans" / "default.yaml"), "--csv", str(tmp_path / "d.csv")
    )
    assert code == 0
    rows = _csv(tmp_path / "d.csv")
    assert rows and all(Decimal(row["delta"]) == 0 for row in rows)
    assert "per employee and component (0 of " in out and "total 21,049.00 21,049.00 0.00" in _lines(out)
    assert "note: both sides are the same plan text" in out


def test_weeks_can_be_chosen_and_attendance_changes_are_flagged(scored, hrhub, tmp_path):
    stricter = plan_text("2026.3", "2026-03-09").replace("late_grace_minutes: 5", "late_grace_minutes: 3")
    new = write_plan(tmp_path, "stricter.yaml", stricter)
    code, out, _ = hrhub(
        "--from", "2026.1", "--to", str(new), "--weeks", "2026-03-09..2026-03-09", "--csv", str(tmp_path / "d.csv")
    )
    assert code == 0
    assert {row["week_start"] for row in _csv(tmp_path / "d.csv")} == {"2026-03-09"}
    assert "weeks 2026-03-09..2026-03-09 (1)" in out
    assert "note: the plans' attendance rules differ" in out


def test_the_csv_of_per_employee_pay_is_private(scored, hrhub, tmp_path):
    default = str(scored / "plans" / "default.yaml")
    made = tmp_path / "reports" / "plan" / "d.csv"  # folders the diff creates
    earlier = tmp_path / "earlier.csv"  # a file a run before the fix left world-readable
    earlier.write_text("stale\n", encoding="utf-8")
    earlier.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        assert hrhub("--from", "2026.1", "--to", default, "--csv", str(made))[0] == 0
        assert hrhub("--from", "2026.1", "--to", default, "--csv", str(earlier))[0] == 0
    finally:
        os.umask(old_umask)

    assert {stat.S_IMODE(path.stat().st_mode) for path in (made, earlier)} == {0o600}
    assert {stat.S_IMODE(folder.stat().st_mode) for folder in (made.parent, made.parent.parent)} == {0o700}
    assert _csv(earlier) == _csv(made) and _csv(made)  # overwritten, not appended to


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2025.9", "--to", "2026.1"],
            "'2025.9' is neither a plan file nor a known plan version (known: 2026.1)",
        ),
        (["--from", "2026.1", "--to", "2026.1", "--weeks", "2026-03-03"], "--weeks '2026-03-03'"),
        (["--from", "2026.1", "--to", "2026.1", "--weeks", "2026-03-09..2026-03-02"], "ends before it starts"),
    ],
)
def test_bad_arguments_are_clear_errors(hrhub, args, message):
    code, _, err = hrhub(*args)
    assert code == 2 and message in err
